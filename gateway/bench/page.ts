// npm run bench:gateway [-- --items N --seconds S --connections C]: the item page through the
// gateway against the same data fetched straight from the three subgraphs (three requests in
// parallel, as a client without a gateway would), so the gateway's own cost shows as a ratio.
// Services run as separate processes on a scratch database; medians of alternating rounds.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { biasedItemId, connect, databaseUrlFromEnv, migrate } from '@supergraph-lab/db';
import { urlForDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';

const ROOT = path.resolve(import.meta.dirname, '../..');

const PAGE_FIELDS = {
  item: 'id name description brand priceCents currency stock',
  reviews: 'reviewSummary { count averageRating histogram } reviews(first: 5) { edges { cursor node { id rating title body author createdAt } } pageInfo { hasNextPage endCursor } }',
  photos: 'primaryPhoto { url altText width height } photos { url altText width height position }',
};
const GATEWAY_QUERY = `query Page($id: ID!) { item(id: $id) { ${PAGE_FIELDS.item} ${PAGE_FIELDS.reviews} ${PAGE_FIELDS.photos} } }`;
const entities = (fields: string) => `query($r: [_Any!]!) { _entities(representations: $r) { ... on Item { ${fields} } } }`;

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    sequential: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '3' },
  },
});
const ITEMS = Number(values.items);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SEQUENTIAL = Number(values.sequential);
const ROUNDS = Number(values.rounds);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const agent = new Agent({ connections: CONNECTIONS, keepAliveTimeout: 30_000 });

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<void> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { errors?: unknown[] };
  if (response.statusCode !== 200 || body.errors) throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(body.errors)}`);
}

type PageLoad = (id: number) => Promise<unknown>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function sequential(load: PageLoad, maxId: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 200; i++) await load(biasedItemId(maxId));
  const samples: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = performance.now();
    await load(biasedItemId(maxId));
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function concurrent(load: PageLoad, maxId: number): Promise<{ rps: number; p99: number; errors: number }> {
  const until = performance.now() + SECONDS * 1000;
  const samples: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
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
  return { rps: samples.length / SECONDS, p99: percentile(samples, 99), errors };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}
const children: ChildProcess[] = [];

try {
  const serverUrl = databaseUrlFromEnv();
  const database = `sgl_bench_gateway_${process.pid}`;
  const admin = await connect(serverUrl);
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = urlForDatabase(serverUrl, database);
  try {
    const client = await connect(url);
    await migrate(client);
    await client.end();
    await loadShopData({ url, items: ITEMS, seed: 42 });

    const ports = { gateway: await freePort(), items: await freePort(), reviews: await freePort(), photos: await freePort() };
    const env = {
      ...process.env,
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      GATEWAY_PORT: String(ports.gateway),
      ITEMS_PORT: String(ports.items),
      REVIEWS_PORT: String(ports.reviews),
      PHOTOS_PORT: String(ports.photos),
    };
    for (const entry of ['subgraphs/items/src/main.ts', 'subgraphs/reviews/src/main.ts', 'subgraphs/photos/src/main.ts', 'gateway/src/main.ts']) {
      children.push(spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { env, stdio: 'inherit' }));
    }
    const base = (port: number) => `http://127.0.0.1:${port}`;
    for (const port of Object.values(ports)) {
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

    const viaGateway: PageLoad = (id) => post(`${base(ports.gateway)}/graphql`, GATEWAY_QUERY, { id: String(id) });
    const direct: PageLoad = (id) => {
      const representations = [{ __typename: 'Item', id: String(id) }];
      return Promise.all([
        post(`${base(ports.items)}/graphql`, `query($id: ID!) { item(id: $id) { ${PAGE_FIELDS.item} } }`, { id: String(id) }),
        post(`${base(ports.reviews)}/graphql`, entities(PAGE_FIELDS.reviews), { r: representations }),
        post(`${base(ports.photos)}/graphql`, entities(PAGE_FIELDS.photos), { r: representations }),
      ]);
    };

    console.log(`bench:gateway: ${ITEMS} items, ${os.cpus().length} cores, Node ${process.version}; ${ROUNDS} alternating rounds; ` +
      `sequential ${SEQUENTIAL} pages, then ${CONNECTIONS} connections for ${SECONDS} s`);
    const results = { gateway: { p50: [] as number[], p99: [] as number[], rps: [] as number[], cp99: [] as number[] }, direct: { p50: [] as number[], p99: [] as number[], rps: [] as number[], cp99: [] as number[] } };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, load] of [['gateway', viaGateway], ['direct', direct]] as const) {
        const seq = await sequential(load, ITEMS);
        const conc = await concurrent(load, ITEMS);
        if (conc.errors) console.log(`  ${name}: ${conc.errors} errors`);
        results[name].p50.push(seq.p50);
        results[name].p99.push(seq.p99);
        results[name].rps.push(conc.rps);
        results[name].cp99.push(conc.p99);
        console.log(`round ${round} ${name.padEnd(8)} sequential p50 ${seq.p50.toFixed(2)} ms p99 ${seq.p99.toFixed(2)} ms; ${CONNECTIONS} connections ${conc.rps.toFixed(0)} pages/s p99 ${conc.p99.toFixed(1)} ms`);
      }
    }
    const g = results.gateway;
    const d = results.direct;
    console.log(`\nmedians                      gateway     direct   gateway/direct`);
    const row = (label: string, a: number, b: number, digits = 2) => console.log(`${label.padEnd(28)} ${a.toFixed(digits).padStart(8)} ${b.toFixed(digits).padStart(10)} ${(a / b).toFixed(2).padStart(10)}x`);
    row('sequential p50 (ms)', median(g.p50), median(d.p50));
    row('sequential p99 (ms)', median(g.p99), median(d.p99));
    row(`pages/s at ${CONNECTIONS} connections`, median(g.rps), median(d.rps), 0);
    row(`p99 at ${CONNECTIONS} connections (ms)`, median(g.cp99), median(d.cp99), 1);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    await agent.close();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
} catch (error) {
  console.error(`bench:gateway: ${(error as Error).message}`);
  process.exitCode = 1;
}
