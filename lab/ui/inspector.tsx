import { parse } from 'graphql/language/parser';
import { print } from 'graphql/language/printer';
import { useState, type FormEvent } from 'react';
import { ms as fmt } from '@supergraph-lab/loadtest/format';
import { api, type Inspection, type LabState } from './api.ts';

export function Inspector({ targets }: { targets: LabState['targets'] }) {
  const [target, setTarget] = useState('graphql');
  const [itemId, setItemId] = useState('');
  const [result, setResult] = useState<Inspection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      setResult(
        await api<Inspection>('/lab/api/inspect', {
          method: 'POST',
          body: { target, ...(itemId ? { itemId: Number(itemId) } : {}) },
        }),
      );
      setError(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="inspector-title">
      <h2 id="inspector-title">Request inspector</h2>
      <form onSubmit={send} className="row">
        <label>
          Target{' '}
          <select name="inspect-target" value={target} onChange={(event) => setTarget(event.target.value)}>
            {/* the reads: one sample of a write target is a write (the API takes allowWrites for it) */}
            {targets
              .filter((one) => !one.write)
              .map((one) => (
                <option key={one.name} value={one.name}>
                  {one.label}
                </option>
              ))}
          </select>
        </label>
        <label>
          Item id{' '}
          <input
            name="inspect-item"
            value={itemId}
            onChange={(event) => setItemId(event.target.value)}
            placeholder="random"
            size={8}
            inputMode="numeric"
          />
        </label>
        <button type="submit" disabled={busy}>
          Send sample request
        </button>
      </form>
      {error ? <p className="warning">{error}</p> : null}
      {result ? (
        <div className="inspection">
          <p>
            {result.target} for item {result.itemId}: {result.exchanges.length} request
            {result.exchanges.length === 1 ? '' : 's'} in parallel, {fmt(result.totalMs)} ms in all.
          </p>
          {result.exchanges.map((one, index) => (
            <ExchangeView key={index} exchange={one} />
          ))}
        </div>
      ) : null}
    </section>
  );
}

function pretty(body: string | null | undefined, type = ''): string {
  if (!body) return '';
  if (/json/.test(type) || /^[[{]/.test(body.trim())) {
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  }
  return body;
}

/** A GraphQL document as graphql-js prints it, or the text as it is when it does not parse. */
export function prettyQuery(text: string): string {
  try {
    return print(parse(text));
  } catch {
    return text;
  }
}

/** A request body: a GraphQL request's query printed as a document and the rest as JSON; any other body as JSON. */
function RequestBody({ body }: { body: string }) {
  let request: unknown = null;
  try {
    request = JSON.parse(body);
  } catch {
    // not JSON: shown as it is
  }
  if (request && typeof request === 'object' && typeof (request as { query?: unknown }).query === 'string') {
    const { query, ...rest } = request as { query: string };
    return (
      <>
        <h3>Request body: GraphQL query</h3>
        <pre className="graphql">{prettyQuery(query)}</pre>
        {Object.keys(rest).length ? (
          <>
            <h3>Request body: {Object.keys(rest).join(', ')}</h3>
            <pre>{JSON.stringify(rest, null, 2)}</pre>
          </>
        ) : null}
      </>
    );
  }
  return (
    <>
      <h3>Request body</h3>
      <pre>{pretty(body, 'json')}</pre>
    </>
  );
}

/** A page as a still picture: scripts removed (the frame is sandboxed anyway), its relative URLs resolved against where it came from. */
function previewOf(html: string, url: string): string {
  const base = `<base href="${new URL(url).origin}/">`;
  const still = html.replace(/<script\b[\s\S]*?<\/script>/gi, '');
  return /<head[^>]*>/i.test(still) ? still.replace(/<head[^>]*>/i, (head) => head + base) : base + still;
}

function ExchangeView({ exchange }: { exchange: Inspection['exchanges'][number] }) {
  const type = exchange.response?.headers['content-type'] ?? '';
  const timing = Object.entries(exchange.outcome.serverTiming ?? {});
  const total = exchange.outcome.serverTiming?.total ?? exchange.ms;
  return (
    <details className="exchange" open>
      <summary>
        <code>
          {exchange.request.method} {exchange.request.url}
        </code>{' '}
        → {exchange.response ? exchange.response.status : exchange.outcome.error?.kind} in {fmt(exchange.ms)} ms
      </summary>
      <h3>Request headers</h3>
      <pre>
        {Object.entries(exchange.request.headers)
          .map(([name, value]) => `${name}: ${value}`)
          .join('\n') || '(none)'}
      </pre>
      {exchange.request.body ? <RequestBody body={exchange.request.body} /> : null}
      {exchange.response ? (
        <>
          <h3>Response headers</h3>
          <pre>
            {Object.entries(exchange.response.headers)
              .map(([name, value]) => `${name}: ${value}`)
              .join('\n')}
          </pre>
          {timing.length ? (
            <>
              <h3>Server-Timing</h3>
              <ul className="timing">
                {timing.map(([name, ms]) => (
                  <li key={name}>
                    <span className="timing-name">{name}</span>
                    <span
                      className="timing-bar"
                      style={{ width: `${Math.min(100, (ms / Math.max(total, 0.001)) * 100)}%` }}
                    />
                    <span>{fmt(ms)} ms</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Response body</h3>
          {/html/.test(type) ? (
            <iframe
              title="response preview"
              sandbox=""
              srcDoc={previewOf(exchange.response.body, exchange.request.url)}
              className="preview"
            />
          ) : (
            <pre className="body">{pretty(exchange.response.body, type)}</pre>
          )}
        </>
      ) : (
        <p className="warning">{exchange.outcome.error?.message}</p>
      )}
    </details>
  );
}
