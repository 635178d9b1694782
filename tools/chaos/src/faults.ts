// The faults, in the order a run injects them. Each resolves once the fault is over: the stopped
// process started again by start:scaled's supervisor and ready, or the dependency given back.
import { setTimeout as sleep } from 'node:timers/promises';
import { pidOf } from '@supergraph-lab/stack/scaled';
import { eventually, waitReady } from '@supergraph-lab/testing';
import type { ChaosStack } from './stack.ts';

export const FAULT_NAMES = [
  'gateway-sigterm',
  'subgraph-sigkill',
  'redis-stop',
  'postgres-cut',
  'ssr-sigterm',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** How long the dependency faults last (the run's defaults: Redis 10 s, Postgres 5 s). */
export interface FaultTimes {
  redisDownSeconds: number;
  postgresCutSeconds: number;
}

export interface Fault {
  name: FaultName;
  /** What is done, for the report. */
  label: string;
  /** The failures the fault makes unavoidable (and those it must not cause), for the report. */
  expected: string;
  inject(stack: ChaosStack, times: FaultTimes): Promise<void>;
}

/** Sends `signal` to the process serving `entry` on `port`, then waits until the supervisor's new one is ready. */
async function stopAndAwaitRestart(
  entry: string,
  variable: string,
  port: number,
  signal: NodeJS.Signals,
): Promise<void> {
  const pid = pidOf(entry, variable, port);
  if (pid === null) throw new Error(`no process serves ${entry} on port ${port}`);
  process.kill(pid, signal);
  await eventually(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    30_000,
    `${entry} (pid ${pid}) to exit after ${signal}`,
  );
  await waitReady(`http://127.0.0.1:${port}`, { name: `${entry} started again`, timeoutMs: 120_000 });
}

/** The subgraph the SIGKILL fault kills: reviews takes every create, so its keys are in flight when it dies. */
const KILLED_SUBGRAPH = { entry: 'subgraphs/reviews/src/main.ts', variable: 'REVIEWS_PORT' } as const;

export const FAULTS: Record<FaultName, Fault> = {
  'gateway-sigterm': {
    name: 'gateway-sigterm',
    label: 'SIGTERM gateway1 (restarted)',
    expected: 'none: gateway2 serves while gateway1 drains and starts again, as in a rolling restart',
    inject: (stack) =>
      stopAndAwaitRestart('gateway/src/main.ts', 'GATEWAY_PORT', stack.scaled.ports.gateway, 'SIGTERM'),
  },
  'subgraph-sigkill': {
    name: 'subgraph-sigkill',
    label: 'SIGKILL reviews subgraph (restarted)',
    expected:
      'a single instance: until it is back, whatever needs reviews fails (creates, the page query, the SSR page; a ' +
      'cached page or response may still be served); REST GET of an item does not need it',
    inject: (stack) =>
      stopAndAwaitRestart(KILLED_SUBGRAPH.entry, KILLED_SUBGRAPH.variable, stack.scaled.ports.reviews, 'SIGKILL'),
  },
  'redis-stop': {
    name: 'redis-stop',
    label: 'Redis stopped, then started (empty)',
    expected: 'none: every cache layer is an optimisation; without Redis reads and writes go to Postgres',
    async inject(stack, times) {
      await stack.stopRedis();
      await sleep(times.redisDownSeconds * 1000);
      await stack.startRedis();
    },
  },
  'postgres-cut': {
    name: 'postgres-cut',
    label: 'Postgres cut (proxy drops and refuses connections)',
    expected:
      'writes and reads the caches cannot answer fail: 503 problem+json with Retry-After (REST), a GraphQL error ' +
      '(GraphQL, SSR); reads served from Redis still succeed',
    async inject(stack, times) {
      stack.proxy.cut();
      await sleep(times.postgresCutSeconds * 1000);
      stack.proxy.restore();
    },
  },
  'ssr-sigterm': {
    name: 'ssr-sigterm',
    label: 'SIGTERM ssr1 (restarted)',
    expected: 'none: ssr2 serves while ssr1 drains and starts again',
    inject: (stack) => stopAndAwaitRestart('ssr/src/main.ts', 'SSR_PORT', stack.scaled.ports.ssr, 'SIGTERM'),
  },
};

/** The faults named in `raw` (comma-separated; `all` for every one), or an error listing them. */
export function parseFaults(raw: string): FaultName[] {
  if (raw === 'all') return [...FAULT_NAMES];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(FAULT_NAMES as readonly string[]).includes(name));
  if (unknown.length || names.length === 0 || new Set(names).size !== names.length)
    throw new Error(`--faults takes all or some of ${FAULT_NAMES.join(', ')} (each once), got "${raw}"`);
  return names as FaultName[];
}
