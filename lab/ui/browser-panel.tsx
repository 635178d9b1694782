// "Page load in a browser": the item page loaded in headless Chromium, SSR against SPA, over
// GraphQL and REST, while the lab offers a background load; a bar per metric and variant.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { CacheMode } from '@supergraph-lab/config/modes';
import { browserChartSvg, chartScaleMax } from '@supergraph-lab/loadtest/browser/chart';
import { variantResult, type BrowserVariant, type VariantResult } from '@supergraph-lab/loadtest/browser/variants';
import { ms } from '@supergraph-lab/loadtest/format';
import {
  api,
  startRun,
  type BrowserBenchReport,
  type BrowserPoint,
  type BrowserRunSettings,
  type LabState,
  type OnMessage,
  type RunStatus,
} from './api.ts';
import { CacheModeSelect, CacheStoreSelect, NumberField, RunProgress, toggled, useCacheStore } from './controls.tsx';

const BACKGROUND_CHOICES = [0, 10, 50, 100, 200];
const METRICS = [
  ['ttfb', 'TTFB'],
  ['fcp', 'FCP'],
  ['lcp', 'LCP'],
  ['itemVisible', 'item visible'],
] as const;

/** Per variant, what its page loads so far add up to. */
function resultsOf(settings: BrowserRunSettings, loads: BrowserPoint[]): VariantResult[] {
  return settings.variants.flatMap((variant) => {
    const mine = loads.filter((point) => point.variant === variant).map((point) => point.load);
    return variantResult(variant, settings.backgroundRate, mine) ?? [];
  });
}

export function BrowserPanel({
  state,
  run,
  loads,
  browserRun,
  onMessage,
}: {
  state: LabState;
  run: RunStatus | null;
  loads: BrowserPoint[];
  browserRun: { id: number; settings: BrowserRunSettings } | null;
  onMessage: OnMessage;
}) {
  const [variants, setVariants] = useState<BrowserVariant[]>(state.variants.map((variant) => variant.name));
  const [backgroundRate, setBackgroundRate] = useState(0);
  const [samples, setSamples] = useState(10);
  const [warm, setWarm] = useState(false);
  const [cacheMode, setCacheMode] = useState<CacheMode>((state.settings.gateway?.cacheMode as CacheMode) ?? 'all');
  const cacheStore = useCacheStore(state);
  const [busy, setBusy] = useState(false);
  const [stored, setStored] = useState<{ id: number; report: BrowserBenchReport } | null>(null);
  const current = run?.settings.kind === 'browser' ? run : null;

  // once a browser run has ended, its stored report has the background load's own numbers too
  // (a run cancelled before its first page load stored none)
  useEffect(() => {
    if (!browserRun || current || !loads.length) return;
    const id = browserRun.id;
    api<BrowserBenchReport>(`/lab/api/runs/${id}`).then(
      (report) => setStored({ id, report }),
      () => undefined,
    );
  }, [browserRun?.id, Boolean(current)]);

  const report = stored && stored.id === browserRun?.id ? stored.report : null;
  const results = useMemo(
    () => (report ? report.results : browserRun ? resultsOf(browserRun.settings, loads) : []),
    [report, loads, browserRun?.id],
  );
  const svg = useMemo(
    () => (browserRun ? browserChartSvg(results, browserRun.settings.backgroundRate, chartScaleMax(results)) : ''),
    [results],
  );
  const label = (name: BrowserVariant) => state.variants.find((variant) => variant.name === name)?.label ?? name;

  async function start(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await startRun(
        { kind: 'browser', variants, backgroundRate, samples, warm, cacheMode, ...cacheStore.asSetting, who: '' },
        onMessage,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="browser-title">
      <h2 id="browser-title">Page load in a browser</h2>
      <p className="hint">
        Loads the item page in headless Chromium, a fresh browser each time unless warm, and reads what a person sees:
        First and Largest Contentful Paint, and when the item's name and price are on the page. Meanwhile the lab offers
        uncached GraphQL page queries in the background, so you can watch each way of building the page degrade.
      </p>
      {state.browserUnavailable ? <p className="warning">{state.browserUnavailable}</p> : null}
      <form onSubmit={start} className="browser-form">
        <fieldset>
          <legend>Variants</legend>
          {state.variants.map((variant) => (
            <label key={variant.name} className="check" title={`GET ${variant.path}`}>
              <input
                type="checkbox"
                name="browser-variant"
                value={variant.name}
                checked={variants.includes(variant.name)}
                onChange={() => setVariants((list) => toggled(list, variant.name))}
              />
              {variant.label}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <label>
            Background load/s{' '}
            <select
              name="background-rate"
              value={backgroundRate}
              onChange={(event) => setBackgroundRate(Number(event.target.value))}
            >
              {BACKGROUND_CHOICES.map((rate) => (
                <option key={rate} value={rate}>
                  {rate}
                </option>
              ))}
            </select>
          </label>
          <NumberField
            label="Samples per variant"
            name="samples"
            min={1}
            max={50}
            value={samples}
            onChange={setSamples}
          />
          <CacheModeSelect name="browser-cache-mode" value={cacheMode} onChange={setCacheMode} />
          <CacheStoreSelect name="browser-cache-store" choice={cacheStore} />
          <label className="check inline">
            <input type="checkbox" name="warm" checked={warm} onChange={() => setWarm(!warm)} /> returning visitor (warm
            cache)
          </label>
        </div>
        <button type="submit" disabled={busy || Boolean(run) || Boolean(state.browserUnavailable)}>
          Start browser run
        </button>
      </form>
      {current ? (
        <>
          <p>
            Run {current.id} by {current.who}: <strong>{current.state}</strong>
            {current.sampling
              ? ` · loading ${label(current.sampling.variant)}, sample ${current.sampling.sample + 1} of ${current.sampling.samples}`
              : ''}
          </p>
          <RunProgress
            run={current}
            label="browser run progress"
            cancelLabel="Cancel browser run"
            onMessage={onMessage}
          />
        </>
      ) : null}
      {browserRun && results.length ? (
        <>
          <figure
            className="browser-chart"
            role="img"
            aria-label={`run ${browserRun.id}: FCP, LCP and item visible per variant, p50 as a bar and p95 as a line`}
            data-loads={results.reduce((sum, result) => sum + result.loads.length, 0)}
            dangerouslySetInnerHTML={{ __html: svg }}
          />
          <div className="scroll">
            <table className="browser-results">
              <caption>
                Run {browserRun.id}
                {current ? ' so far' : ''}: ms from the navigation's start, p50 / p95
                {browserRun.settings.warm ? ', warm cache' : ', cold cache'}, {browserRun.settings.backgroundRate}/s in
                the background, CACHE_MODE {browserRun.settings.cacheMode}
              </caption>
              <thead>
                <tr>
                  <th scope="col">variant</th>
                  <th scope="col">loads</th>
                  {METRICS.map(([metric, name]) => (
                    <th scope="col" key={metric}>
                      {name}
                    </th>
                  ))}
                  <th scope="col">kB</th>
                  <th scope="col">requests</th>
                </tr>
              </thead>
              <tbody>
                {results.map((result) => (
                  <tr key={result.variant}>
                    <th scope="row">{label(result.variant)}</th>
                    <td>{result.loads.length}</td>
                    {METRICS.map(([metric]) => (
                      <td key={metric}>
                        {ms(result.summary[metric].p50)} / {ms(result.summary[metric].p95)}
                      </td>
                    ))}
                    <td>{(result.summary.bytes / 1024).toFixed(1)}</td>
                    <td>{result.summary.requests}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {report?.background
            .filter((entry) => entry.step)
            .map(({ rate, answeredPerSecond, step }) => (
              <p key={rate} className="hint">
                Background {rate}/s offered: {answeredPerSecond.toFixed(1)} answered/s, p50 {ms(step!.latency.p50)} ms,
                p99 {ms(step!.latency.p99)} ms, errors {(step!.errorRate * 100).toFixed(1)}%.
              </p>
            ))}
        </>
      ) : null}
    </section>
  );
}
