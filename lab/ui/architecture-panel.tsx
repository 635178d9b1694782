// Architecture as an A/B switch: the item page's GraphQL query through the stack's gateway, the
// monolith and each peer gateway, side by side (pages/s, latency, CPU per page, the verdict), and
// Apollo's query plan for the page, so the hops a gateway adds are there to read.
import { useCallback, useEffect, useState } from 'react';
import type { ArchitectureState } from '../src/protocol.ts';
import { api, type OnMessage } from './api.ts';

const ms = (value: number | null) => (value === null ? '—' : value.toFixed(2));

export function ArchitecturePanel({ onMessage }: { onMessage: OnMessage }) {
  const [state, setState] = useState<ArchitectureState | null>(null);
  const [seconds, setSeconds] = useState(5);
  const [connections, setConnections] = useState(16);

  const load = useCallback(async () => {
    try {
      setState(await api<ArchitectureState>('/lab/api/architectures'));
    } catch (failure) {
      onMessage({ kind: 'error', text: (failure as Error).message });
    }
  }, [onMessage]);
  useEffect(() => {
    void load();
  }, [load]);
  // while a comparison runs, ask how it goes every second
  useEffect(() => {
    if (!state?.comparison.running) return;
    const timer = setInterval(load, 1000);
    return () => clearInterval(timer);
  }, [state?.comparison.running, load]);

  async function compare() {
    try {
      await api('/lab/api/architectures/compare', { method: 'POST', body: { seconds, connections } });
      onMessage({ kind: 'info', text: 'Comparing architectures: each target in turn.' });
      await load();
    } catch (failure) {
      onMessage({ kind: 'error', text: (failure as Error).message });
    }
  }

  if (!state) return <section className="panel">Architectures: loading…</section>;
  const { result, running, error } = state.comparison;
  return (
    <section className="panel" aria-labelledby="architecture-title" data-testid="architectures">
      <h2 id="architecture-title">Architecture: federated or not, and which gateway</h2>
      <p>
        The item page's GraphQL query through the stack's gateway, the monolith (the same API from the three subgraphs'
        modules in one process: no gateway, no hops) and each peer gateway over the same subgraphs, caches off, one
        after another. The lab starts the monolith and the peers itself on first use.
      </p>
      <ul>
        {state.choices.map((choice) => (
          <li key={choice.target}>
            <strong>{choice.label}</strong>
            {choice.unavailable ? ` — cannot run here: ${choice.unavailable}` : ''}
            {choice.lacks ? ` — lacks ${choice.lacks}` : ''}
          </li>
        ))}
      </ul>
      <label>
        seconds each{' '}
        <input type="number" min={1} max={60} value={seconds} onChange={(e) => setSeconds(Number(e.target.value))} />
      </label>{' '}
      <label>
        connections{' '}
        <input
          type="number"
          min={1}
          max={64}
          value={connections}
          onChange={(e) => setConnections(Number(e.target.value))}
        />
      </label>{' '}
      <button type="button" disabled={running} onClick={compare}>
        {running ? 'Comparing…' : 'Compare'}
      </button>
      {error ? <p className="warning">The comparison failed: {error}</p> : null}
      {result ? (
        <>
          <table>
            <thead>
              <tr>
                <th>target</th>
                <th>pages/s</th>
                <th>p50 ms</th>
                <th>p99 ms</th>
                <th>errors</th>
                <th>gateway CPU ms/page</th>
                <th>all services CPU ms/page</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row) => (
                <tr key={row.target}>
                  <td>{row.label}</td>
                  <td>{row.pagesPerSecond.toFixed(0)}</td>
                  <td>{row.p50.toFixed(1)}</td>
                  <td>{row.p99.toFixed(1)}</td>
                  <td>{row.errors}</td>
                  <td>{ms(row.gatewayCpuMsPerPage)}</td>
                  <td>{ms(row.cpuMsPerPage)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Verdict ({result.seconds} s each, {result.connections} connections):
          </p>
          <ul data-testid="verdict">
            {result.verdict.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>The page's query plan (Apollo's): the hops a gateway adds</h3>
      <pre data-testid="query-plan">{state.queryPlan}</pre>
    </section>
  );
}
