// npm run start:scaled as a child process on free ports (the chaos suite's stack): the real
// supervisor, balancer and instances, each of which can be found by its port and signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Balancer } from './balancer.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const READY_LINE = 'Ctrl-C stops everything';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A random base port whose +1 (an operations listener) and +10 (a second instance) are free too. */
export async function pairOfPorts(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 1)) && (await portIsFree(port + 10))) return port;
  }
}

/** The pid of the service process started from `entry` with `variable=value` in its environment, or null. */
export function pidOf(entry: string, variable: string, value: number): number | null {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entry)) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${variable}=${value}`)) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** Where a start:scaled child listens: the balancer, and the first of each pair (the second is +10). */
export interface ScaledPorts {
  balancer: number;
  gateway: number;
  ssr: number;
  items: number;
  reviews: number;
  photos: number;
}

/** A running start:scaled. */
export interface ScaledStack {
  ports: ScaledPorts;
  /** http://127.0.0.1:<balancer port> */
  origin: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Ctrl-C (SIGINT to its process group), resolved once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `npm run start:scaled -- --balancer <balancer>` on `databaseUrl` and free ports, with
 * `env` on top (REDIS_URL, CACHE_MODE...); resolves once it prints that it is ready, or fails
 * with its output after `timeoutMs` (4 minutes: on a busy two-core machine, seven processes
 * compiling their TypeScript took over two). `onLine` sees each line it prints.
 */
export async function startScaledStack(options: {
  databaseUrl: string;
  balancer: Balancer;
  env?: Record<string, string>;
  timeoutMs?: number;
  onLine?: (line: string) => void;
}): Promise<ScaledStack> {
  const ports: ScaledPorts = {
    balancer: await pairOfPorts(),
    gateway: await pairOfPorts(),
    ssr: await pairOfPorts(),
    items: await pairOfPorts(),
    reviews: await pairOfPorts(),
    photos: await pairOfPorts(),
  };
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    GATEWAY_PORT: String(ports.gateway),
    SSR_PORT: String(ports.ssr),
    NGINX_PORT: String(ports.balancer),
    ITEMS_PORT: String(ports.items),
    REVIEWS_PORT: String(ports.reviews),
    PHOTOS_PORT: String(ports.photos),
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    ['--import', './scripts/preload.mjs', 'scripts/start.ts', '--scaled', '--balancer', options.balancer],
    // its own process group: a stop reaches the instances even if the supervisor is gone
    { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let partial = '';
  const take = (chunk: Buffer) => {
    output += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) options.onLine?.(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        // already gone
      }
    }
    await exited;
  };
  const timeoutMs = options.timeoutMs ?? 240_000;
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(READY_LINE)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = child.exitCode === null ? `not ready in ${timeoutMs / 1000} s` : 'exited';
      await stop();
      throw new Error(`start:scaled ${why}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { ports, origin: `http://127.0.0.1:${ports.balancer}`, child, output: () => output, stop };
}
