// The database (Postgres; MariaDB in npm test's second run) cut off mid-life, through a TCP proxy
// this test controls, and restored: clear 503s and GraphQL errors within 5 s, no hang, recovery
// without a restart, writes all-or-nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPrismaClient } from '@supergraph-lab/db';
import {
  createTestDatabase,
  databaseProxy,
  lockRows,
  LOCK_WAITS_POLL_MS,
  type DatabaseProxy,
  type TestDatabase,
} from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { graphql, rest, reviewsTitled, startStack, type Stack } from '@supergraph-lab/stack';
import { eventually } from '@supergraph-lab/testing';

describe('the database cut off and restored', () => {
  let db: TestDatabase;
  let stack: Stack;
  let proxy: DatabaseProxy;

  before(async () => {
    db = await createTestDatabase('pgcut');
    await loadShopData({ url: db.url, items: 40, seed: 6 });
    proxy = await databaseProxy(db.url);
    // no cache: every read must reach the database
    stack = await startStack({
      databaseUrl: proxy.url,
      env: { CACHE_MODE: 'off', LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent' },
    });
  });
  after(async () => {
    await stack?.close();
    await proxy?.close();
    await db?.drop();
  });

  /** Waits until a read through the restored proxy answers 200: the pools connect again by themselves. */
  const readsWorkAgain = () =>
    eventually(
      async () => (await rest(stack.gatewayUrl, 'GET', '/api/items/4')).status === 200,
      15_000,
      'reads to work again without a restart',
      200,
    );

  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const value = await work();
    return { value, ms: performance.now() - started };
  };

  test('while cut: REST 503 problem+json and GraphQL errors within 5 s; nothing written; back without a restart', async () => {
    const first = await rest(stack.gatewayUrl, 'GET', '/api/items/3');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    proxy.cut();
    // restored whatever fails: a test after this one must find the database reachable
    try {
      const read = await timed(() => rest(stack.gatewayUrl, 'GET', '/api/items/4'));
      assert.equal(read.value.status, 503, JSON.stringify(read.value.body));
      assert.match(read.value.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.match(read.value.body.detail, /database/i);
      assert.ok(read.ms < 5000, `REST answered in ${read.ms} ms`);

      const query = await timed(() => graphql(stack.gatewayUrl, '{ item(id: "4") { name reviewSummary { count } } }'));
      assert.ok(query.value.errors?.length, 'GraphQL reports the failure');
      assert.ok(query.ms < 5000, `GraphQL answered in ${query.ms} ms`);

      const write = await timed(() =>
        rest(stack.gatewayUrl, 'POST', '/api/items/4/reviews', {
          rating: 4,
          title: 'during the cut',
          body: 'x',
          author: 'proxy',
        }),
      );
      assert.equal(write.value.status, 503);
      assert.ok(write.ms < 5000, `the write answered in ${write.ms} ms`);
      assert.equal(
        (await rest(stack.subgraphUrls.items, 'GET', '/readyz')).status,
        503,
        'not ready without its database',
      );
    } finally {
      proxy.restore();
    }
    await readsWorkAgain();
    const query2 = await graphql(stack.gatewayUrl, '{ item(id: "4") { name reviewSummary { count } } }');
    assert.equal(query2.errors, undefined);
    assert.equal(await reviewsTitled(db.url, 'during the cut'), 0, 'the refused write left nothing');
  });

  test('a delete cut off mid-transaction is rolled back whole: the item keeps all its reviews and photos', async (t) => {
    const prisma = createPrismaClient(db.url);
    const countsOf = async (id: number) => ({
      items: await prisma.item.count({ where: { id } }),
      reviews: await prisma.review.count({ where: { itemId: id } }),
      photos: await prisma.photo.count({ where: { itemId: id } }),
    });
    try {
      // items with photos to lock, and reviews for the cascade to take too
      const ids = (
        await prisma.item.findMany({
          where: { id: { gte: 30 }, photos: { some: {} }, reviews: { some: {} } },
          orderBy: { id: 'asc' },
          take: 3,
          select: { id: true },
        })
      ).map((item) => item.id);
      assert.equal(ids.length, 3, 'the seed has items with photos and reviews to delete');
      for (const id of ids) {
        const counts = await countsOf(id);
        // the photos locked in a transaction of the test's own (not through the proxy): the delete
        // begins its transaction, reads, deletes the item's row, then waits in its cascade to the
        // photos; the cut lands there, mid-transaction, every time
        const lock = await lockRows(db.url, 'photos', 'item_id', id);
        let answer: Awaited<ReturnType<typeof rest>>;
        try {
          const deleting = rest(stack.gatewayUrl, 'DELETE', `/api/items/${id}`);
          const waiter = await eventually(
            () => lock.waiter(),
            10_000,
            `the delete of item ${id} to wait on its photos`,
            LOCK_WAITS_POLL_MS,
          );
          // the cut lands inside the delete's transaction, before its COMMIT
          assert.match(waiter.statement, /^\s*DELETE\b/i, 'the waiting statement is the delete');
          assert.ok(waiter.wrote, 'its transaction has deleted the item row already');
          t.diagnostic(`item ${id}: cut while its delete waited in its transaction (wrote: ${waiter.wrote})`);
          proxy.cut();
          answer = await deleting;
          await lock.release();
          // the database ends the cut session once its statement can go on: a rollback, never a commit
          await eventually(async () => !(await lock.alive(waiter.session)), 10_000, 'the cut session to end');
        } finally {
          await lock.close();
          proxy.restore();
        }
        assert.equal(answer.status, 503, JSON.stringify(answer.body));
        assert.deepEqual(await countsOf(id), counts, `item ${id} is whole`);
      }
      // and once the database is back, the same delete goes through whole
      await readsWorkAgain();
      const deleted = await rest(stack.gatewayUrl, 'DELETE', `/api/items/${ids[0]}`);
      assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
      assert.deepEqual(await countsOf(ids[0]!), { items: 0, reviews: 0, photos: 0 });
    } finally {
      await prisma.$disconnect();
    }
  });
});
