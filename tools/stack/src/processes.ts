// The stack as separate processes on free ports, and a scratch database to point it at: what
// benchmarks and the load tester's matrix run against (tests use the in-process startStack).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { portEnvironment, SERVICES, type ServiceName } from '@supergraph-lab/config';
import { databaseUrlFromEnv, dialectOf } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { freePort, waitReady } from '@supergraph-lab/testing';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * Node flags every service process runs with (npm start, start:scaled, the benchmarks; the
 * compose file sets the same in NODE_OPTIONS): a 32 MB young generation collects a service's
 * short-lived request garbage less often; about 5% less CPU per page, measured with bench:cpu.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=32'];

/**
 * The loader the services' TypeScript runs under: tsx's ES-module hooks only. The services are ES
 * modules; tsx's CommonJS hook would put its resolver into every `require` made at run time
 * (Apollo Server requires `crypto` anew to hash each query).
 */
export const SERVICE_LOADER = ['--import', 'tsx/esm'];

/** The command that runs a service's entry file (npm start, start:scaled, the benchmarks and tests). */
export function serviceCommand(entry: string, nodeArgs: string[] = []): [string, ...string[]] {
  return [process.execPath, ...SERVICE_NODE_FLAGS, ...nodeArgs, ...SERVICE_LOADER, path.join(ROOT, entry)];
}

/**
 * A scratch database with `items` items on the server at `serverUrl` (DATABASE_URL's unless
 * told), dropped by the returned function.
 */
export async function scratchDatabase(
  label: string,
  items: number,
  serverUrl = databaseUrlFromEnv(),
): Promise<{ url: string; drop(): Promise<void> }> {
  const database = await createTestDatabase(`bench_${label}`, { serverUrl });
  await loadShopData({ url: database.url, items, seed: 42 });
  // the bulk load leaves its pages dirty: write them out now, or the checkpoint that does it
  // later lands in the first measured step
  const dialect = dialectOf(serverUrl);
  const session = await dialect.connect(database.url);
  await dialect.checkpoint(session).finally(() => session.end());
  return database;
}

export type { ServiceName };

export interface RunningStack {
  ports: Record<ServiceName, number>;
  /** Each service's base URL (http://127.0.0.1:port), SSR's whether it runs or not. */
  urls: Record<ServiceName, string>;
  /** Each running service's process id (for CPU accounting from /proc). */
  pids: Partial<Record<ServiceName, number>>;
  base(port: number): string;
  stop(): Promise<void>;
}

/**
 * The subgraphs and the gateway (and SSR with `withSsr`) as processes, every service of the
 * registry on a free port, with `env` on top of the defaults; `nodeArgs` go to each node process
 * (e.g. `--cpu-prof`).
 */
export async function startServices(
  databaseUrl: string,
  env: Record<string, string> = {},
  withSsr = false,
  nodeArgs: string[] = [],
): Promise<RunningStack> {
  const ports = {} as Record<ServiceName, number>;
  for (const service of SERVICES) ports[service.name] = await freePort();
  const children: ChildProcess[] = [];
  const pids: RunningStack['pids'] = {};
  const full = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...portEnvironment(ports),
    ...env,
  };
  // all at once: each is waited for below
  const started = SERVICES.filter((service) => withSsr || service.kind !== 'ssr');
  for (const service of started) {
    const [command, ...args] = serviceCommand(service.entry, nodeArgs);
    const child = spawn(command, args, { env: full, stdio: 'inherit' });
    children.push(child);
    pids[service.name] = child.pid!;
  }
  const base = (port: number) => `http://127.0.0.1:${port}`;
  for (const { name } of started) await waitReady(base(ports[name]), { name, timeoutMs: 30_000 });
  return {
    ports,
    urls: Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, base(port)])) as Record<
      ServiceName,
      string
    >,
    pids,
    base,
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(
        children.map(
          (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
        ),
      );
    },
  };
}
