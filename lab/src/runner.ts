// The lab's runs, one at a time, each in a worker process of its own: started, followed second by
// second (events for the page), cancelled, and recorded in the run store with its report.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { bundleFile } from '@supergraph-lab/config';
import { AppError } from '@supergraph-lab/http';
import {
  browserUnavailable,
  discoverMaxItemId,
  type Endpoints,
  type MetricsSources,
  type RunEvent,
  type StepResult,
} from '@supergraph-lab/loadtest';
import { overErrorBar, seriesName } from '@supergraph-lab/loadtest/format';
import {
  describeRun,
  FRONT_VARIANTS,
  labRunSeconds,
  type BrowserPoint,
  type FromWorker,
  type LabEvent,
  type LabSettings,
  type LivePoint,
  type LoadRunSettings,
  type RunStatus,
  type RunSummary,
  type ToWorker,
} from './protocol.ts';
import { NO_SUPERVISOR, type FrontSwitch } from './front.ts';
import { buildReport, judged, type LabReport, type Outcome } from './report.ts';
import { plannedLoads } from './settings.ts';
import type { SwitchHow } from './stack.ts';
import type { RunStore } from './store.ts';

/**
 * A cancel that the worker does not honour within this long ends it by force. A browser run
 * closes Chromium first, which takes longer than a load generator's stop.
 */
const CANCEL_GRACE_MS = { load: 800, browser: 3000 } as const;

/**
 * The run's child process: worker.ts under tsx, or compiled (npm run build), the worker's own
 * bundle under plain node; a bundle's URL ends in .js.
 */
const COMPILED = import.meta.url.endsWith('.js');
const WORKER = COMPILED
  ? path.resolve(import.meta.dirname, '../..', bundleFile('lab-worker'))
  : path.join(import.meta.dirname, 'worker.ts');
const WORKER_EXEC_ARGV = COMPILED ? [] : ['--import', 'tsx'];

/** Switches the stack's cache mode, store and batching (the gateway passes it on to the subgraphs); resolves to what was set before. */
export type ApplySettings = (
  settings: Pick<LabSettings, 'cacheMode' | 'batching' | 'cacheStore'>,
  how?: SwitchHow,
) => Promise<Required<Pick<LabSettings, 'cacheMode' | 'batching' | 'cacheStore'>>>;

export interface LabRunnerOptions {
  endpoints: Endpoints;
  /** Where runs are kept. */
  store: RunStore;
  /** The switches on every gateway and SSR instance running when called. */
  applySettings: ApplySettings;
  /** Where each service's /metrics is read now: every instance's (stack.ts). */
  metricsSources: () => Promise<MetricsSources>;
  /** npm start's switch of the front, for scaled A/B runs; null when the lab runs otherwise. */
  front: FrontSwitch | null;
  timeoutMs: number;
  log: { info(object: object, message: string): void; warn(object: object, message: string): void };
}

/** The answer to a second start while a run is going. */
export class BusyError extends AppError {
  constructor(readonly run: RunStatus) {
    super(
      'CONFLICT',
      `busy: run ${run.id} by ${run.who} is ${run.state} (${describeRun(run.settings)}, started ${run.startedAt}); cancel it or wait`,
    );
  }
}

/**
 * Runs one run at a time in a child process: a load test on the load tester's engine, or page
 * loads in headless Chromium on the browser bench. Tells its subscribers what happens every
 * second (every page load, for a browser run). Finished runs are stored with their report.
 */
export class LabRunner {
  private current: {
    status: RunStatus;
    worker: ChildProcess | null;
    restore: Awaited<ReturnType<ApplySettings>> | null;
    maxItemId: number;
    /** The variant the worker's steps are measured as (a scaled A/B run's front), or null. */
    variant: string | null;
    finished: Promise<void>;
  } | null = null;
  private readonly subscribers = new Set<(event: LabEvent) => void>();

  constructor(private readonly options: LabRunnerOptions) {}

  /** Receives every event until the returned function is called. */
  subscribe(listener: (event: LabEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  status(): RunStatus | null {
    return this.current?.status ?? null;
  }

  private emit(event: LabEvent): void {
    for (const listener of this.subscribers) listener(event);
  }

  /** Starts a run, or throws BusyError naming the one in progress. Resolves once it is running. */
  async start(settings: LabSettings): Promise<RunStatus> {
    if (this.current) throw new BusyError(this.current.status);
    const unavailable = settings.kind === 'browser' ? browserUnavailable() : null;
    if (unavailable) throw new AppError('SERVICE_UNAVAILABLE', `a browser run needs Chromium: ${unavailable}`);
    const front = settings.kind === 'load' && settings.scaledAB ? this.options.front : null;
    if (settings.kind === 'load' && settings.scaledAB && !front)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `one gateway against two needs a restart of the stack: ${NO_SUPERVISOR}`,
      );
    const startedAt = new Date();
    const status: RunStatus = {
      id: 0,
      who: settings.who,
      settings,
      startedAt: startedAt.toISOString(),
      state: 'starting',
      progress: 0,
      phase: null,
      sampling: null,
      points: [],
      steps: [],
      loads: [],
    };
    let settle!: () => void;
    this.current = {
      status,
      worker: null,
      restore: null,
      maxItemId: 0,
      variant: null,
      finished: new Promise((resolve) => (settle = resolve)),
    };
    try {
      status.id = await this.options.store.create({
        status: 'running',
        who: settings.who,
        settings,
        startedAt: status.startedAt,
        finishedAt: null,
        error: null,
        label: null,
      });
      this.emit({ type: 'status', run: status });
      this.current.maxItemId = await discoverMaxItemId(this.options.endpoints.gateway);
      this.current.restore = await this.options.applySettings({
        cacheMode: settings.cacheMode,
        batching: settings.batching,
        ...(settings.cacheStore ? { cacheStore: settings.cacheStore } : {}),
      });
      // the run's settings say which store it ran on, asked for or not
      settings.cacheStore ??= this.current.restore.cacheStore;
      if (this.current.status.state === 'cancelling') throw new Error('cancelled before it started');
    } catch (error) {
      await this.finish('failed', { steps: [], browser: null, error: (error as Error).message });
      settle();
      throw error instanceof AppError
        ? error
        : new AppError('SERVICE_UNAVAILABLE', `the run could not start: ${(error as Error).message}`);
    }
    status.state = 'running';
    const planned = settings.kind === 'browser' ? plannedLoads(settings) : labRunSeconds(settings);
    const started = performance.now();
    const run = front
      ? this.runScaledAB(settings as LoadRunSettings, front, { planned, started })
      : this.runWorker(settings, this.options.endpoints, null, { planned, started });
    void run
      .then((outcome) =>
        this.finish(status.state === 'cancelling' ? 'cancelled' : outcome.error ? 'failed' : 'done', outcome),
      )
      .finally(settle);
    this.options.log.info({ run: status.id, who: settings.who, run_of: describeRun(settings) }, 'lab run started');
    this.emit({ type: 'status', run: status });
    return status;
  }

  /**
   * One load (or browser run) in the worker process against `endpoints`, its steps marked as
   * `variant`; resolves with what it measured once the worker has exited.
   */
  private async runWorker(
    settings: LabSettings,
    endpoints: Endpoints,
    variant: string | null,
    clock: { planned: number; started: number },
  ): Promise<Outcome> {
    // every instance's counters; unasked (no answer from npm start), the endpoints', whose
    // figures come out null rather than wrong if a balancer answers from another instance
    const metrics = await this.options.metricsSources().catch(() => endpoints);
    const current = this.current!;
    const { status } = current;
    const stepsBefore = status.steps.length;
    const worker = fork(WORKER, [], { execArgv: WORKER_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    current.worker = worker;
    current.variant = variant;
    let outcome: Outcome | null = null;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'event') this.onRunEvent(message.event, clock.planned, clock.started);
      else if (message.type === 'sampling') {
        status.sampling = { variant: message.variant, sample: message.sample, samples: message.samples };
        this.emit({ type: 'status', run: this.brief(status) });
      } else if (message.type === 'load') this.onLoad(message.point, clock.planned);
      else if (message.type === 'done')
        outcome = { steps: message.steps.map((step) => judged(step, settings)), browser: null };
      else if (message.type === 'browser-done')
        outcome = { steps: [], browser: { results: message.results, background: message.background } };
      else outcome = { steps: status.steps.slice(stepsBefore), browser: null, error: message.message };
    });
    const exited = new Promise<Outcome>((resolve) =>
      worker.once('exit', (code, signal) =>
        resolve(
          outcome ?? {
            steps: status.steps.slice(stepsBefore),
            browser: null,
            error: status.state === 'cancelling' ? undefined : `the run's worker process exited (${signal ?? code})`,
          },
        ),
      ),
    );
    worker.send({
      type: 'start',
      settings,
      endpoints,
      metrics,
      maxItemId: current.maxItemId,
      timeoutMs: this.options.timeoutMs,
      variant,
    } satisfies ToWorker);
    return exited;
  }

  /**
   * A scaled A/B run: the load on one gateway and SSR instance, then on two of each behind the
   * balancer, npm start restarting the front into each (the run's settings applied to every
   * instance), then back to the front that ran before.
   */
  private async runScaledAB(
    settings: LoadRunSettings,
    front: FrontSwitch,
    clock: { planned: number; started: number },
  ): Promise<Outcome> {
    const status = this.current!.status;
    const steps: StepResult[] = [];
    let error: string | undefined;
    const initial = await front.switchTo().catch((failure: Error) => failure);
    if (initial instanceof Error) return { steps, browser: null, error: initial.message };
    try {
      for (const [scaled, variant] of [
        [false, FRONT_VARIANTS.single],
        [true, FRONT_VARIANTS.scaled],
      ] as const) {
        if (status.state === 'cancelling') break;
        const now = await front.switchTo(scaled);
        await this.options.applySettings({
          cacheMode: settings.cacheMode,
          batching: settings.batching,
          cacheStore: settings.cacheStore,
        });
        const outcome = await this.runWorker(settings, { ...this.options.endpoints, ...now.load }, variant, clock);
        steps.push(...outcome.steps);
        error = outcome.error;
        if (error) break;
      }
    } catch (failure) {
      error = (failure as Error).message;
    } finally {
      await front.switchTo(initial.scaled).catch((failure: Error) => (error ??= failure.message));
    }
    return { steps, browser: null, error };
  }

  private onRunEvent(event: RunEvent, planned: number, started: number): void {
    const status = this.current?.status;
    if (!status) return;
    if (event.type === 'phase') {
      status.phase = {
        target: event.target,
        rate: event.rate,
        phase: event.phase,
        stepIndex: event.stepIndex,
        stepCount: event.stepCount,
      };
      this.emit({ type: 'status', run: this.brief(status) });
    } else if (event.type === 'tick') {
      const { tick } = event;
      const failing = overErrorBar(tick.recentErrors, tick.recentCompleted);
      const latency = (value: number) => (failing || Number.isNaN(value) ? null : value);
      const variant = this.current?.variant;
      const point: LivePoint = {
        t: Math.round((performance.now() - started) / 100) / 10,
        // a scaled A/B run's two loads are two series
        target: variant ? seriesName({ target: event.target, variant }) : event.target,
        rate: event.rate,
        phase: event.phase,
        okPerSecond: tick.rate,
        errorsPerSecond: tick.recentErrors,
        p50: latency(tick.p50),
        p99: latency(tick.p99),
        errors: tick.errors,
      };
      status.points.push(point);
      status.progress = Math.min(0.999, (performance.now() - started) / 1000 / planned);
      this.emit({ type: 'tick', point, progress: status.progress });
    } else {
      const step = judged(event.step, status.settings);
      status.steps.push(step);
      this.emit({ type: 'step', step });
    }
  }

  /** A browser run's page load: kept for late subscribers, and passed on. */
  private onLoad(point: BrowserPoint, planned: number): void {
    const status = this.current?.status;
    if (!status) return;
    status.loads.push(point);
    status.progress = Math.min(0.999, status.loads.length / planned);
    this.emit({ type: 'load', point, progress: status.progress });
  }

  /** The status without its series: status events carry the state, the series come as ticks, steps and loads. */
  private brief(status: RunStatus): RunStatus {
    return { ...status, points: [], steps: [], loads: [] };
  }

  /** Asks the run to stop; it ends (keeping the steps measured so far) within a second. */
  async cancel(): Promise<boolean> {
    const current = this.current;
    if (!current) return false;
    current.status.state = 'cancelling';
    this.emit({ type: 'status', run: this.brief(current.status) });
    const worker = current.worker;
    if (worker && worker.exitCode === null && worker.connected) {
      worker.send({ type: 'cancel' } satisfies ToWorker);
      const force = setTimeout(() => worker.kill('SIGKILL'), CANCEL_GRACE_MS[current.status.settings.kind]);
      await current.finished;
      clearTimeout(force);
    } else {
      await current.finished;
    }
    return true;
  }

  /** Stops any run (service shutdown). */
  async close(): Promise<void> {
    await this.cancel();
  }

  private async finish(state: RunSummary['status'], outcome: Outcome): Promise<void> {
    const error = outcome.error ?? null;
    const current = this.current;
    if (!current) return;
    const { status } = current;
    const finishedAt = new Date();
    const report = buildReport(
      { status, state, outcome, finishedAt },
      { maxItemId: current.maxItemId, timeoutMs: this.options.timeoutMs },
    );
    try {
      if (current.restore) await this.options.applySettings(current.restore, { restoring: true });
    } catch (restoreError) {
      this.options.log.warn({ err: restoreError }, 'could not restore the cache mode and batching after a lab run');
    }
    const summary: RunSummary = {
      id: status.id,
      status: state,
      who: status.who,
      settings: status.settings,
      startedAt: status.startedAt,
      finishedAt: finishedAt.toISOString(),
      error,
      // a running run cannot be labelled (label refuses it)
      label: null,
    };
    try {
      await this.options.store.finish(summary, report);
    } catch (storeError) {
      this.options.log.warn({ err: storeError }, 'could not store the lab run');
    }
    this.current = null;
    this.options.log.info({ run: status.id, state, error }, 'lab run finished');
    this.emit({ type: 'finished', run: summary });
    this.emit({ type: 'status', run: null });
  }

  /** The newest runs first. */
  history(limit = 50): Promise<RunSummary[]> {
    return this.options.store.list(limit);
  }

  /** Refuses to change the run in progress: its record is written again when it ends. */
  private refuseCurrent(id: number, what: string): void {
    if (this.current?.status.id === id)
      throw new AppError('CONFLICT', `run ${id} is in progress: ${what} it once it has ended`);
  }

  /** Gives a finished run a name (null removes it); the run as the history lists it, or null when there is no such run. */
  async label(id: number, label: string | null): Promise<RunSummary | null> {
    this.refuseCurrent(id, 'label');
    return this.options.store.label(id, label);
  }

  /** Deletes a finished run and its report; false when there is no such run. */
  async remove(id: number): Promise<boolean> {
    this.refuseCurrent(id, 'delete');
    return this.options.store.remove(id);
  }

  /** A stored run's report, or null when there is no such run (or it has no steps). */
  report(id: number): Promise<LabReport | null> {
    return this.options.store.report(id);
  }
}
