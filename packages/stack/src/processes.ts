// The stack as separate processes on free ports, and a scratch database to point it at: what
// benchmarks and the load tester's matrix run against (tests use the in-process startStack).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { databaseUrlFromEnv } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A scratch database with `items` items, dropped by the returned function. */
export async function scratchDatabase(label: string, items: number): Promise<{ url: string; drop(): Promise<void> }> {
  const database = await createTestDatabase(`bench_${label}`, { serverUrl: databaseUrlFromEnv() });
  await loadShopData({ url: database.url, items, seed: 42 });
  return database;
}

export interface RunningStack {
  ports: { gateway: number; items: number; reviews: number; photos: number; ssr: number };
  base(port: number): string;
  stop(): Promise<void>;
}

/** The three subgraphs and the gateway as processes, with `env` on top of the defaults. */
export async function startServices(databaseUrl: string, env: Record<string, string> = {}, withSsr = false): Promise<RunningStack> {
  const ports = { gateway: await freePort(), items: await freePort(), reviews: await freePort(), photos: await freePort(), ssr: await freePort() };
  const children: ChildProcess[] = [];
  const full = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    GATEWAY_PORT: String(ports.gateway),
    ITEMS_PORT: String(ports.items),
    REVIEWS_PORT: String(ports.reviews),
    PHOTOS_PORT: String(ports.photos),
    SSR_PORT: String(ports.ssr),
    ...env,
  };
  const entries = ['subgraphs/items/src/main.ts', 'subgraphs/reviews/src/main.ts', 'subgraphs/photos/src/main.ts', 'gateway/src/main.ts', ...(withSsr ? ['ssr/src/main.ts'] : [])];
  for (const entry of entries) {
    children.push(spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { env: full, stdio: 'inherit' }));
  }
  const base = (port: number) => `http://127.0.0.1:${port}`;
  for (const port of withSsr ? Object.values(ports) : Object.values(ports).filter((port) => port !== ports.ssr)) {
    for (let tries = 0; ; tries++) {
      try {
        if ((await fetch(`${base(port)}/readyz`)).ok) break;
      } catch {
        // starting
      }
      if (tries > 300) throw new Error(`service on ${port} never became ready`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    ports,
    base,
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    },
  };
}

