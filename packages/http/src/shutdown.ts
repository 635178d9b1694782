import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/**
 * Runs `stop` once on the first SIGINT or SIGTERM, then exits 0 (1 if stopping failed). The
 * listeners stay registered: under `node --import tsx`, a signal that finds no listener of ours
 * is re-raised by tsx and kills the process mid-drain. A second signal while stopping is ignored.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/** How a service stops: see {@link drainAndClose}. */
export interface DrainOptions {
  /** Keep serving this long, not ready and closing each connection after its answer (0: none). */
  drainMs: number;
  /** Give up waiting for in-flight requests after this long (the stop then fails: exit 1). */
  timeoutMs: number;
}

/**
 * Stops a service without losing a request: first it keeps serving for `drainMs` while /readyz
 * says 503 and every answer carries `Connection: close` (a load balancer's kept-alive
 * connections are closed by answers, never cut under a request in flight), then `close()` stops
 * accepting, waits for the requests in flight and closes the pools, within `timeoutMs`.
 */
export async function drainAndClose(
  app: FastifyInstance,
  close: () => Promise<void>,
  options: DrainOptions,
): Promise<void> {
  app.beginDrain();
  if (options.drainMs > 0) await sleep(options.drainMs);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      close(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`requests still in flight after ${options.timeoutMs} ms; stopping anyway`)),
          options.timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
