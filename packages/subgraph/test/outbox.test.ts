// A write's cache invalidation outlives the process that made it (writes.ts): a subgraph killed
// between its commit and its new version tokens, or one that could not reach the store and died
// before it could retry, leaves an outbox row that a restart, or any other subgraph's periodic
// replay, applies. Checked at every cache layer a reader meets: the entity cache (a second items
// subgraph's REST), the gateway's response cache (GraphQL and REST) and the SSR page cache.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { postgresProxy, createTestDatabase, type PostgresProxy, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { createSsrService, type SsrService } from '@supergraph-lab/ssr';
import { startStack, type Stack } from '@supergraph-lab/stack';
import { serviceCommand } from '@supergraph-lab/stack/processes';
import { eventually, freePort, waitReady } from '@supergraph-lab/testing';
import { CRASH_BEFORE_INVALIDATION_HEADER } from '../src/crash.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The readers (gateway, an items subgraph, reviews, photos, SSR) in this process and the writer,
 * an items subgraph of its own process that a test may kill: all on one database and, through a
 * proxy the test can cut, one Redis.
 */
interface Shop {
  db: TestDatabase;
  redis: PostgresProxy;
  stack: Stack;
  ssr: SsrService;
  ssrUrl: string;
  writerUrl: string;
  /** Starts the writer (again), on its port; resolves once it is ready. */
  startWriter(): Promise<ChildProcess>;
  writer: ChildProcess;
  close(): Promise<void>;
}

async function openShop(label: string, replayIntervalMs: number): Promise<Shop> {
  const db = await createTestDatabase(label);
  await loadShopData({ url: db.url, items: 20, seed: 5 });
  // a proxy that speaks TCP, whatever the protocol: Redis's here
  const redis = await postgresProxy(REDIS_URL);
  const env = {
    CACHE_URL: redis.url,
    CACHE_NAMESPACE: `sgl-outbox-${randomUUID().slice(0, 8)}`,
    CACHE_MODE: 'all',
    CACHE_REPLAY_INTERVAL_MS: String(replayIntervalMs),
  };
  const stack = await startStack({ databaseUrl: db.url, env });
  const ssr = createSsrService(readConfig({ ...env, LOG_LEVEL: 'silent' }), { gatewayUrl: stack.gatewayUrl });
  const ssrUrl = await ssr.listen(0);
  const port = await freePort();
  const writerUrl = `http://127.0.0.1:${port}`;
  const shop: Shop = {
    db,
    redis,
    stack,
    ssr,
    ssrUrl,
    writerUrl,
    writer: undefined as unknown as ChildProcess,
    async startWriter() {
      const [command, ...args] = serviceCommand('subgraphs/items/src/main.ts');
      const child = spawn(command, args, {
        env: {
          ...process.env,
          ...env,
          DATABASE_URL: db.url,
          ITEMS_PORT: String(port),
          LOG_LEVEL: 'error',
          // the kill point (refused with NODE_ENV=production)
          NODE_ENV: 'test',
          TEST_CRASH_AFTER_COMMIT: 'on',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      shop.writer = child;
      await waitReady(writerUrl, { name: 'the writing items subgraph', stopped: () => child.exitCode !== null });
      return child;
    },
    async close() {
      if (shop.writer && shop.writer.exitCode === null && shop.writer.signalCode === null) {
        shop.writer.kill('SIGTERM');
        await exited(shop.writer);
      }
      await ssr.close();
      await stack.close();
      await redis.close();
      await db.drop();
    },
  };
  await shop.startWriter();
  return shop;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/** An item's name as each cache layer serves it, with whether it came from that layer's cache. */
async function views(shop: Shop, id: number) {
  const graphql = await fetch(`${shop.stack.gatewayUrl}/graphql`, {
    signal: AbortSignal.timeout(10_000),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query ($id: ID!) { item(id: $id) { name } }', variables: { id: String(id) } }),
  });
  const gatewayRest = await fetch(`${shop.stack.gatewayUrl}/api/items/${id}`, { signal: AbortSignal.timeout(10_000) });
  const entity = await fetch(`${shop.stack.subgraphUrls.items}/api/items/${id}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const page = await fetch(`${shop.ssrUrl}/items/${id}`, { signal: AbortSignal.timeout(10_000) });
  const html = await page.text();
  return {
    graphql: { name: ((await graphql.json()) as any).data.item.name, cache: graphql.headers.get('x-cache') },
    gatewayRest: { name: ((await gatewayRest.json()) as any).name, cache: gatewayRest.headers.get('x-cache') },
    entity: { name: ((await entity.json()) as any).name },
    ssr: { html, cache: page.headers.get('x-cache') },
  };
}

type Views = Awaited<ReturnType<typeof views>>;

const names = (seen: Views) => [seen.graphql.name, seen.gatewayRest.name, seen.entity.name];

/** Reads the item until every layer has it cached (a HIT at the gateway and the page cache). */
async function warm(shop: Shop, id: number): Promise<Views> {
  return eventually(
    async () => {
      const seen = await views(shop, id);
      return seen.graphql.cache === 'HIT' && seen.gatewayRest.cache === 'HIT' && seen.ssr.cache === 'HIT' && seen;
    },
    10_000,
    `item ${id} cached at every layer`,
  );
}

/** Renames an item at the writer, asking it to die at the kill point with `crash`. */
const rename = (shop: Shop, id: number, name: string, crash = false) =>
  fetch(`${shop.writerUrl}/api/items/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...(crash ? { [CRASH_BEFORE_INVALIDATION_HEADER]: '1' } : {}) },
    body: JSON.stringify({ name }),
  });

const pendingRows = (shop: Shop) => shop.stack.subgraphs.items.prisma.cacheInvalidation.count();

test(
  'a subgraph killed between its commit and its new tokens: after its restart no layer serves the old item',
  { timeout: 120_000 },
  async () => {
    // no periodic replay: what applies the invalidation here is the restart
    const shop = await openShop('outbox_crash', 0);
    try {
      const before = await warm(shop, 3);
      const renamed = `Renamed before a crash ${randomUUID().slice(0, 6)}`;
      await assert.rejects(rename(shop, 3, renamed, true), 'the writer dies before it answers');
      await exited(shop.writer);
      assert.equal(shop.writer.signalCode, 'SIGKILL');
      const row = await shop.stack.subgraphs.items.prisma.item.findUniqueOrThrow({ where: { id: 3 } });
      assert.equal(row.name, renamed, 'the write committed');
      assert.equal(await pendingRows(shop), 1, 'with its outbox row');

      // the fault: until something applies the row, every layer serves the old item
      const stale = await views(shop, 3);
      assert.deepEqual(names(stale), names(before));
      assert.equal(stale.graphql.cache, 'HIT');

      await shop.startWriter();
      const after = await views(shop, 3);
      assert.deepEqual(names(after), [renamed, renamed, renamed], 'no layer serves the old name');
      assert.ok(after.ssr.html.includes(renamed), 'nor the SSR page cache');
      assert.notEqual(after.graphql.cache, 'HIT');
      assert.equal(await pendingRows(shop), 0, 'the restart applied the row and deleted it');
    } finally {
      await shop.close();
    }
  },
);

test(
  'the store down at the write and its writer dead before it returns: another subgraph replays it, no restart',
  { timeout: 120_000 },
  async () => {
    const shop = await openShop('outbox_store_down', 300);
    try {
      const before = await warm(shop, 4);
      shop.redis.cut();
      const renamed = `Renamed while Redis was away ${randomUUID().slice(0, 6)}`;
      const written = await rename(shop, 4, renamed);
      assert.equal(written.status, 200, 'writes go on without the store');
      // the writer's own memory of the failed invalidation goes with it
      shop.writer.kill('SIGKILL');
      await exited(shop.writer);
      assert.equal(await pendingRows(shop), 1);
      shop.redis.restore();

      // Redis is back with the entries from before the write; the readers' replay kills them
      await eventually(
        async () => {
          const seen = await views(shop, 4);
          return names(seen).every((name) => name === renamed) && seen.ssr.html.includes(renamed);
        },
        15_000,
        'every layer to serve the new name',
      );
      assert.equal(await pendingRows(shop), 0);
      assert.notDeepEqual(names(before), [renamed, renamed, renamed]);
    } finally {
      await shop.close();
    }
  },
);
