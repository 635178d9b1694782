import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
// a step passes when it kept up with p99 < 100 ms and < 1% errors; a row's winner is the passing one with the lowest p99
import { ms as fmt, passes, percent as pct } from '@supergraph-lab/loadtest/format';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { Chart, align } from './chart.tsx';
import {
  api,
  ApiError,
  type CacheView,
  type Inspection,
  type LabEvent,
  type LabState,
  type LivePoint,
  type LoadTestReport,
  type RunStatus,
  type RunSummary,
  type StepResult,
} from './api.ts';

const RATE_CHOICES = [1, 10, 100, 1000];
const CACHE_MODES = ['off', 'entity', 'response', 'all'] as const;

export function LabApp({ initial }: { initial: LabState }) {
  const [state, setState] = useState(initial);
  const [run, setRun] = useState<RunStatus | null>(initial.run);
  const [points, setPoints] = useState<LivePoint[]>(initial.run?.points ?? []);
  const [steps, setSteps] = useState<StepResult[]>(initial.run?.steps ?? []);
  const [lastRun, setLastRun] = useState<RunSummary | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const [history, setHistory] = useState<RunSummary[]>([]);
  const runId = useRef<number | null>(initial.run?.id ?? null);

  const refreshHistory = useCallback(() => {
    api<{ runs: RunSummary[] }>('/lab/api/runs').then(
      (answer) => setHistory(answer.runs),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    refreshHistory();
    const source = new EventSource('/lab/api/events');
    const on = (type: LabEvent['type'], handle: (event: any) => void) =>
      source.addEventListener(type, (message) => handle(JSON.parse((message as MessageEvent).data)));
    on('status', (event: Extract<LabEvent, { type: 'status' }>) => {
      const next = event.run;
      if (!next) {
        runId.current = null;
        setRun(null);
        return;
      }
      // a run seen for the first time brings its points so far (status events later carry none)
      if (runId.current !== next.id) {
        runId.current = next.id;
        setPoints(next.points);
        setSteps(next.steps);
      }
      setRun((previous) => ({
        ...next,
        progress: Math.max(next.progress, previous?.id === next.id ? previous.progress : 0),
      }));
    });
    on('tick', (event: Extract<LabEvent, { type: 'tick' }>) => {
      setPoints((list) => [...list, event.point]);
      setRun((previous) => (previous ? { ...previous, progress: event.progress } : previous));
    });
    on('step', (event: Extract<LabEvent, { type: 'step' }>) => setSteps((list) => [...list, event.step]));
    on('finished', (event: Extract<LabEvent, { type: 'finished' }>) => {
      setLastRun(event.run);
      setMessage({
        kind: event.run.status === 'failed' ? 'error' : 'info',
        text: `Run ${event.run.id} ${event.run.status}${event.run.error ? `: ${event.run.error}` : ''}.`,
      });
      refreshHistory();
      api<LabState>('/lab/api/state').then(setState, () => undefined);
    });
    return () => source.close();
  }, [refreshHistory]);

  return (
    <div className="lab">
      <header className="lab-head">
        <h1>Load lab</h1>
        <nav className="lab-links">
          <a href="/graphql">GraphQL Playground</a>
        </nav>
        <p>
          Pick targets and a cache mode, offer load at fixed rates, and watch each way of serving the item page side by
          side. Runs are measured on this machine by the load tester's open-model engine, in a process of its own.
        </p>
        <StackSettings state={state} />
      </header>
      <div role="status" aria-live="polite" className={`message ${message?.kind ?? ''}`}>
        {message?.text}
      </div>
      <div className="grid">
        <Configure state={state} run={run} onMessage={setMessage} />
        <RunPanel run={run} points={points} targets={state.targets} onMessage={setMessage} />
      </div>
      <Results
        steps={steps}
        title={run ? `Run ${run.id}: results so far` : lastRun ? `Run ${lastRun.id}: results` : 'Results'}
      />
      <History runs={history} />
      <div className="grid">
        <CachePanel onMessage={setMessage} />
        <Inspector targets={state.targets} />
      </div>
    </div>
  );
}

function StackSettings({ state }: { state: LabState }) {
  if (state.settings.error) return <p className="warning">Stack settings unavailable: {state.settings.error}</p>;
  const batching = Object.values(state.settings.subgraphs ?? {}).every((one) => one?.batching !== false);
  return (
    <p className="stack-settings">
      Now: CACHE_MODE <strong>{state.settings.gateway?.cacheMode ?? '?'}</strong> (SSR page cache {state.pageCacheMode}
      ), DataLoader batching <strong>{batching ? 'on' : 'off'}</strong>. A run switches these for its duration and then
      restores them.
    </p>
  );
}

function Configure({
  state,
  run,
  onMessage,
}: {
  state: LabState;
  run: RunStatus | null;
  onMessage: (message: { kind: 'error' | 'info'; text: string }) => void;
}) {
  const [targets, setTargets] = useState<string[]>(['graphql', 'rest', 'ssr']);
  const [rates, setRates] = useState<number[]>([10, 100]);
  const [extraRate, setExtraRate] = useState('');
  const [duration, setDuration] = useState(5);
  const [warmup, setWarmup] = useState(2);
  const [cacheMode, setCacheMode] = useState<(typeof CACHE_MODES)[number]>(
    (state.settings.gateway?.cacheMode as (typeof CACHE_MODES)[number]) ?? 'all',
  );
  const [batching, setBatching] = useState(true);
  const [who, setWho] = useState('');
  const [busy, setBusy] = useState(false);
  const toggle = <T,>(list: T[], value: T) =>
    list.includes(value) ? list.filter((one) => one !== value) : [...list, value];
  const allRates = [...rates, ...(extraRate.trim() ? extraRate.split(',').map((one) => Number(one.trim())) : [])];
  const seconds = targets.length * allRates.length * (duration + warmup);

  async function start(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const answer = await api<{ run: RunStatus }>('/lab/api/runs', {
        method: 'POST',
        body: { targets, rates: allRates, durationSeconds: duration, warmupSeconds: warmup, cacheMode, batching, who },
      });
      onMessage({ kind: 'info', text: `Run ${answer.run.id} started.` });
    } catch (error) {
      const running = error instanceof ApiError ? error.body?.running : undefined;
      onMessage({
        kind: 'error',
        text: running
          ? `Busy: run ${running.id} by ${running.who} is ${running.state} since ${new Date(running.startedAt).toLocaleTimeString()}.`
          : (error as Error).message,
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={start} aria-labelledby="configure-title">
      <h2 id="configure-title">Configure</h2>
      <fieldset>
        <legend>Targets (side by side)</legend>
        {state.targets.map((target) => (
          <label key={target.name} className="check" title={target.description}>
            <input
              type="checkbox"
              name="target"
              value={target.name}
              checked={targets.includes(target.name)}
              onChange={() => setTargets(toggle(targets, target.name))}
            />
            <span className="swatch" style={{ background: colorOf(target.name) }} aria-hidden="true" />
            {target.label}
            {target.write ? <em> (writes)</em> : null}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Rate steps (requests/s)</legend>
        {RATE_CHOICES.map((rate) => (
          <label key={rate} className="check inline">
            <input
              type="checkbox"
              name="rate"
              value={rate}
              checked={rates.includes(rate)}
              onChange={() => setRates(toggle(rates, rate).sort((a, b) => a - b))}
            />
            {rate}
          </label>
        ))}
        <label className="inline">
          more{' '}
          <input
            name="extra-rates"
            value={extraRate}
            onChange={(event) => setExtraRate(event.target.value)}
            placeholder="e.g. 50,500"
            size={10}
          />
        </label>
      </fieldset>
      <div className="row">
        <label>
          Seconds per step{' '}
          <input
            type="number"
            name="duration"
            min={1}
            max={120}
            value={duration}
            onChange={(event) => setDuration(Number(event.target.value))}
          />
        </label>
        <label>
          Warm-up s{' '}
          <input
            type="number"
            name="warmup"
            min={0}
            max={60}
            value={warmup}
            onChange={(event) => setWarmup(Number(event.target.value))}
          />
        </label>
      </div>
      <div className="row">
        <label>
          CACHE_MODE{' '}
          <select
            name="cache-mode"
            value={cacheMode}
            onChange={(event) => setCacheMode(event.target.value as (typeof CACHE_MODES)[number])}
          >
            {CACHE_MODES.map((mode) => (
              <option key={mode}>{mode}</option>
            ))}
          </select>
        </label>
        <label className="check inline">
          <input type="checkbox" name="batching" checked={batching} onChange={() => setBatching(!batching)} />{' '}
          DataLoader batching
        </label>
      </div>
      <label>
        Your name (shown to others while it runs){' '}
        <input name="who" value={who} onChange={(event) => setWho(event.target.value)} maxLength={80} />
      </label>
      <p className="hint">
        {targets.length} target{targets.length === 1 ? '' : 's'} × {allRates.length} rate
        {allRates.length === 1 ? '' : 's'}: about {Math.ceil(seconds / 6) / 10} min.
      </p>
      <button type="submit" disabled={busy || Boolean(run)}>
        Start run
      </button>
      {run ? <p className="hint">A run is in progress; cancel it or wait.</p> : null}
    </form>
  );
}

function RunPanel({
  run,
  points,
  targets,
  onMessage,
}: {
  run: RunStatus | null;
  points: LivePoint[];
  targets: LabState['targets'];
  onMessage: (message: { kind: 'error' | 'info'; text: string }) => void;
}) {
  const shown = run ? targets.filter((target) => run.settings.targets.includes(target.name)) : [];
  const groups = shown.map((target) => points.filter((point) => point.target === target.name));
  const series = shown.map((target) => ({ label: target.label, color: colorOf(target.name) }));
  const rps = useMemo(
    () =>
      align(
        groups,
        (point) => point.t,
        (point) => point.okPerSecond,
      ),
    [points, run?.id],
  );
  const latency = useMemo(
    () =>
      align(
        groups,
        (point) => point.t,
        (point) => point.p99,
      ),
    [points, run?.id],
  );
  const median = useMemo(
    () =>
      align(
        groups,
        (point) => point.t,
        (point) => point.p50,
      ),
    [points, run?.id],
  );
  const errors = shown.map((target) => ({
    target,
    errors: points
      .filter((point) => point.target === target.name)
      .reduce((max, point) => Math.max(max, point.errors), 0),
  }));

  async function cancel() {
    try {
      await api('/lab/api/runs/current/cancel', { method: 'POST' });
    } catch (error) {
      onMessage({ kind: 'error', text: (error as Error).message });
    }
  }

  return (
    <section className="panel" aria-labelledby="run-title">
      <h2 id="run-title">Run</h2>
      {!run ? (
        <p>No run in progress.</p>
      ) : (
        <>
          <p>
            Run {run.id} by {run.who}: <strong>{run.state}</strong>
            {run.phase
              ? ` · ${run.phase.phase === 'warmup' ? 'warming up' : 'measuring'} ${run.phase.target} at ${run.phase.rate}/s (step ${run.phase.stepIndex + 1} of ${run.phase.stepCount})`
              : ''}
          </p>
          <div className="progress-row">
            <progress className="progress" max={1} value={run.progress} aria-label="run progress">
              {Math.round(run.progress * 100)}%
            </progress>
            <span>{Math.round(run.progress * 100)}%</span>
            <button type="button" onClick={cancel} disabled={run.state === 'cancelling'}>
              Cancel
            </button>
          </div>
          <Chart
            title="successful requests per second over time, per target"
            xLabel="seconds"
            yLabel="ok/s"
            series={series}
            data={rps}
            height={180}
          />
          <Chart
            title="p99 latency over time, per target"
            xLabel="seconds"
            yLabel="p99 ms"
            series={series}
            data={latency}
            height={180}
          />
          <Chart
            title="p50 latency over time, per target"
            xLabel="seconds"
            yLabel="p50 ms"
            series={series}
            data={median}
            height={180}
          />
          <table className="compact">
            <caption>Errors so far (current step)</caption>
            <tbody>
              {errors.map(({ target, errors: count }) => (
                <tr key={target.name}>
                  <th scope="row">{target.label}</th>
                  <td className={count ? 'bad' : ''}>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Results({ steps, title }: { steps: StepResult[]; title: string }) {
  if (!steps.length) return null;
  const targets = [...new Set(steps.map((step) => step.target))];
  const rates = [...new Set(steps.map((step) => step.offeredRate))].sort((a, b) => a - b);
  return (
    <section className="panel" aria-labelledby="results-title">
      <h2 id="results-title">{title}</h2>
      <div className="scroll">
        <table className="results">
          <thead>
            <tr>
              <th scope="col">offered/s</th>
              {targets.map((target) => (
                <th scope="col" key={target}>
                  <span className="swatch" style={{ background: colorOf(target) }} aria-hidden="true" /> {target}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rates.map((rate) => {
              const row = targets.map((target) =>
                steps.find((step) => step.target === target && step.offeredRate === rate),
              );
              const winner = row
                .filter((step): step is StepResult => Boolean(step && passes(step)))
                .sort((a, b) => a.latency.p99 - b.latency.p99)[0];
              return (
                <tr key={rate}>
                  <th scope="row">{rate}</th>
                  {row.map((step, i) =>
                    step ? (
                      <td
                        key={targets[i]}
                        className={`${step === winner ? 'winner' : ''} ${passes(step) ? '' : 'bad'}`}
                      >
                        {step === winner ? <strong className="badge">fastest</strong> : null}
                        <div>
                          achieved {step.achievedRate.toFixed(step.achievedRate >= 100 ? 0 : 1)}/s
                          {step.saturated ? ' (saturated)' : ''}
                        </div>
                        <div>
                          p50 {fmt(step.latency.p50)} · p90 {fmt(step.latency.p90)} · p99{' '}
                          <strong>{fmt(step.latency.p99)}</strong> ms
                        </div>
                        <div>
                          errors {pct(step.errorRate)}%
                          {step.cacheHitRatio === null ? '' : ` · cache hits ${pct(step.cacheHitRatio)}%`}
                        </div>
                      </td>
                    ) : (
                      <td key={targets[i]}>-</td>
                    ),
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function History({ runs }: { runs: RunSummary[] }) {
  const [picked, setPicked] = useState<number[]>([]);
  const [reports, setReports] = useState<LoadTestReport[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (picked.length !== 2) {
      setReports([]);
      return;
    }
    Promise.all(picked.map((id) => api<LoadTestReport>(`/lab/api/runs/${id}`))).then(setReports, (failure: Error) =>
      setError(failure.message),
    );
  }, [picked.join(',')]);
  const pick = (id: number) =>
    setPicked((list) => (list.includes(id) ? list.filter((one) => one !== id) : [...list.slice(-1), id]));

  const overlay = useMemo(() => {
    if (reports.length !== 2) return null;
    const series: { label: string; color: string; dash?: number[]; steps: StepResult[] }[] = [];
    reports.forEach((report, index) => {
      const id = picked[index];
      for (const target of [...new Set(report.steps.map((step) => step.target))]) {
        series.push({
          label: `run ${id} ${target}`,
          color: colorOf(target),
          dash: index ? [6, 4] : undefined,
          steps: report.steps.filter((step) => step.target === target),
        });
      }
    });
    return {
      series,
      data: align(
        series.map((one) => one.steps),
        (step) => step.offeredRate,
        (step) => step.latency.p99,
      ),
    };
  }, [reports]);

  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <div className="scroll short">
          <table className="history">
            <thead>
              <tr>
                <th scope="col">compare</th>
                <th scope="col">run</th>
                <th scope="col">started</th>
                <th scope="col">by</th>
                <th scope="col">targets</th>
                <th scope="col">rates</th>
                <th scope="col">cache / batching</th>
                <th scope="col">status</th>
                <th scope="col">export</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`compare run ${run.id}`}
                      checked={picked.includes(run.id)}
                      onChange={() => pick(run.id)}
                      disabled={run.status === 'running' || run.status === 'failed'}
                    />
                  </td>
                  <td>{run.id}</td>
                  <td>{new Date(run.startedAt).toLocaleString()}</td>
                  <td>{run.who}</td>
                  <td>{run.settings.targets.join(', ')}</td>
                  <td>{run.settings.rates.join(', ')}</td>
                  <td>
                    {run.settings.cacheMode} / {run.settings.batching ? 'on' : 'off'}
                  </td>
                  <td title={run.error ?? ''}>{run.status}</td>
                  <td>
                    {run.status === 'done' || run.status === 'cancelled' ? (
                      <>
                        <a href={`/lab/api/runs/${run.id}`} download={`lab-run-${run.id}.json`}>
                          JSON
                        </a>{' '}
                        <a href={`/lab/api/runs/${run.id}/report.html`} target="_blank" rel="noopener">
                          HTML
                        </a>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">Tick two runs to overlay their p99 latency against offered rate (the second run dashed).</p>
      {error ? <p className="warning">{error}</p> : null}
      {overlay ? (
        <Chart
          title={`p99 latency vs offered rate: run ${picked[0]} (solid) against run ${picked[1]} (dashed)`}
          xLabel="offered requests/s"
          yLabel="p99 ms"
          series={overlay.series}
          data={overlay.data}
          xLog
          yLog
          height={260}
        />
      ) : null}
    </section>
  );
}

function CachePanel({ onMessage }: { onMessage: (message: { kind: 'error' | 'info'; text: string }) => void }) {
  const [view, setView] = useState<CacheView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ratios, setRatios] = useState<{ t: number; layer: string; ratio: number | null }[]>([]);
  const last = useRef<CacheView | null>(null);

  const load = useCallback(async () => {
    try {
      const next = await api<CacheView>('/lab/api/cache');
      setError(null);
      setView(next);
      const before = last.current;
      last.current = next;
      if (before) {
        const t = Math.round(Date.parse(next.at) / 1000);
        // hit ratio over the last interval, per layer: from the difference of the counters
        const fresh = Object.entries(next.layers).map(([layer, now]) => {
          const hits = now.hits - (before.layers[layer]?.hits ?? 0);
          const lookups = hits + now.misses - (before.layers[layer]?.misses ?? 0);
          return { t, layer, ratio: lookups > 0 ? (hits / lookups) * 100 : null };
        });
        setRatios((list) => [...list, ...fresh].slice(-300));
      }
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [load]);

  async function flush() {
    try {
      const answer = await api<{ deletedKeys: number }>('/lab/api/cache/flush', { method: 'POST' });
      onMessage({ kind: 'info', text: `Cache flushed: ${answer.deletedKeys} keys removed.` });
      await load();
    } catch (failure) {
      onMessage({ kind: 'error', text: (failure as Error).message });
    }
  }

  const layers = ['response', 'rest', 'entity'];
  const colors: Record<string, string> = { response: '#1f77b4', rest: '#2ca02c', entity: '#e6550d' };
  const data = useMemo(
    () =>
      align(
        layers.map((layer) => ratios.filter((point) => point.layer === layer)),
        (point) => point.t - (ratios[0]?.t ?? 0),
        (point) => point.ratio,
      ),
    [ratios],
  );

  return (
    <section className="panel" aria-labelledby="cache-title">
      <h2 id="cache-title">Cache</h2>
      {error ? <p className="warning">{error}</p> : null}
      {view ? (
        <>
          <p>
            CACHE_MODE <strong>{view.mode}</strong> · store {view.store.kind}
            {view.store.keys !== undefined ? ` (Redis holds ${view.store.keys} keys` : ''}
            {view.store.usedMemory ? `, ${view.store.usedMemory}` : ''}
            {view.store.keys !== undefined ? ')' : ''} ·{' '}
            {Object.entries(view.layers)
              .map(([layer, stats]) => `${layer} ${stats.hitRatio === null ? '-' : `${pct(stats.hitRatio)}%`}`)
              .join(' · ')}{' '}
            hits since start
          </p>
          <button type="button" onClick={flush}>
            Flush cache
          </button>
          <Chart
            title="cache hit ratio over time, per layer"
            xLabel="seconds"
            yLabel="hit %"
            series={layers.map((layer) => ({ label: layer, color: colors[layer]! }))}
            data={data}
            height={160}
          />
          <div className="scroll short">
            <table className="entries">
              <caption>Entries in the cache now (a sample of {view.entries.length})</caption>
              <thead>
                <tr>
                  <th scope="col">key</th>
                  <th scope="col">layer</th>
                  <th scope="col">TTL s</th>
                  <th scope="col">bytes</th>
                </tr>
              </thead>
              <tbody>
                {view.entries.map((entry) => (
                  <tr key={entry.key}>
                    <td className="key">{entry.key}</td>
                    <td>{entry.layer}</td>
                    <td>{entry.ttlMs === null ? 'none' : Math.round(entry.ttlMs / 1000)}</td>
                    <td>{entry.sizeBytes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        !error && <p>Loading…</p>
      )}
    </section>
  );
}

function Inspector({ targets }: { targets: LabState['targets'] }) {
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
            {targets.map((one) => (
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
      {exchange.request.body ? (
        <>
          <h3>Request body</h3>
          <pre>{pretty(exchange.request.body, 'json')}</pre>
        </>
      ) : null}
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
