// Helpers for tests and tools at every layer: they depend on nothing of the project's.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * Polls `check` every `intervalMs` (50 unless told) until it returns a truthy value, which it
 * returns; fails after `ms` with "timed out waiting for `what`" (a function is asked then, so the
 * message can carry what the test saw, e.g. a process's output). An error `check` throws ends the
 * wait at once.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 20_000,
  what: string | (() => string) = 'condition',
  intervalMs = 50,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A redis-server or memcached of a test's own, to stop, freeze (SIGSTOP) and start again. */
export interface OwnServer {
  port: number;
  /** redis://127.0.0.1:PORT or memcached://127.0.0.1:PORT */
  url: string;
  process: ChildProcess;
  /** Kills it (SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}
export type OwnRedis = OwnServer;

/** Starts `command` with `args` on `port` (or a free one), and resolves once it accepts connections there. */
async function startOwnServer(
  command: string,
  args: (port: number) => string[],
  scheme: string,
  port?: number,
): Promise<OwnServer> {
  const chosen = port ?? (await freePort());
  const child = spawn(command, args(chosen), { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | null = null;
  child.once('error', (error) => (failed = error));
  await eventually(
    async () => {
      if (failed) throw new Error(`${command} did not start: ${(failed as Error).message}`);
      return listening(chosen);
    },
    5000,
    `${command} on port ${chosen}`,
  );
  return {
    port: chosen,
    url: `${scheme}://127.0.0.1:${chosen}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts `redis-server` (no persistence) on `port` or a free one, and resolves once it accepts connections. */
export function startRedis(port?: number): Promise<OwnServer> {
  return startOwnServer(
    'redis-server',
    (chosen) => ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    'redis',
    port,
  );
}

/**
 * Starts memcached (`memoryMb`, 64 MB unless told) from `bin` (ToolConfig's memcachedBin: Debian's package) on `port` or
 * a free one, and resolves once it accepts connections.
 */
export function startMemcached(bin: string, port?: number, memoryMb = 64): Promise<OwnServer> {
  return startOwnServer(
    bin,
    // as root, memcached wants a user to run as
    (chosen) => [
      '-p',
      String(chosen),
      '-l',
      '127.0.0.1',
      '-U',
      '0',
      '-m',
      String(memoryMb),
      ...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []),
    ],
    'memcached',
    port,
  );
}

/**
 * Resolves once `GET <baseUrl>/readyz` answers 200 (every service has it), or `probe` does (a
 * request of another path, for a process without /readyz); fails after `timeoutMs`, or at once
 * when `stopped()` says the caller gave up.
 */
export async function waitReady(
  baseUrl: string,
  options: {
    name?: string;
    timeoutMs?: number;
    stopped?: () => boolean;
    probe?: { path: string; init: RequestInit };
  } = {},
): Promise<void> {
  const { name = 'the service', timeoutMs = 30_000, probe = { path: '/readyz', init: {} } } = options;
  await eventually(
    async () => {
      if (options.stopped?.()) throw new Error('stopped');
      return fetch(`${baseUrl}${probe.path}`, { ...probe.init, signal: AbortSignal.timeout(2000) }).then(
        (response) => response.ok,
        () => false, // not listening yet
      );
    },
    timeoutMs,
    `${name} to be ready at ${baseUrl}${probe.path} (${timeoutMs / 1000} s)`,
  );
}
