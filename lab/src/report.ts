// A finished run's report, in the load tester's own formats (its JSON and HTML renderers read
// it): a load run's steps judged against its thresholds, or a browser run's page loads.
import {
  evaluateThresholds,
  machineInfo,
  parseThresholds,
  type BrowserBenchReport,
  type BrowserBenchResult,
  type LoadTestReport,
  type StepResult,
} from '@supergraph-lab/loadtest';
import { FRONT_VARIANTS, scaledVerdict, type LabSettings, type RunStatus, type RunSummary } from './protocol.ts';
import { benchSettings } from './settings.ts';

/** A stored run's report: the load tester's, or the browser bench's. */
export type LabReport = LoadTestReport | BrowserBenchReport;

/** What a run measured: a load run's steps, or a browser run's results; `error` when it failed. */
export interface Outcome {
  steps: StepResult[];
  browser: BrowserBenchResult | null;
  error?: string;
}

/** The step with its verdict against the run's thresholds (as the CLI's --threshold), when it has any. */
export function judged(step: StepResult, settings: LabSettings): StepResult {
  const thresholds = settings.kind === 'load' ? (settings.thresholds ?? []) : [];
  return thresholds.length ? { ...step, thresholds: evaluateThresholds(step, parseThresholds(thresholds)) } : step;
}

/** How the run's report describes it, and what it measured; null when it measured nothing. */
export function buildReport(
  run: { status: RunStatus; state: RunSummary['status']; outcome: Outcome; finishedAt: Date },
  context: { maxItemId: number; timeoutMs: number },
): LabReport | null {
  const { status, state, outcome, finishedAt } = run;
  const { settings } = status;
  const stack = `CACHE_MODE ${settings.cacheMode}${settings.cacheStore ? `, cache store ${settings.cacheStore}` : ''}, DataLoader batching ${settings.batching ? 'on' : 'off'}${state === 'cancelled' ? '; cancelled before the end' : ''}`;
  if (settings.kind === 'browser') {
    if (!outcome.browser?.results.length) return null;
    return {
      title: `supergraph-lab load lab run ${status.id}: the item page in a browser (${stack})`,
      startedAt: status.startedAt,
      finishedAt: finishedAt.toISOString(),
      settings: benchSettings(settings, context.maxItemId),
      machine: machineInfo(),
      ...outcome.browser,
    };
  }
  if (!outcome.steps.length) return null;
  const verdict = scaledVerdict(outcome.steps);
  return {
    title: `supergraph-lab load lab run ${status.id}: ${settings.targets.join(', ')}`,
    startedAt: status.startedAt,
    finishedAt: finishedAt.toISOString(),
    settings: {
      targets: settings.targets,
      rates: settings.rates,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      timeoutMs: context.timeoutMs,
      connections: 256,
      variants: settings.scaledAB ? Object.values(FRONT_VARIANTS) : [],
      notes: [stack, ...(verdict ? [`one gateway against two: ${verdict}`] : [])],
    },
    machine: machineInfo(),
    dataSet: { maxItemId: context.maxItemId },
    steps: outcome.steps,
  };
}
