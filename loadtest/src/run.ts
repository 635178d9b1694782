import os from 'node:os';
import { request } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, loadPage, type Outcome } from './http.ts';
import { mechanismBetween, readCounters, type MetricsSources } from './mechanism.ts';
import { runStep, type StepMeasurement, type Tick } from './step.ts';
import { itemIds, targetNamed, type Endpoints, type Target } from './targets.ts';
import type { ThresholdResult } from './thresholds.ts';

/** One step of a run: a target at one rate, under one variant of the stack (e.g. "cache all"). */
export interface StepResult extends StepMeasurement {
  target: string;
  variant: string | null;
  /** How the step fared against the run's thresholds (the CLI's --threshold), when it had any. */
  thresholds?: ThresholdResult[];
}

/** What a run was asked to do. */
export interface RunSettings {
  targets: string[];
  rates: number[];
  durationSeconds: number;
  warmupSeconds: number;
  timeoutMs: number;
  connections: number;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

/** Everything a report is made from (also the JSON file's shape). */
export interface LoadTestReport {
  title: string;
  startedAt: string;
  finishedAt: string;
  settings: RunSettings & { variants: string[]; notes?: string[]; thresholds?: string[] };
  machine: MachineInfo;
  dataSet: { maxItemId: number; items?: number };
  steps: StepResult[];
}

export type RunEvent =
  | {
      type: 'phase';
      target: string;
      variant: string | null;
      rate: number;
      phase: 'warmup' | 'measure';
      stepIndex: number;
      stepCount: number;
    }
  | { type: 'tick'; target: string; variant: string | null; rate: number; phase: 'warmup' | 'measure'; tick: Tick }
  | { type: 'step'; step: StepResult };

export interface RunOptions extends RunSettings {
  endpoints: Endpoints;
  maxItemId: number;
  variant?: string | null;
  /** `target` (default): each target through every rate; `rate`: every target at each rate in turn. */
  order?: 'target' | 'rate';
  /**
   * After a saturated step, wait until pages answer fast again before the next one. Off by
   * default: the services drop the work of requests the client gave up on (docs/hardening.md, "Abandoned
   * work"), so a saturated step does not slow the next; a guard for a stack that does not.
   */
  settle?: boolean;
  /**
   * Read every service's /metrics right before and after each measured step, for the step's
   * `mechanism` (statements, fetches, CPU per request). On by default; off, `mechanism` is null.
   */
  mechanism?: boolean;
  /** Where each service's own /metrics answers (every instance's), when `endpoints` reach some through a balancer; default `endpoints`. */
  metricsEndpoints?: MetricsSources;
  signal?: AbortSignal;
  onEvent?(event: RunEvent): void;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The newest item's id, read from the gateway's REST list (newest first). */
export async function discoverMaxItemId(gatewayUrl: string): Promise<number> {
  let answer;
  try {
    answer = await request(`${gatewayUrl}/api/items?first=1`, { headersTimeout: 5000, bodyTimeout: 5000 });
  } catch (error) {
    throw new Error(
      `cannot reach the gateway at ${gatewayUrl} (${(error as { code?: string }).code ?? (error as Error).message}): is the stack running (npm start)?`,
    );
  }
  const body = (await answer.body.json()) as { items?: { id: number }[] };
  const id = body.items?.[0]?.id;
  if (answer.statusCode !== 200 || !id)
    throw new Error(
      `the gateway at ${gatewayUrl} lists no items (HTTP ${answer.statusCode}): seed the database first (npm run db:seed)`,
    );
  return Number(id);
}

/**
 * After a saturated step, a stack that keeps working for requests the client gave up on is
 * still busy. Waits (up to 30 s) until three page loads in a row answer within 250 ms, or
 * `signal` aborts.
 */
async function settle(
  send: (signal: AbortSignal) => Promise<Outcome>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const until = performance.now() + 30_000;
  let fast = 0;
  while (fast < 3 && performance.now() < until && !signal?.aborted) {
    const started = performance.now();
    const outcome = await send(AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]));
    fast = outcome.ok && performance.now() - started < 250 ? fast + 1 : 0;
    if (fast < 3) await sleep(fast ? 50 : 250);
  }
}

/**
 * Runs every target at every rate in turn: a warm-up at the step's rate (discarded), then the
 * measured step. Stops early, keeping what was measured, when `signal` aborts.
 */
export async function runLoadTest(options: RunOptions): Promise<StepResult[]> {
  const agent = createAgent(options.connections);
  const nextId = itemIds(options.maxItemId);
  const variant = options.variant ?? null;
  const counted = options.mechanism === false ? null : (options.metricsEndpoints ?? options.endpoints);
  const steps: StepResult[] = [];
  let sequence = Math.floor(Math.random() * 1e9);
  const senders = new Map(
    options.targets.map((name) => {
      const target = targetNamed(name);
      return [
        name,
        (signal: AbortSignal) => loadPage(agent, target.requests(options.endpoints, nextId(), sequence++), signal),
      ] as const;
    }),
  );
  // target by target (each through every rate), or rate by rate (every target at each rate: side by side)
  const plan =
    options.order === 'rate'
      ? options.rates.flatMap((rate) => options.targets.map((target) => ({ target, rate })))
      : options.targets.flatMap((target) => options.rates.map((rate) => ({ target, rate })));
  let backlog = false;
  try {
    for (const [stepIndex, { target, rate }] of plan.entries()) {
      if (options.signal?.aborted) break;
      const send = senders.get(target)!;
      const common = { target, variant, rate };
      if (backlog && options.settle) await settle(send, options.timeoutMs, options.signal);
      for (const phase of options.warmupSeconds > 0 ? (['warmup', 'measure'] as const) : (['measure'] as const)) {
        if (options.signal?.aborted) break;
        options.onEvent?.({ type: 'phase', ...common, phase, stepIndex, stepCount: plan.length });
        const counters = phase === 'measure' && counted ? await readCounters(counted) : null;
        const measured = await runStep({
          rate,
          durationSeconds: phase === 'warmup' ? options.warmupSeconds : options.durationSeconds,
          timeoutMs: options.timeoutMs,
          send,
          signal: options.signal,
          onTick: (tick) => options.onEvent?.({ type: 'tick', ...common, phase, tick }),
        });
        if (phase === 'warmup') continue;
        const mechanism =
          counters && counted ? mechanismBetween(counters, await readCounters(counted), measured.ok) : null;
        const step = { target, variant, ...measured, mechanism };
        steps.push(step);
        options.onEvent?.({ type: 'step', step });
        backlog = step.saturated;
      }
    }
    return steps;
  } finally {
    await agent.close();
  }
}

/**
 * Requests the item page query once for each of `ids` (a closed loop of `concurrency`), so the
 * caches hold the hot set before anything is measured. Returns how many answered ok.
 */
export function primeCaches(options: {
  endpoints: Endpoints;
  ids: number[];
  concurrency?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<number> {
  return loadPages({ ...options, target: targetNamed('graphql') });
}

/**
 * Loads `target`'s page once for each of `ids`, `concurrency` at a time (a closed loop): how the
 * caches are primed, and how services are warmed before a measured run (a freshly started Node
 * process runs its code unoptimised for its first thousands of requests). Returns how many answered ok.
 */
export async function loadPages(options: {
  endpoints: Endpoints;
  target: Pick<Target, 'requests'>;
  ids: number[];
  concurrency?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Told of each page load that failed. */
  onFailure?: (outcome: Outcome) => void;
}): Promise<number> {
  const concurrency = options.concurrency ?? 8;
  // a page makes up to four requests at once (the REST page)
  const agent = createAgent(concurrency * 4);
  let next = 0;
  let ok = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < options.ids.length && !options.signal?.aborted) {
          const id = options.ids[next++]!;
          const signal = AbortSignal.any([
            AbortSignal.timeout(options.timeoutMs),
            ...(options.signal ? [options.signal] : []),
          ]);
          const outcome = await loadPage(agent, options.target.requests(options.endpoints, id, next), signal);
          if (outcome.ok) ok++;
          else options.onFailure?.(outcome);
        }
      }),
    );
    return ok;
  } finally {
    await agent.close();
  }
}
