import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { ConfigError, readConfig, type Config } from '@supergraph-lab/config';

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
  /** Phase 1: keep serving this long as before, kept-alive connections and all, while /readyz says 503 (0: none). */
  drainMs: number;
  /**
   * Phase 2: after the listener closed, leave the idle kept-alive connections this long for the
   * client (the balancer) to close, longer than it keeps one idle; then phase 3 closes the rest.
   * Ends early once no connection is left (0: close them at once).
   */
  idleMs: number;
  /** Phase 3: give up waiting for requests in flight after this long (the stop then fails: exit 1). */
  timeoutMs: number;
}

/**
 * Stops a service behind a load balancer without losing a request, of any method. A request is
 * lost when a connection is closed or reset after the balancer sent it (a POST is then not sent
 * again), so every connection is closed either by the balancer or by an answer, never under a
 * request:
 * 1. `drainMs`: /readyz says 503 and everything else is served as before, keep-alive too (no
 *    new connections): a balancer with health checks (HAProxy) takes the instance out meanwhile.
 * 2. the listening socket closes, once the connections waiting in the kernel's accept queue are
 *    in (closing it would reset them, after the balancer may have written a request): a new
 *    connection is refused, which a balancer retries on another instance whatever the method
 *    (nothing was sent), and which takes this one out of a
 *    balancer that only learns from failures (nginx). Every answer now closes its connection;
 *    idle connections are left to the balancer, which closes them after its idle timeout
 *    (deploy/nginx.conf, deploy/haproxy.cfg set it below `idleMs`), for at most `idleMs`.
 * 3. `close()` closes what is left, waits for the requests in flight and closes the pools, within
 *    `timeoutMs`.
 */
export async function drainAndClose(
  app: FastifyInstance,
  close: () => Promise<void>,
  options: DrainOptions,
): Promise<void> {
  app.beginDrain();
  if (options.drainMs > 0) await sleep(options.drainMs);
  await app.stopAccepting();
  if (options.idleMs > 0) await connectionsGone(app, options.idleMs);
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

/** Resolves once the server has no connection left, or after `ms`. */
async function connectionsGone(app: FastifyInstance, ms: number): Promise<void> {
  const until = Date.now() + ms;
  const count = () => new Promise<number>((resolve) => app.server.getConnections((error, n) => resolve(error ? 1 : n)));
  while (Date.now() < until && (await count()) > 0) await sleep(Math.min(100, until - Date.now()));
}

/** What {@link serveUntilStopped} runs: a service made from the configuration. */
export interface ServedService {
  readonly app: FastifyInstance;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A service's process: `create` from the configuration, listening on `port(config)`, a line saying
 * where (`banner`), and on SIGINT/SIGTERM the drain. A configuration error, or an error `isFatal`
 * names, is one line `name: message` and exit code 1; anything else is thrown as it is.
 */
export async function serveUntilStopped<S extends ServedService>(
  name: string,
  create: (config: Config) => S | Promise<S>,
  options: {
    port: (config: Config) => number;
    banner: (service: S, url: string) => string;
    isFatal?: (error: unknown) => boolean;
  },
): Promise<void> {
  try {
    const config = readConfig();
    const service = await create(config);
    const url = await service.listen(options.port(config), config.host);
    service.app.log.info(options.banner(service, url));
    onStopSignal(async (signal) => {
      service.app.log.info(`${signal}: draining and shutting down`);
      await drainAndClose(service.app, () => service.close(), config.shutdown);
    });
  } catch (error) {
    if (error instanceof ConfigError || options.isFatal?.(error)) {
      console.error(`${name}: ${(error as Error).message}`);
      process.exit(1);
    }
    throw error;
  }
}
