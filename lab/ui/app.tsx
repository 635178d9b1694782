// The load lab's page: its panels, each in a file of its own, fed by one event stream (useLabEvents).
import { describePhase, describeRun } from '../src/protocol.ts';
import type { LabState, RunStatus } from './api.ts';
import { ArchitecturePanel } from './architecture-panel.tsx';
import { BrowserPanel } from './browser-panel.tsx';
import { CachePanel } from './cache-panel.tsx';
import { Configure } from './configure.tsx';
import { History } from './history.tsx';
import { Inspector } from './inspector.tsx';
import { RunPanel } from './run-panel.tsx';
import { useLabEvents } from './use-lab-events.ts';

export function LabApp({ initial }: { initial: LabState }) {
  const { state, run, points, steps, loads, browserRun, loadRun, message, setMessage, history, refreshHistory } =
    useLabEvents(initial);

  return (
    <div className="lab">
      <header className="lab-head">
        <h1>Load lab</h1>
        <nav className="lab-links">
          <a href={state.links.shop}>The shop</a> · <a href={state.links.playground}>GraphQL Playground</a>
        </nav>
        <p>
          Pick targets and a cache mode, offer load at fixed rates, and watch each way of serving the item page side by
          side; or load the page in headless Chromium, server-rendered and as a single-page app, beside a background
          load. Runs are measured on this machine, one at a time, in a process of their own.
        </p>
        <StackSettings state={state} run={run} />
      </header>
      <div role="status" aria-live="polite" className={`message ${message?.kind ?? ''}`}>
        {message?.text}
      </div>
      <div className="grid">
        <Configure state={state} run={run} onMessage={setMessage} />
        <RunPanel
          run={run}
          loadRun={loadRun}
          points={points}
          steps={steps}
          targets={state.targets}
          onMessage={setMessage}
        />
      </div>
      <BrowserPanel state={state} run={run} loads={loads} browserRun={browserRun} onMessage={setMessage} />
      <ArchitecturePanel onMessage={setMessage} />
      <History runs={history} onChanged={refreshHistory} onMessage={setMessage} />
      <div className="grid">
        <CachePanel onMessage={setMessage} />
        <Inspector targets={state.targets} />
      </div>
    </div>
  );
}

function StackSettings({ state, run }: { state: LabState; run: RunStatus | null }) {
  const restart = (
    <>
      Running on <strong>{state.running.database}</strong>
      {state.running.balancer ? (
        <>
          {' '}
          behind <strong>{state.running.balancer}</strong>
        </>
      ) : (
        ', no balancer'
      )}{' '}
      (these take a restart: <code>DATABASE_URL</code>, <code>start:scaled -- --balancer</code>).
    </>
  );
  // during a run the stack runs on the run's settings, switched at its start and restored at its end
  if (run) {
    const { settings } = run;
    const doing =
      settings.kind === 'browser'
        ? `loading ${settings.variants.join(', ')} in a browser beside ${settings.backgroundRate}/s`
        : run.phase
          ? `${describePhase(run.phase)} of ${describeRun(settings)}`
          : `starting ${describeRun(settings)}`;
    return (
      <p className="stack-settings" data-testid="now">
        Now, for run {run.id}: CACHE_MODE <strong>{settings.cacheMode}</strong>
        {settings.cacheStore ? (
          <>
            {' '}
            on <strong>{settings.cacheStore}</strong>
          </>
        ) : null}
        , DataLoader batching <strong>{settings.batching ? 'on' : 'off'}</strong>; {doing}. Restored when it ends.{' '}
        {restart}
      </p>
    );
  }
  if (state.settings.error) return <p className="warning">Stack settings unavailable: {state.settings.error}</p>;
  const batching = Object.values(state.settings.subgraphs ?? {}).every((one) => one?.batching !== false);
  const gateway = state.settings.gateway;
  return (
    <p className="stack-settings" data-testid="now">
      Now: CACHE_MODE <strong>{state.settings.gateway?.cacheMode ?? '?'}</strong> (SSR page cache {state.pageCacheMode})
      {gateway?.cacheStore ? (
        <>
          {' '}
          on <strong>{gateway.cacheStore}</strong>
          {(gateway.cacheStores?.length ?? 0) > 1 ? ` (of ${gateway.cacheStores!.join(', ')})` : ''}
        </>
      ) : null}
      , DataLoader batching <strong>{batching ? 'on' : 'off'}</strong>. A run switches these for its duration and then
      restores them. {restart}
    </p>
  );
}
