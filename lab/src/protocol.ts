// The lab's wire types: what its page, its routes, its runner and its worker process say to each other.
import type { BackgroundResult, Endpoints, MetricsSources, RunEvent, StepResult } from '@supergraph-lab/loadtest';
import { sustainedRate } from '@supergraph-lab/loadtest/format';
import { runSeconds } from '@supergraph-lab/loadtest/plan';
import type { BrowserVariant, PageLoad, VariantResult } from '@supergraph-lab/loadtest/browser/variants';
import type { CacheMode, CacheStoreKind } from '@supergraph-lab/config/modes';

interface RunSettingsBase {
  cacheMode: CacheMode;
  batching: boolean;
  /** The cache store for the run, of those configured; unset: the one in use. */
  cacheStore?: CacheStoreKind;
  who: string;
}

/** A load test: targets side by side at fixed rates (the form "Configure"). */
export interface LoadRunSettings extends RunSettingsBase {
  kind: 'load';
  targets: string[];
  rates: number[];
  durationSeconds: number;
  warmupSeconds: number;
  /** The run may use write targets (they add rows at every rate); runs stored before it was asked for lack it. */
  allowWrites?: boolean;
  /** What each step is judged by (`p99<100`, `errors<1%`), as the CLI's --threshold; older runs lack it. */
  thresholds?: string[];
  /**
   * The same steps twice: on one gateway (and SSR) instance, then on two behind the balancer, the
   * stack restarting into each (npm start's supervisor does it); each step's variant says which.
   */
  scaledAB?: boolean;
}

/** Page loads in headless Chromium, per variant, beside a background load (the panel "Page load in a browser"). */
export interface BrowserRunSettings extends RunSettingsBase {
  kind: 'browser';
  variants: BrowserVariant[];
  /** Uncached GraphQL page queries/s offered in the background while sampling; 0: none. */
  backgroundRate: number;
  samples: number;
  /** One browser context per variant (a returning visitor's cache) instead of a fresh one per load. */
  warm: boolean;
}

/** What the lab asks for, validated by `parseLabSettings`. Runs stored before browser runs existed have no kind: they are load runs. */
export type LabSettings = LoadRunSettings | BrowserRunSettings;

/** A run in a line: "graphql, rest at 10, 100/s" or "browser: ssr, spa beside 50/s". */
export const describeRun = (settings: LabSettings) =>
  settings.kind === 'browser'
    ? `browser: ${settings.variants.join(', ')} beside ${settings.backgroundRate}/s`
    : `${settings.targets.join(', ')} at ${settings.rates.join(', ')}/s${settings.scaledAB ? ', one gateway against two' : ''}`;

/** How long a load run takes: its steps, twice for a scaled A/B run (the front's restarts not counted). */
export const labRunSeconds = (
  settings: Pick<LoadRunSettings, 'targets' | 'rates' | 'durationSeconds' | 'warmupSeconds' | 'scaledAB'>,
) => runSeconds(settings) * (settings.scaledAB ? 2 : 1);

/** The variants of a scaled A/B run's steps, in the order it runs them. */
export const FRONT_VARIANTS = { single: '1 gateway', scaled: '2 gateways' } as const;

/**
 * A scaled A/B run's verdict per target: the front that sustained the higher rate (p99 < 100 ms,
 * < 1% errors, the rate kept); when both sustained the same (none, on a saturated machine), the
 * one that answered more requests successfully, summed over the rates both ran. Null when the
 * steps hold no such pair.
 */
export function scaledVerdict(steps: StepResult[]): string | null {
  const lines: string[] = [];
  const perSecond = (value: number) => (value ? `${Math.round(value * 10) / 10}/s` : 'no rate');
  for (const target of [...new Set(steps.map((step) => step.target))]) {
    const of = (variant: string) => steps.filter((step) => step.target === target && step.variant === variant);
    const [single, scaled] = [of(FRONT_VARIANTS.single), of(FRONT_VARIANTS.scaled)];
    if (!single.length || !scaled.length) continue;
    const [one, two] = [sustainedRate(single), sustainedRate(scaled)];
    if (one !== two) {
      const more = two > one ? 'two gateways sustain more' : 'one gateway sustains more';
      lines.push(`${target}: ${more} (${perSecond(two)} with two, ${perSecond(one)} with one)`);
      continue;
    }
    const both = (group: StepResult[], other: StepResult[]) =>
      group.filter((step) => other.some((each) => each.offeredRate === step.offeredRate));
    const answered = (group: StepResult[]) =>
      group.reduce((sum, step) => sum + step.achievedRate * (1 - step.errorRate), 0);
    const [goodOne, goodTwo] = [answered(both(single, scaled)), answered(both(scaled, single))];
    const even = Math.abs(goodTwo - goodOne) <= 0.05 * Math.max(goodOne, goodTwo);
    const which = even
      ? 'about as many answered'
      : goodTwo > goodOne
        ? 'two gateways answered more'
        : 'one gateway answered more';
    lines.push(
      `${target}: ${one ? `both sustain ${perSecond(one)}` : 'neither sustains a rate'}, ${which} ` +
        `(${perSecond(goodTwo)} with two, ${perSecond(goodOne)} with one, summed over the rates)`,
    );
  }
  return lines.length ? lines.join('; ') : null;
}

/** A load run's step in progress in a line: "measuring graphql at 100/s (step 2 of 4)". */
export const describePhase = (phase: NonNullable<RunStatus['phase']>) =>
  `${phase.phase === 'warmup' ? 'warming up' : 'measuring'} ${phase.target} at ${phase.rate}/s (step ${phase.stepIndex + 1} of ${phase.stepCount})`;

/** One point of a live chart: a target's second of load. */
export interface LivePoint {
  /** Seconds since the run started. */
  t: number;
  target: string;
  rate: number;
  phase: 'warmup' | 'measure';
  okPerSecond: number;
  /** Failed answers (and timeouts) in this second. */
  errorsPerSecond: number;
  /** Null when there was no answer, or more than 1% of this second's failed: fast failures are not the server's latency. */
  p50: number | null;
  p99: number | null;
  /** Errors so far in this step. */
  errors: number;
}

/** One page load of a browser run. */
export interface BrowserPoint {
  variant: BrowserVariant;
  sample: number;
  load: PageLoad;
}

/** The run in progress, as the page shows it. */
export interface RunStatus {
  id: number;
  who: string;
  settings: LabSettings;
  startedAt: string;
  state: 'starting' | 'running' | 'cancelling';
  /** 0..1 of the planned time (a load run) or of the planned page loads (a browser run). */
  progress: number;
  phase: { target: string; rate: number; phase: 'warmup' | 'measure'; stepIndex: number; stepCount: number } | null;
  /** A browser run's page load in progress. */
  sampling: { variant: BrowserVariant; sample: number; samples: number } | null;
  points: LivePoint[];
  steps: StepResult[];
  /** A browser run's page loads so far. */
  loads: BrowserPoint[];
}

/** A stored run, as the history lists it. */
export interface RunSummary {
  id: number;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  who: string;
  settings: LabSettings;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** A name given in the lab, or null. */
  label: string | null;
}

export type LabEvent =
  | { type: 'status'; run: RunStatus | null }
  | { type: 'tick'; point: LivePoint; progress: number }
  | { type: 'step'; step: StepResult }
  | { type: 'load'; point: BrowserPoint; progress: number }
  | { type: 'finished'; run: RunSummary };

/** Messages between the lab and its load-generator process. */
export type ToWorker =
  | {
      type: 'start';
      settings: LabSettings;
      endpoints: Endpoints;
      /** Where each service's /metrics is read: every instance's. */
      metrics: MetricsSources;
      maxItemId: number;
      timeoutMs: number;
      /** What this load's steps are a variant of (a scaled A/B run's front), or null. */
      variant: string | null;
    }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'event'; event: RunEvent }
  | { type: 'done'; steps: StepResult[] }
  | { type: 'sampling'; variant: BrowserVariant; sample: number; samples: number }
  | { type: 'load'; point: BrowserPoint }
  | { type: 'browser-done'; results: VariantResult[]; background: BackgroundResult[] }
  | { type: 'failed'; message: string };

/** A target as the lab's form lists it. */
export interface TargetInfo {
  name: string;
  label: string;
  description: string;
  write: boolean;
}

/** A browser variant as the lab's panel lists it. */
export interface VariantInfo {
  name: BrowserVariant;
  label: string;
  path: string;
}

/** What the page starts from (GET /lab/api/state). */
export interface LabState {
  run: RunStatus | null;
  targets: TargetInfo[];
  variants: VariantInfo[];
  /** Why browser runs cannot start here (no Chromium), or null. */
  browserUnavailable: string | null;
  settings: {
    gateway?: { cacheMode: string; cacheStore?: string; cacheStores?: string[] };
    subgraphs?: Record<string, { cacheMode: string; batching: boolean; cacheStore?: string } | null>;
    error?: string;
  };
  pageCacheMode: string;
  /** Where the page links to: the gateway's Playground and the shop, as this lab reaches them. */
  links: { playground: string; shop: string };
  /** What needs a restart to change, as this stack runs: its database and the balancer in front (none without start:scaled). */
  running: { database: string; balancer: string | null };
  /** Why a run cannot restart the stack's front (one gateway against two), or null when it can. */
  frontSwitchUnavailable: string | null;
}

/**
 * The gateway and SSR instances in front of the subgraphs, as npm start runs them: one of each,
 * or two of each behind the balancer (start:scaled's).
 */
export interface Front {
  scaled: boolean;
  /** Where a load reaches the gateway and the SSR service: the instances, or the balancer's shop listener. */
  load: { gateway: string; ssr: string };
  /** Each gateway and SSR instance, where the lab applies a run's settings. */
  instances: { gateway: string; ssr: string }[];
}

/**
 * The lab asks npm start (over the IPC channel it was started with) for the front now, or to
 * switch; and tells it the settings it switched, which npm start gives the processes it starts
 * from then on (an instance or a subgraph started again, a switched front) in their environment:
 * `api` the gateways' and the subgraphs', `pages` the SSR instances'.
 */
export type ToSupervisor =
  | { type: 'front'; id: number; scaled?: boolean }
  | { type: 'settings'; part: 'api' | 'pages'; cacheMode?: CacheMode; batching?: boolean };
export type FromSupervisor =
  { type: 'front'; id: number; front: Front } | { type: 'front-failed'; id: number; message: string };

/** A target of the architecture comparison: the stack's gateway, the monolith or a peer gateway. */
export interface ArchitectureChoice {
  target: string;
  label: string;
  /** What it lacks of the project's gateway ('' for the stack's gateway and the monolith). */
  lacks: string;
  /** Why it cannot run here, or null. */
  unavailable: string | null;
}

/** One target's closed loop of item pages. */
export interface ArchitectureRow {
  target: string;
  label: string;
  lacks: string;
  pagesPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError: string | null;
  /** CPU ms per page of the gateway process (null for the monolith, which has none). */
  gatewayCpuMsPerPage: number | null;
  /** CPU ms per page of everything that served it: gateway and subgraphs, or the monolith; null when unreadable. */
  cpuMsPerPage: number | null;
}

/** A comparison's result (the stack's caches are off while it runs, then restored). */
export interface ArchitectureComparison {
  seconds: number;
  connections: number;
  maxItemId: number;
  rows: ArchitectureRow[];
  /** One line per target, against the stack's gateway. */
  verdict: string[];
}

/** A comparison under way, or the last one's result or error. */
export interface ComparisonState {
  running: boolean;
  result: ArchitectureComparison | null;
  error: string | null;
}

/** `GET /lab/api/architectures`: what can be compared, Apollo's query plan for the item page, the comparison. */
export interface ArchitectureState {
  choices: ArchitectureChoice[];
  queryPlan: string;
  comparison: ComparisonState;
}
