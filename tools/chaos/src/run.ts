// A chaos run: the stack started once, then for each fault a run of the mixed load with the fault
// injected after a quiet start, the writes retried and audited, the window measured.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent, runStep, type Outcome } from '@supergraph-lab/loadtest';
import type { Balancer } from '@supergraph-lab/stack/balancer';
import { waitReady } from '@supergraph-lab/testing';
import { audit, type AuditResult } from './audit.ts';
import { FAULTS, type FaultName, type FaultTimes } from './faults.ts';
import { recoveryMs, windowCounts, type WindowCounts } from './recovery.ts';
import { startChaosStack, type ChaosStack } from './stack.ts';
import { gatherRecords } from './verify.ts';
import { createWorkload, PATCH_SHARE, TARGETS } from './workload.ts';

export interface ChaosOptions extends FaultTimes {
  faults: FaultName[];
  balancer: Balancer;
  /** Requests per second of the mixed load. */
  rate: number;
  /**
   * Seconds of load per fault: a quiet start, the fault, the recovery; longer (5 s at a time, up to
   * `extraSeconds`) while the fault lasts or a target has not recovered.
   */
  durationSeconds: number;
  extraSeconds: number;
  /**
   * Seconds of each warm-up step before the first fault, not measured: no fault hits a cold
   * instance. Steps are repeated until one fails no request, up to `warmupLimitSeconds`.
   */
  warmupSeconds: number;
  /** The most warm-up in all (the run goes on after it, and says the stack was not steady). */
  warmupLimitSeconds: number;
  /** Seconds of load before the fault. */
  quietSeconds: number;
  /** Consecutive successes on every target that count as recovered. */
  streak: number;
  /** How long unacknowledged writes are retried after a fault's run. */
  retrySeconds: number;
  /** A request unanswered this long fails (timeout). */
  timeoutMs: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Ends the run after the fault under way (Ctrl-C); the stack is stopped all the same. */
  signal?: AbortSignal;
}

/** What one fault came to. */
export interface FaultResult {
  fault: FaultName;
  label: string;
  expected: string;
  /** From the fault to its end (the process ready again, the dependency back), in ms. */
  windowMs: number;
  /** Requests sent during that window, and the failures among them. */
  window: WindowCounts;
  /** Requests sent after the window, to the end of the fault's run, and the failures among them. */
  after: WindowCounts;
  /** Why the fault did not end as planned (a process not ready again in time), when it did not. */
  incomplete?: string;
  /** Failures before the fault (a sound stack has none). */
  before: { requests: number; failed: number };
  /** From the fault until every target answered `streak` times in a row for good; null if not in the run. */
  recoveryMs: number | null;
  audit: AuditResult;
}

export interface ChaosReport {
  date: string;
  options: Omit<ChaosOptions, 'log' | 'signal'>;
  items: number;
  /**
   * The warm-up: its seconds, and whether its last step failed no request. Not steady: the stack
   * did not carry the rate before any fault, so every fault's figures mix overload with the fault.
   */
  warmup: { seconds: number; steady: boolean };
  logFile: string;
  results: FaultResult[];
}

/** Items to seed: every PATCH of a fault's run takes an item of its own. */
export function itemsFor(options: Pick<ChaosOptions, 'rate' | 'durationSeconds'>): number {
  return Math.max(400, Math.ceil(options.rate * options.durationSeconds * PATCH_SHARE * 1.2));
}

/**
 * Waits until the balancer and every instance behind it answer /readyz; says which did not
 * within two minutes (the run goes on: its audit shows what that cost).
 */
async function allReady(stack: ChaosStack, log: (line: string) => void): Promise<void> {
  const { ports } = stack.scaled;
  const all = [ports.balancer, ports.gateway, ports.gateway + 10, ports.ssr, ports.ssr + 10];
  await Promise.all(
    [...all, ports.items, ports.reviews, ports.photos].map((port) =>
      waitReady(`http://127.0.0.1:${port}`, { timeoutMs: 120_000 }).catch((error: Error) => log(error.message)),
    ),
  );
}

/** The ids 1..max in a random order (each fault's run PATCHes its own items in turn). */
function shuffled(max: number): number[] {
  const ids = Array.from({ length: max }, (_, i) => i + 1);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

/** Runs `options.faults` in turn on a stack of their own and reports each. */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const items = itemsFor(options);
  log(`seeding ${items} items and starting start:scaled behind ${options.balancer}`);
  const stack = await startChaosStack({ balancer: options.balancer, items });
  log(`ready at ${stack.scaled.origin}; its output goes to ${stack.logFile}`);
  const agent = createAgent(256);
  const run = randomBytes(3).toString('hex');
  const results: FaultResult[] = [];
  const warmed = { seconds: 0, steady: options.warmupSeconds === 0 };
  const step = (send: (signal: AbortSignal) => Promise<Outcome>, durationSeconds: number) =>
    runStep({
      rate: options.rate,
      durationSeconds,
      timeoutMs: options.timeoutMs,
      send,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  try {
    if (options.warmupSeconds > 0) {
      const warmup = createWorkload({
        agent,
        origin: stack.scaled.origin,
        label: `${run}-warmup`,
        maxItemId: stack.maxItemId,
        patchItems: [],
      });
      // a cold stack (each process compiling its code, empty caches and pools) may not carry the
      // rate at once: a fault then would be blamed for the overload's failures
      while (!warmed.steady && warmed.seconds < options.warmupLimitSeconds && !options.signal?.aborted) {
        const measured = await step(warmup.send, options.warmupSeconds);
        warmed.seconds += options.warmupSeconds;
        warmed.steady = measured.errors === 0;
        log(
          `warming up: ${options.rate}/s for ${options.warmupSeconds} s, ${measured.errors} of ${measured.sent} failed`,
        );
      }
      if (!warmed.steady)
        log(
          `the stack did not carry ${options.rate}/s without failures within ${warmed.seconds} s of warm-up: ` +
            'the failures of every fault mix overload with the fault (see "failed before")',
        );
    }
    for (const name of options.faults) {
      if (options.signal?.aborted) break;
      const fault = FAULTS[name];
      await allReady(stack, log);
      const workload = createWorkload({
        agent,
        origin: stack.scaled.origin,
        label: `${run}-${name}`,
        maxItemId: stack.maxItemId,
        patchItems: shuffled(stack.maxItemId),
      });
      log(`${name}: ${options.rate}/s for ${options.durationSeconds} s, the fault after ${options.quietSeconds} s`);
      const started = performance.now();
      let faultAt = Number.NaN;
      let faultEnd = Number.NaN;
      let incomplete: string | undefined;
      const injected = (async () => {
        await sleep(options.quietSeconds * 1000);
        faultAt = performance.now();
        // a fault that does not end in time is reported, and the run goes on
        await fault.inject(stack, options).catch((error: Error) => {
          incomplete = error.message;
          log(`${name}: ${error.message}`);
        });
        faultEnd = performance.now();
      })();
      await step(workload.send, options.durationSeconds);
      const until = performance.now() + options.extraSeconds * 1000;
      const over = () =>
        !Number.isNaN(faultEnd) && recoveryMs(workload.events, faultAt, TARGETS, options.streak) !== null;
      while (!over() && performance.now() < until && !options.signal?.aborted) await step(workload.send, 5);
      await injected;
      await allReady(stack, log);
      log(`${name}: over after ${((faultEnd - faultAt) / 1000).toFixed(1)} s; retrying and auditing the writes`);
      const records = await gatherRecords({
        agent,
        origin: stack.scaled.origin,
        databaseUrl: stack.db.url,
        workload,
        retrySeconds: options.retrySeconds,
      });
      const before = windowCounts(workload.events, started, faultAt);
      results.push({
        fault: name,
        label: fault.label,
        expected: fault.expected,
        windowMs: faultEnd - faultAt,
        ...(incomplete ? { incomplete } : {}),
        window: windowCounts(workload.events, faultAt, faultEnd),
        after: windowCounts(workload.events, faultEnd, Number.POSITIVE_INFINITY),
        before: { requests: before.requests, failed: before.failed },
        recoveryMs: recoveryMs(workload.events, faultAt, TARGETS, options.streak),
        audit: audit(records.creates, records.patches),
      });
    }
  } finally {
    await agent.close();
    await stack.close();
  }
  const { log: _log, signal: _signal, ...recorded } = options;
  return {
    date: new Date().toISOString(),
    options: recorded,
    items,
    warmup: warmed,
    logFile: stack.logFile,
    results,
  };
}
