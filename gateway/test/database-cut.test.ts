// The database (Postgres; MariaDB in npm test's second run) cut off mid-life, through a TCP proxy
// this test controls, and restored: clear 503s and GraphQL errors within 5 s, no hang, recovery
// without a restart, writes all-or-nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPrismaClient } from '@supergraph-lab/db';
import { createTestDatabase, databaseProxy, type DatabaseProxy, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { graphql, rest, reviewsTitled, startStack, type Stack } from '@supergraph-lab/stack';

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

  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const value = await work();
    return { value, ms: performance.now() - started };
  };

  test('while cut: REST 503 problem+json and GraphQL errors within 5 s; nothing written; back without a restart', async () => {
    const first = await rest(stack.gatewayUrl, 'GET', '/api/items/3');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    proxy.cut();

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
    assert.ok(write.ms < 5000);
    assert.equal(
      (await rest(stack.subgraphUrls.items, 'GET', '/readyz')).status,
      503,
      'not ready without its database',
    );

    proxy.restore();
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await rest(stack.gatewayUrl, 'GET', '/api/items/4')).status;
      if (status !== 200) await sleep(200);
    }
    assert.equal(status, 200, 'reads work again without a restart');
    const query2 = await graphql(stack.gatewayUrl, '{ item(id: "4") { name reviewSummary { count } } }');
    assert.equal(query2.errors, undefined);
    assert.equal(await reviewsTitled(db.url, 'during the cut'), 0, 'the refused write left nothing');
  });

  test('a delete cut off at any moment is all or nothing: the item with all its reviews and photos, or none of them', async () => {
    const prisma = createPrismaClient(db.url);
    const countsOf = async (id: number) => ({
      items: await prisma.item.count({ where: { id } }),
      reviews: await prisma.review.count({ where: { itemId: id } }),
      photos: await prisma.photo.count({ where: { itemId: id } }),
    });
    try {
      for (const [index, id] of [30, 31, 32, 33, 34, 35].entries()) {
        const counts = await countsOf(id);
        const deleting = rest(stack.gatewayUrl, 'DELETE', `/api/items/${id}`);
        await sleep(index * 3);
        proxy.cut();
        const answer = await deleting;
        proxy.restore();
        const after = await countsOf(id);
        assert.ok([204, 503].includes(answer.status), `DELETE answered ${answer.status}`);
        const whole = after.items === 1 && after.reviews === counts.reviews && after.photos === counts.photos;
        const gone = after.items === 0 && after.reviews === 0 && after.photos === 0;
        assert.ok(whole || gone, `item ${id} half deleted: ${JSON.stringify(after)} of ${JSON.stringify(counts)}`);
        if (answer.status === 204) assert.ok(gone, 'a 204 means it is gone');
      }
    } finally {
      await prisma.$disconnect();
    }
  });
});
