// What the benchmarks share: a scratch database, the services as separate processes, and
// sequential and concurrent (closed-loop) measurement of a page load.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { Agent, request } from 'undici';
import { biasedItemId, databaseUrlFromEnv } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type PageLoad = (id: number) => Promise<unknown>;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
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

/** POSTs GraphQL over `agent`; throws on a non-200 status or GraphQL errors. */
export async function postGraphQL(agent: Agent, url: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { errors?: unknown[] };
  if (response.statusCode !== 200 || body.errors) throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body.errors)}`);
}

/** p50 and p99 of `count` page loads one after another, after a warm-up of `warmup`. */
export async function sequential(load: PageLoad, maxId: number, count: number, warmup = 200): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < warmup; i++) await load(biasedItemId(maxId));
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await load(biasedItemId(maxId));
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Pages per second and p99 with `connections` clients looping for `seconds`. */
export async function concurrent(load: PageLoad, maxId: number, connections: number, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const until = performance.now() + seconds * 1000;
  const samples: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const start = performance.now();
        try {
          await load(biasedItemId(maxId));
          samples.push(performance.now() - start);
        } catch {
          errors++;
        }
      }
    }),
  );
  samples.sort((a, b) => a - b);
  return { rps: samples.length / seconds, p99: percentile(samples, 99), errors };
}

/** The options every page benchmark takes, with their defaults. */
export function benchOptions(defaults: { rounds: number }, extra: Record<string, string> = {}) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      sequential: { type: 'string', default: '1500' },
      rounds: { type: 'string', default: String(defaults.rounds) },
      items: { type: 'string', default: '20000' },
      ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, { type: 'string' as const, default: value }])),
    },
  });
  const numbers = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Number(value)]));
  for (const [name, value] of Object.entries(numbers)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify((values as Record<string, unknown>)[name])}`);
  }
  return numbers as { items: number; seconds: number; connections: number; sequential: number; rounds: number } & Record<string, number>;
}
