// The load of a rolling restart: a closed loop of clients through the balancer while the
// instances of a RollingStack (@supergraph-lab/stack/rolling) are stopped and started in turn.
import { eventually } from '@supergraph-lab/testing';
import { createAgent, exchange, loadPage, type ErrorSample } from './http.ts';
import { targetNamed } from './targets.ts';

/**
 * An instance the balancer sends to, as a RollingStack's (@supergraph-lab/stack/rolling): its
 * own type here, so that the lab's browser bundle, which reads this package, does not read the
 * stack's process code.
 */
export interface ServiceInstance {
  name: string;
  port: number;
  /** SIGTERM, then its exit code once it has exited. */
  stop(): Promise<number | null>;
  /** Spawns it again and waits until it is ready. */
  start(): Promise<void>;
}

/** What the requests started while one instance was stopped (until the next stop) came to. */
export interface StopResult {
  instance: string;
  ok: number;
  failed: number;
  /** The first few failures: status and what was said. */
  samples: ErrorSample[];
  /** The stopped instance's exit code (0: drained in time). */
  exitCode: number | null;
  /** SIGTERM to exit. */
  stopMs: number;
}

/** The requests a rolling restart is measured with. */
export type RollingLoad = 'graphql' | 'ssr';

/**
 * `stops` rolling stops of `victims` in turn under a closed loop of `connections` clients sending
 * `load` (the item page query, POST /graphql; or the SSR page, GET) through `origin`. Each stop:
 * SIGTERM, wait for the exit, start again, wait until the balancer has answered from it again
 * (its `X-Upstream`), then the next. A failure counts against the stop during which it was sent.
 */
export async function rollingStops(options: {
  origin: string;
  victims: ServiceInstance[];
  stops: number;
  connections: number;
  load: RollingLoad;
  items: number;
  /** Wait, after a restart, until the balancer has answered from the instance (false: ready is enough). */
  servedAgain?: boolean;
  /** Load before the first stop (warms every path). */
  warmupMs?: number;
  /** Called when a stop is done, e.g. to print it. */
  onStop?: (result: StopResult, index: number) => void;
}): Promise<StopResult[]> {
  const agent = createAgent(options.connections + 4);
  const target = targetNamed(options.load);
  const origin = options.origin;
  const endpoints = { gateway: origin, ssr: origin, items: origin, reviews: origin, photos: origin };
  const results: StopResult[] = [];
  let current = -1;
  let warmFailures = 0;
  let running = true;
  const tally = (index: number, ok: boolean, sample?: ErrorSample) => {
    if (index < 0) {
      if (!ok) warmFailures++;
      return;
    }
    const result = results[index]!;
    if (ok) result.ok++;
    else {
      result.failed++;
      if (sample && result.samples.length < 5) result.samples.push(sample);
    }
  };
  const clients = Array.from({ length: options.connections }, async () => {
    while (running) {
      const index = current;
      const id = 1 + Math.floor(Math.random() * options.items);
      const outcome = await loadPage(agent, target.requests(endpoints, id, 0), AbortSignal.timeout(10_000)).catch(
        (error: Error) => ({
          ok: false,
          error: { kind: 'network', url: origin, message: error.message } as ErrorSample,
        }),
      );
      tally(index, outcome.ok, outcome.error);
    }
  });
  // the path the balancer answers the probe on names the instance (X-Upstream)
  const probe = options.load === 'ssr' ? '/items/1' : '/api/items/1';
  const servedBy = async (instance: ServiceInstance) => {
    const answer = await exchange(agent, { method: 'GET', url: `${origin}${probe}` }, AbortSignal.timeout(5000), true);
    return answer.outcome.ok && answer.response?.headers['x-upstream'] === `127.0.0.1:${instance.port}`;
  };
  try {
    await new Promise((resolve) => setTimeout(resolve, options.warmupMs ?? 2000));
    if (warmFailures > 0) throw new Error(`${warmFailures} requests failed before any stop: the stack is not healthy`);
    for (let index = 0; index < options.stops; index++) {
      const victim = options.victims[index % options.victims.length]!;
      results.push({ instance: victim.name, ok: 0, failed: 0, samples: [], exitCode: null, stopMs: 0 });
      current = index;
      const stopped = performance.now();
      results[index]!.exitCode = await victim.stop();
      results[index]!.stopMs = performance.now() - stopped;
      await victim.start();
      if (options.servedAgain ?? true)
        await eventually(() => servedBy(victim), 60_000, `the balancer to send requests to ${victim.name} again`);
      if (index < options.stops - 1) options.onStop?.(results[index]!, index);
    }
    // the last stop's window: as long as it took the restarted instance to be back
    running = false;
    await Promise.all(clients);
    options.onStop?.(results.at(-1)!, options.stops - 1);
    return results;
  } finally {
    running = false;
    await Promise.all(clients);
    await agent.close();
  }
}
