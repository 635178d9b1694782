// Rolling restarts under load, as a deployment does them: start:scaled's topology (the three
// subgraphs, two gateway and two SSR instances, deploy/nginx.conf or deploy/haproxy.cfg in front)
// as processes on free ports, one instance at a time stopped with SIGTERM, started again, and let
// back in by the balancer before the next (the load: rollingStops in @supergraph-lab/loadtest).
// What bench:rolling measures and scripts/test/rolling.test.ts asserts (no request fails).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ToolConfig } from '@supergraph-lab/config';
import { freePort, waitReady } from '@supergraph-lab/testing';
import { balancedShutdownEnv, startBalancer, type Balancer } from './balancer.ts';
import { serviceCommand, type ServiceName } from './processes.ts';

const ENTRIES: Record<ServiceName, string> = {
  items: 'subgraphs/items/src/main.ts',
  reviews: 'subgraphs/reviews/src/main.ts',
  photos: 'subgraphs/photos/src/main.ts',
  gateway: 'gateway/src/main.ts',
  ssr: 'ssr/src/main.ts',
};

/** One service process on a fixed port that can be stopped and started again there. */
export interface ServiceInstance {
  name: string;
  port: number;
  url: string;
  /** SIGTERM, then its exit code once it has exited (null: killed by a signal). */
  stop(): Promise<number | null>;
  /** Spawns it again on its port and waits until /readyz says 200. */
  start(): Promise<void>;
  /** SIGKILL, for cleaning up. */
  kill(): void;
}

/** `service` on `port` with `env`, not yet started. */
export function serviceInstance(
  service: ServiceName,
  name: string,
  port: number,
  env: Record<string, string>,
): ServiceInstance {
  let child: ChildProcess | undefined;
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    port,
    url,
    async stop() {
      const running = child!;
      if (running.exitCode !== null || running.signalCode !== null) return running.exitCode;
      running.kill('SIGTERM');
      const [code] = (await once(running, 'exit')) as [number | null];
      return code;
    },
    async start() {
      const [command, ...args] = serviceCommand(ENTRIES[service]);
      child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
      // a restart under a closed loop competes for the CPU with the load: on a busy machine it is slow
      await waitReady(url, { name, timeoutMs: 180_000 });
    },
    kill() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** start:scaled's topology on free ports, behind one balancer. */
export interface RollingStack {
  /** The balancer's shop listener. */
  origin: string;
  subgraphs: Record<'items' | 'reviews' | 'photos', ServiceInstance>;
  gateways: [ServiceInstance, ServiceInstance];
  ssrs: [ServiceInstance, ServiceInstance];
  stop(): Promise<void>;
}

/**
 * The subgraphs, two gateways, two SSR instances (with `withSsr`; else the SSR upstream points at
 * the gateways) and `balancer` in front, against `databaseUrl`. The balanced instances drain as
 * start:scaled's do (balancedShutdownEnv) unless `env` says otherwise.
 */
export async function startRollingStack(options: {
  balancer: Balancer;
  databaseUrl: string;
  tools: ToolConfig;
  env?: Record<string, string>;
  withSsr?: boolean;
}): Promise<RollingStack> {
  const ports = {
    items: await freePort(),
    reviews: await freePort(),
    photos: await freePort(),
    gateways: [await freePort(), await freePort()],
    ssrs: [await freePort(), await freePort()],
    balancer: await freePort(),
    operations: await freePort(),
  };
  const base: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ITEMS_PORT: String(ports.items),
    REVIEWS_PORT: String(ports.reviews),
    PHOTOS_PORT: String(ports.photos),
    ...options.env,
  };
  const balanced = { ...balancedShutdownEnv(options.tools), BALANCER: options.balancer, ...base };
  const subgraphs = {
    items: serviceInstance('items', 'items', ports.items, base),
    reviews: serviceInstance('reviews', 'reviews', ports.reviews, base),
    photos: serviceInstance('photos', 'photos', ports.photos, base),
  };
  const gateways = ports.gateways.map((port, i) =>
    serviceInstance('gateway', `gateway${i + 1}`, port, { ...balanced, GATEWAY_PORT: String(port) }),
  ) as [ServiceInstance, ServiceInstance];
  const ssrs = ports.ssrs.map((port, i) =>
    serviceInstance('ssr', `ssr${i + 1}`, port, {
      ...balanced,
      SSR_PORT: String(port),
      GATEWAY_URL: `http://127.0.0.1:${ports.operations}`,
    }),
  ) as [ServiceInstance, ServiceInstance];
  const all = [...Object.values(subgraphs), ...gateways, ...(options.withSsr ? ssrs : [])];
  let front: ChildProcess | undefined;
  try {
    await Promise.all(Object.values(subgraphs).map((instance) => instance.start()));
    await Promise.all(gateways.map((instance) => instance.start()));
    front = startBalancer(options.balancer, {
      port: ports.balancer,
      operationsPort: ports.operations,
      gateways: ports.gateways,
      ssrs: options.withSsr ? ports.ssrs : ports.gateways,
      dir: mkdtempSync(path.join(tmpdir(), `sgl-rolling-${options.balancer}-`)),
      tools: options.tools,
    });
    if (options.withSsr) await Promise.all(ssrs.map((instance) => instance.start()));
    await waitReady(`http://127.0.0.1:${ports.balancer}`, { name: options.balancer, timeoutMs: 30_000 });
  } catch (error) {
    front?.kill('SIGKILL');
    for (const instance of all) instance.kill();
    throw error;
  }
  return {
    origin: `http://127.0.0.1:${ports.balancer}`,
    subgraphs,
    gateways,
    ssrs,
    async stop() {
      if (front && front.exitCode === null) {
        front.kill('SIGTERM');
        await once(front, 'exit');
      }
      for (const instance of all) instance.kill();
    },
  };
}
