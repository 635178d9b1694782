import os from 'node:os';
import { request } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, loadPage, type Outcome } from './http.ts';
import { runStep, type StepMeasurement, type Tick } from './step.ts';
import { itemIds, targetNamed, type Endpoints } from './targets.ts';

/** One step of a run: a target at one rate, under one variant of the stack (e.g. "cache all"). */
export interface StepResult extends StepMeasurement {
  target: string;
  variant: string | null;
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
  settings: RunSettings & { variants: string[]; notes?: string[] };
  machine: MachineInfo;
  dataSet: { maxItemId: number; items?: number };
  steps: StepResult[];
}

export type RunEvent =
  | { type: 'phase'; target: string; variant: string | null; rate: number; phase: 'warmup' | 'measure'; stepIndex: number; stepCount: number }
  | { type: 'tick'; target: string; variant: string | null; rate: number; phase: 'warmup' | 'measure'; tick: Tick }
  | { type: 'step'; step: StepResult };

export interface RunOptions extends RunSettings {
  endpoints: Endpoints;
  maxItemId: number;
  variant?: string | null;
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
    throw new Error(`cannot reach the gateway at ${gatewayUrl} (${(error as { code?: string }).code ?? (error as Error).message}): is the stack running (npm start)?`);
  }
  const body = (await answer.body.json()) as { items?: { id: number }[] };
  const id = body.items?.[0]?.id;
  if (answer.statusCode !== 200 || !id) throw new Error(`the gateway at ${gatewayUrl} lists no items (HTTP ${answer.statusCode}): seed the database first (npm run db:seed)`);
  return Number(id);
}

/** Waits (up to 10 s) until one page load answers within 250 ms again, or `signal` aborts. */
async function coolDown(send: (signal: AbortSignal) => Promise<Outcome>, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const until = performance.now() + 10_000;
  while (performance.now() < until && !signal?.aborted) {
    const started = performance.now();
    const outcome = await send(AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]));
    if (outcome.ok && performance.now() - started < 250) return;
    await sleep(250);
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
  const steps: StepResult[] = [];
  const stepCount = options.targets.length * options.rates.length;
  let sequence = Math.floor(Math.random() * 1e9);
  try {
    for (const name of options.targets) {
      const target = targetNamed(name);
      const send = (signal: AbortSignal) => loadPage(agent, target.requests(options.endpoints, nextId(), sequence++), signal);
      for (const rate of options.rates) {
        if (options.signal?.aborted) return steps;
        const stepIndex = steps.length;
        const common = { target: name, variant, rate };
        if (options.warmupSeconds > 0) {
          options.onEvent?.({ type: 'phase', ...common, phase: 'warmup', stepIndex, stepCount });
          await runStep({
            rate,
            durationSeconds: options.warmupSeconds,
            timeoutMs: options.timeoutMs,
            send,
            signal: options.signal,
            onTick: (tick) => options.onEvent?.({ type: 'tick', ...common, phase: 'warmup', tick }),
          });
          if (options.signal?.aborted) return steps;
        }
        options.onEvent?.({ type: 'phase', ...common, phase: 'measure', stepIndex, stepCount });
        const measured = await runStep({
          rate,
          durationSeconds: options.durationSeconds,
          timeoutMs: options.timeoutMs,
          send,
          signal: options.signal,
          onTick: (tick) => options.onEvent?.({ type: 'tick', ...common, phase: 'measure', tick }),
        });
        const step = { target: name, variant, ...measured };
        steps.push(step);
        options.onEvent?.({ type: 'step', step });
        // work the server queued for abandoned requests must not be billed to the next step
        if (step.saturated && !options.signal?.aborted) await coolDown(send, options.timeoutMs, options.signal);
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
export async function primeCaches(options: { endpoints: Endpoints; ids: number[]; concurrency?: number; timeoutMs: number; signal?: AbortSignal }): Promise<number> {
  const agent = createAgent(options.concurrency ?? 8);
  const graphql = targetNamed('graphql');
  let next = 0;
  let ok = 0;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency ?? 8 }, async () => {
        while (next < options.ids.length && !options.signal?.aborted) {
          const id = options.ids[next++]!;
          const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])]);
          if ((await loadPage(agent, graphql.requests(options.endpoints, id, 0), signal)).ok) ok++;
        }
      }),
    );
    return ok;
  } finally {
    await agent.close();
  }
}
