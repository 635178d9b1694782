// The stack as separate processes on free ports, and a scratch database to point it at: what
// benchmarks and the load tester's matrix run against (tests use the in-process startStack).
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  portEnvironment,
  readToolConfig,
  SERVICES,
  SUBGRAPHS,
  type GatewayKind,
  type ServiceName,
  type SubgraphName,
} from '@supergraph-lab/config';
import { databaseUrlFromEnv, dialectOf } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { freePort, waitReady } from '@supergraph-lab/testing';
import { GATEWAY_CHOICES, peerLaunch, readyProbe } from './gateways.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const GATEWAY_SERVICE = SERVICES.find((service) => service.kind === 'gateway')!;

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
  /** Which gateway serves the gateway port (GATEWAY). */
  gateway: GatewayKind;
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
 * (e.g. `--cpu-prof`). GATEWAY (in `env`, else the environment) picks the gateway.
 */
export async function startServices(
  databaseUrl: string,
  env: Record<string, string> = {},
  withSsr = false,
  nodeArgs: string[] = [],
): Promise<RunningStack> {
  const ports = {} as Record<ServiceName, number>;
  for (const service of SERVICES) ports[service.name] = await freePort();
  const gateway = readToolConfig({ GATEWAY: env.GATEWAY ?? process.env.GATEWAY }).gateway;
  const children: StartedProcess[] = [];
  const pids: RunningStack['pids'] = {};
  const full = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...portEnvironment(ports),
    ...env,
  };
  const base = (port: number) => `http://127.0.0.1:${port}`;
  const subgraphUrls = Object.fromEntries(
    SERVICES.filter((service) => service.kind === 'subgraph').map((service) => [
      service.name,
      base(ports[service.name]),
    ]),
  ) as Parameters<typeof startGateway>[2];
  try {
    // all at once: each is waited for below
    const started = SERVICES.filter((service) => withSsr || service.kind !== 'ssr');
    for (const service of started) {
      const child =
        service.kind === 'gateway'
          ? startGateway(gateway, ports.gateway, subgraphUrls, full, nodeArgs)
          : startProcess(serviceCommand(service.entry, nodeArgs), full);
      children.push(child);
      pids[service.name] = child.pid;
    }
    for (const { name, kind } of started)
      await waitReady(base(ports[name]), {
        name: kind === 'gateway' ? GATEWAY_CHOICES[gateway].label : name,
        timeoutMs: 30_000,
        probe: kind === 'gateway' ? readyProbe(gateway) : undefined,
      });
  } catch (error) {
    await Promise.all(children.map((child) => child.stop()));
    throw error;
  }
  return {
    gateway,
    ports,
    urls: Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, base(port)])) as Record<
      ServiceName,
      string
    >,
    pids,
    base,
    async stop() {
      await Promise.all(children.map((child) => child.stop()));
    },
  };
}

/** A process a tool started: its id, and how to stop it (SIGTERM, then waiting for its exit). */
export interface StartedProcess {
  pid: number;
  stop(): Promise<void>;
}

/** Spawns `command` with `env` (its output on this process's), stopped by SIGTERM. */
export function startProcess(
  [command, ...args]: [string, ...string[]],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; onStopped?: () => void } = {},
): StartedProcess {
  const child = spawn(command, args, { env, stdio: 'inherit', cwd: options.cwd });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      options.onStopped?.();
    },
  };
}

/**
 * Gateway `kind` (GATEWAY) on `port` over the subgraphs at `subgraphUrls` (base URLs): the
 * project's gateway's entry file, or a peer from tools/stack/src/gateways.ts.
 */
export function startGateway(
  kind: GatewayKind,
  port: number,
  subgraphUrls: Record<SubgraphName, string>,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): StartedProcess {
  if (kind === 'apollo') {
    const urls = SUBGRAPHS.map((subgraph) => [subgraph.urlVariable, subgraphUrls[subgraph.name]]);
    return startProcess(serviceCommand(GATEWAY_SERVICE.entry, nodeArgs), {
      ...env,
      ...portEnvironment({ gateway: port }),
      ...Object.fromEntries(urls),
    });
  }
  const launch = peerLaunch(kind, port, subgraphUrls, [...SERVICE_NODE_FLAGS, ...nodeArgs]);
  return startProcess(launch.command, env, { cwd: launch.cwd, onStopped: launch.cleanup });
}

/** The monolith (monolith/src/main.ts: the same API, no gateway) on `port`, on `env`'s DATABASE_URL. */
export function startMonolith(port: number, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): StartedProcess {
  return startProcess(serviceCommand('monolith/src/main.ts', nodeArgs), { ...env, MONOLITH_PORT: String(port) });
}
