import { Agent, request } from 'undici';

/** One HTTP request of a page load. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** A JSON body (sent with content-type application/json). */
  body?: unknown;
  /** The answer is a GraphQL response: `errors` in it make the request fail. */
  graphql?: boolean;
  /** More request headers (a write's Idempotency-Key). */
  headers?: Record<string, string>;
}

/** Why a request did not count as a success. */
export type ErrorKind = 'status' | 'graphql' | 'timeout' | 'network' | 'overload';

/** A failed request, kept as a sample for the report. */
export interface ErrorSample {
  kind: ErrorKind;
  url: string;
  status?: number;
  message: string;
}

/** What one request (or one page load of several) came to. */
export interface Outcome {
  ok: boolean;
  error?: ErrorSample;
  /** `Server-Timing` durations in ms by metric name (the largest over a page's parallel requests). */
  serverTiming?: Record<string, number>;
  /** Answers that said `x-cache: HIT`, and those that said HIT or MISS (a cache was consulted). */
  cacheHits?: number;
  cacheLookups?: number;
}

/** The full exchange, for the lab's request inspector. */
export interface Exchange {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  response: { status: number; headers: Record<string, string>; body: string } | null;
  outcome: Outcome;
  ms: number;
}

/** Parses `Server-Timing: db;dur=1.2;desc="x", cache;dur=0.4` into { db: 1.2, cache: 0.4 }. */
export function parseServerTiming(header: string | string[] | undefined): Record<string, number> | undefined {
  if (!header) return undefined;
  const timings: Record<string, number> = {};
  for (const entry of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim());
    if (!name) continue;
    const dur = params.find((param) => param.startsWith('dur='));
    const value = dur ? Number(dur.slice(4)) : Number.NaN;
    if (Number.isFinite(value)) timings[name] = (timings[name] ?? 0) + value;
  }
  return Object.keys(timings).length ? timings : undefined;
}

/** Keep-alive connections for the load generator; `connections` caps sockets per origin. */
export function createAgent(connections = 256): Agent {
  return new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
}

const describe = (error: unknown) => {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${code}: ${message ?? ''}`.trim() : (message ?? String(error));
};

/**
 * Sends one request and judges it: a success is a 2xx answer, read in full within the
 * timeout, whose GraphQL body (when `spec.graphql`) carries no `errors`.
 */
export async function exchange(
  agent: Agent,
  spec: RequestSpec,
  signal: AbortSignal,
  keepBody = false,
): Promise<Exchange> {
  const headers: Record<string, string> = {
    ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...spec.headers,
  };
  const body = spec.body === undefined ? null : JSON.stringify(spec.body);
  const start = performance.now();
  const done = (response: Exchange['response'], outcome: Outcome): Exchange => ({
    request: { method: spec.method, url: spec.url, headers, body },
    response,
    outcome,
    ms: performance.now() - start,
  });
  try {
    const answer = await request(spec.url, { method: spec.method, headers, body, dispatcher: agent, signal });
    const text = await answer.body.text();
    const serverTiming = parseServerTiming(answer.headers['server-timing']);
    const cache = String(answer.headers['x-cache'] ?? '').toUpperCase();
    const lookups = cache === 'HIT' || cache === 'MISS' ? { cacheHits: cache === 'HIT' ? 1 : 0, cacheLookups: 1 } : {};
    const response = keepBody
      ? {
          status: answer.statusCode,
          headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, String(value)])),
          body: text,
        }
      : null;
    const fail = (kind: ErrorKind, message: string): Exchange =>
      done(response, {
        ok: false,
        serverTiming,
        ...lookups,
        error: { kind, url: spec.url, status: answer.statusCode, message },
      });
    if (answer.statusCode < 200 || answer.statusCode > 299)
      return fail('status', `HTTP ${answer.statusCode}: ${text.slice(0, 300)}`);
    if (spec.graphql) {
      let errors: { message?: string }[] | undefined;
      try {
        errors = (JSON.parse(text) as { errors?: { message?: string }[] }).errors;
      } catch {
        return fail('graphql', `not a GraphQL response: ${text.slice(0, 200)}`);
      }
      if (errors?.length)
        return fail(
          'graphql',
          errors
            .map((error) => error.message)
            .join('; ')
            .slice(0, 300),
        );
    }
    return done(response, { ok: true, serverTiming, ...lookups });
  } catch (error) {
    const kind: ErrorKind = signal.aborted ? 'timeout' : 'network';
    const message = signal.aborted
      ? String(signal.reason instanceof Error ? signal.reason.message : signal.reason)
      : describe(error);
    return done(null, { ok: false, error: { kind, url: spec.url, message } });
  }
}

/** Runs a page's requests in parallel, as a browser would, and judges them as one page load. */
export async function loadPage(agent: Agent, specs: RequestSpec[], signal: AbortSignal): Promise<Outcome> {
  const exchanges = await Promise.all(specs.map((spec) => exchange(agent, spec, signal)));
  const failed = exchanges.find((one) => !one.outcome.ok);
  const serverTiming: Record<string, number> = {};
  for (const { outcome } of exchanges) {
    for (const [name, ms] of Object.entries(outcome.serverTiming ?? {}))
      serverTiming[name] = Math.max(serverTiming[name] ?? 0, ms);
  }
  const sum = (pick: (outcome: Outcome) => number | undefined) =>
    exchanges.reduce((total, one) => total + (pick(one.outcome) ?? 0), 0);
  return {
    ok: !failed,
    ...(failed ? { error: failed.outcome.error! } : {}),
    ...(Object.keys(serverTiming).length ? { serverTiming } : {}),
    cacheHits: sum((outcome) => outcome.cacheHits),
    cacheLookups: sum((outcome) => outcome.cacheLookups),
  };
}
