import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { readConfig, readToolConfig } from '@supergraph-lab/config';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { graphql, rest, startStack, type Stack } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { MEMCACHED, skipWithout } from '@supergraph-lab/stack/tools';
import { eventually, startMemcached, startRedis } from '@supergraph-lab/testing';
import { createGatewayService, type GatewayService } from '../src/service.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_TOKEN = 'test-admin-token-0123456789';

// memcached: one of this file's own (CACHE_URL=memcached://...), for the same tests as Redis
const WITHOUT_MEMCACHED = skipWithout(MEMCACHED);
const memcached = WITHOUT_MEMCACHED ? null : await startMemcached(readToolConfig().memcachedBin);
after(() => memcached?.stop());

/** The shared stores every cache test runs on: CACHE_URL names each. */
const STORES = [
  { name: 'Redis', kind: 'redis', url: REDIS_URL, skip: false, start: (port?: number) => startRedis(port) },
  {
    name: 'memcached',
    kind: 'memcached',
    url: memcached?.url ?? 'memcached://127.0.0.1:1',
    skip: WITHOUT_MEMCACHED,
    start: (port?: number) => startMemcached(readToolConfig().memcachedBin, port),
  },
] as const;

const PAGE = `query Page($id: ID!) { item(id: $id) { name stock reviewSummary { count } reviews(first: 3) { edges { node { id title } } } photos { id altText } } }`;

async function page(url: string, id: number) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: PAGE, variables: { id: String(id) } }),
  });
  const body = (await response.json()) as { data: { item: any }; errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return { cache: response.headers.get('x-cache'), item: body.data.item };
}

for (const store of STORES)
  describe(`caching with ${store.name}`, { skip: store.skip }, () => {
    const env = {
      CACHE_URL: store.url,
      CACHE_NAMESPACE: `sgl-test-${randomUUID().slice(0, 8)}`,
      ADMIN_TOKEN,
      CACHE_MODE: 'all',
    };
    const stack = seededStack('cache', { items: 60, seed: 4, env });

    test('a query misses, then hits with the same answer', async () => {
      const first = await page(stack.gatewayUrl, 10);
      const second = await page(stack.gatewayUrl, 10);
      assert.deepEqual([first.cache, second.cache], ['MISS', 'HIT']);
      assert.deepEqual(second.item, first.item);
      // a caller that asks (the SSR page cache) gets the dependencies with a miss and with a hit
      const wanted = { 'x-want-cache-dependencies': '1' };
      const missed = await graphql(stack.gatewayUrl, PAGE, { id: '11' }, wanted);
      const hit = await graphql(stack.gatewayUrl, PAGE, { id: '11' }, wanted);
      assert.deepEqual([missed.headers.get('x-cache'), hit.headers.get('x-cache')], ['MISS', 'HIT']);
      const dependencies = missed.extensions?.cacheDependencies as object | undefined;
      assert.ok(dependencies && Object.keys(dependencies).length > 0, JSON.stringify(missed));
      assert.deepEqual(hit.extensions, { cacheDependencies: dependencies });
      const unasked = await graphql(stack.gatewayUrl, PAGE, { id: '11' });
      assert.deepEqual(
        [unasked.headers.get('x-cache'), unasked.extensions],
        ['HIT', undefined],
        'only for a caller that asks',
      );
      const restFirst = await rest(stack.gatewayUrl, 'GET', '/api/items/10/reviews?first=2');
      const restSecond = await rest(stack.gatewayUrl, 'GET', '/api/items/10/reviews?first=2');
      assert.deepEqual([restFirst.headers.get('x-cache'), restSecond.headers.get('x-cache')], ['MISS', 'HIT']);
      assert.deepEqual(restSecond.body, restFirst.body);
      assert.equal(restSecond.headers.get('x-cache-dependencies'), null, 'the internal header stays inside');
    });

    test('every kind of write, over every protocol and entry point, is seen by the very next read on every path', async () => {
      const gw = stack.gatewayUrl;
      const direct = stack.subgraphUrls;
      const id = 20;
      /** Reads item `id` over the three read paths, twice each so all are cached before a write. */
      const readAll = async () => {
        const views = [];
        for (let round = 0; round < 2; round++) {
          views.push({
            graphql: (await page(gw, id)).item,
            restGateway: (await rest(gw, 'GET', `/api/items/${id}/reviews?first=3`)).body,
            restDirect: (await rest(direct.photos, 'GET', `/api/items/${id}/photos`)).body,
            itemGateway: (await rest(gw, 'GET', `/api/items/${id}`)).body,
          });
        }
        return views[1]!;
      };
      const review = (
        await rest(gw, 'POST', `/api/items/${id}/reviews`, { rating: 4, title: 'seed', body: 'b', author: 'a' })
      ).body;
      const photo = (
        await rest(gw, 'POST', `/api/items/${id}/photos`, {
          url: 'https://images.supergraph-shop.example/s.jpg',
          width: 1,
          height: 1,
        })
      ).body;

      const writes: [string, () => Promise<unknown>, (view: Awaited<ReturnType<typeof readAll>>) => void][] = [
        [
          'item PATCH via gateway REST',
          () => rest(gw, 'PATCH', `/api/items/${id}`, { name: 'Renamed A' }),
          (v) => {
            assert.equal(v.graphql.name, 'Renamed A');
            assert.equal(v.itemGateway.name, 'Renamed A');
          },
        ],
        [
          'item update via GraphQL',
          () => graphql(gw, `mutation { updateItem(id: "${id}", input: { stock: 77 }) { id } }`),
          (v) => {
            assert.equal(v.graphql.stock, 77);
            assert.equal(v.itemGateway.stock, 77);
          },
        ],
        [
          'item PUT straight to the items subgraph',
          () =>
            rest(direct.items, 'PUT', `/api/items/${id}`, {
              sku: `SKU-${id}-X`,
              name: 'Renamed B',
              category: 'Books',
              brand: 'b',
              priceCents: 5,
            }),
          (v) => {
            assert.equal(v.graphql.name, 'Renamed B');
            assert.equal(v.itemGateway.sku, `SKU-${id}-X`);
          },
        ],
        [
          'review create straight to the reviews subgraph',
          () =>
            rest(direct.reviews, 'POST', `/api/items/${id}/reviews`, {
              rating: 5,
              title: 'Direct new',
              body: 'b',
              author: 'a',
            }),
          (v) => {
            assert.equal(v.graphql.reviews.edges[0].node.title, 'Direct new');
            assert.equal(v.restGateway.reviews[0].title, 'Direct new');
          },
        ],
        [
          'review update via GraphQL',
          () => graphql(gw, `mutation { updateReview(id: "${review.id}", input: { title: "Edited seed" }) { id } }`),
          (v) => {
            assert.ok(v.graphql.reviews.edges.some((edge: any) => edge.node.title === 'Edited seed'));
            assert.ok(v.restGateway.reviews.some((r: any) => r.title === 'Edited seed'));
          },
        ],
        [
          'review delete via gateway REST',
          () => rest(gw, 'DELETE', `/api/reviews/${review.id}`),
          (v) => {
            assert.ok(!v.graphql.reviews.edges.some((edge: any) => edge.node.id === String(review.id)));
            assert.ok(!v.restGateway.reviews.some((r: any) => r.id === review.id));
          },
        ],
        [
          'photo update via gateway REST',
          () => rest(gw, 'PATCH', `/api/photos/${photo.id}`, { altText: 'New alt' }),
          (v) => {
            assert.ok(v.graphql.photos.some((p: any) => p.altText === 'New alt'));
            assert.ok(v.restDirect.photos.some((p: any) => p.altText === 'New alt'));
          },
        ],
        [
          'photo delete via GraphQL',
          () => graphql(gw, `mutation { deletePhoto(id: "${photo.id}") }`),
          (v) => {
            assert.ok(!v.graphql.photos.some((p: any) => p.id === String(photo.id)));
            assert.ok(!v.restDirect.photos.some((p: any) => p.id === photo.id));
          },
        ],
      ];
      for (const [name, write, check] of writes) {
        await readAll();
        await write();
        const views = await readAll();
        try {
          check(views);
        } catch (error) {
          throw new Error(`stale after "${name}": ${(error as Error).message}`);
        }
        // the summary agrees with the page over every path
        assert.equal(
          views.graphql.reviewSummary.count,
          (await rest(direct.reviews, 'GET', `/api/items/${id}/reviews/summary`)).body.count,
          name,
        );
      }
      const summaryHit = await rest(gw, 'GET', `/api/items/${id}/reviews?first=3`);
      assert.equal(summaryHit.headers.get('x-cache'), 'HIT', 'caching still works after all that');

      // deleting the item: its page, its reviews and photos are gone everywhere at once
      const reviewIds = (await rest(gw, 'GET', `/api/items/${id}/reviews?first=100`)).body.reviews.map(
        (r: any) => r.id,
      );
      assert.ok(reviewIds.length > 0);
      for (const reviewId of reviewIds) await rest(gw, 'GET', `/api/reviews/${reviewId}`);
      await graphql(gw, `mutation { deleteItem(id: "${id}") }`);
      const gone = await graphql(gw, PAGE, { id: String(id) });
      assert.equal(gone.data!.item, null);
      for (const reviewId of reviewIds)
        assert.equal(
          (await rest(gw, 'GET', `/api/reviews/${reviewId}`)).status,
          404,
          `review ${reviewId} after the cascade`,
        );
    });

    test(`two gateway instances sharing one ${store.name} see each other's invalidations`, async () => {
      const config = readConfig({ ...env, LOG_LEVEL: 'silent', NODE_ENV: 'test', DATABASE_URL: stack.db.url });
      const second: GatewayService = await createGatewayService(config, { subgraphUrls: stack.subgraphUrls });
      const secondUrl = await second.listen(0);
      try {
        const id = 30;
        await page(stack.gatewayUrl, id);
        assert.equal((await page(stack.gatewayUrl, id)).cache, 'HIT');
        assert.equal((await page(secondUrl, id)).cache, 'HIT', 'an entry one instance wrote serves the other');
        await rest(secondUrl, 'PATCH', `/api/items/${id}`, { name: 'Written through the second gateway' });
        const seen = await page(stack.gatewayUrl, id);
        assert.deepEqual([seen.cache, seen.item.name], ['MISS', 'Written through the second gateway']);
      } finally {
        await second.close();
      }
    });

    test(`automatic persisted queries are kept in ${store.name}`, async () => {
      const query = '{ items(first: 1) { edges { node { id } } } }';
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      const post = (body: object) =>
        fetch(`${stack.gatewayUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<any>);
      assert.equal((await post({ extensions })).errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
      assert.ok((await post({ query, extensions })).data.items);
      assert.ok((await post({ extensions })).data.items, 'the hash alone now works');
    });

    test('the inspector needs the admin token, shows each layer and recent entries, and flushes', async () => {
      assert.equal((await rest(stack.gatewayUrl, 'GET', '/cache')).status, 401);
      const wrong = await rest(stack.gatewayUrl, 'GET', '/cache', undefined, {
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.code, 'UNAUTHORIZED');
      assert.equal((await rest(stack.gatewayUrl, 'POST', '/cache/flush')).status, 401);

      await page(stack.gatewayUrl, 40);
      await page(stack.gatewayUrl, 40);
      const auth = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
      const inspected = await rest(stack.gatewayUrl, 'GET', '/cache', undefined, auth);
      assert.equal(inspected.status, 200);
      const { layers, recent } = inspected.body;
      assert.ok(layers.response.hits >= 1 && layers.response.misses >= 1);
      assert.ok(layers.response.hitRatio > 0 && layers.response.hitRatio < 1);
      assert.ok(layers.entity.hits > 0 && layers.entity.subgraphs.reviews.misses > 0);
      assert.ok(layers.rest.hits >= 1);
      const shown = inspected.body.store;
      assert.equal(shown.kind, store.kind);
      assert.ok(shown.keys > 0 && typeof shown.usedMemory === 'string', JSON.stringify(shown));
      assert.ok(recent.length > 0);
      const entries = await rest(stack.gatewayUrl, 'GET', '/cache/entries?limit=20', undefined, auth);
      if (store.kind === 'redis') {
        assert.ok(
          recent[0].ttlMs > 0 && recent[0].ttlMs <= 300_000 && recent[0].sizeBytes > 0,
          JSON.stringify(recent[0]),
        );
        assert.ok(entries.body.entries.length > 0);
      } else {
        // memcached has its counters but no command to list keys: the inspector says so
        assert.ok(shown.evictions >= 0 && shown.limitMaxBytes > 0, JSON.stringify(shown));
        assert.equal(shown.keyListing, false);
        assert.match(shown.note, /memcached cannot list its keys/);
        assert.deepEqual([entries.body.keyListing, entries.body.entries], [false, []]);
        assert.ok(entries.body.keys > 0);
      }

      const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
      assert.match(metrics, /cache_hit_ratio\{layer="response",service="gateway"\} 0\.\d+/);
      assert.match(
        await (await fetch(`${stack.subgraphUrls.reviews}/metrics`)).text(),
        /cache_requests_total\{layer="entity",result="hit",service="reviews"\} [1-9]/,
      );

      const flushed = await rest(stack.gatewayUrl, 'POST', '/cache/flush', undefined, auth);
      assert.equal(flushed.status, 200);
      if (store.kind === 'redis') assert.ok(flushed.body.deletedKeys > 0);
      else assert.match(flushed.body.note, /dead entries expire by their TTL/);
      assert.equal((await page(stack.gatewayUrl, 40)).cache, 'MISS', 'nothing survives a flush');
    });
  });

for (const store of STORES)
  describe(`caching while ${store.name} is away`, { skip: store.skip }, () => {
    test(
      'the API keeps answering from Postgres, and nothing written meanwhile is served stale afterwards',
      { timeout: 60_000 },
      async () => {
        const redis = await store.start();
        const db = await createTestDatabase('cache_outage');
        let stack: Stack | undefined;
        try {
          await loadShopData({ url: db.url, items: 20, seed: 8 });
          stack = await startStack({ databaseUrl: db.url, env: { CACHE_URL: redis.url, CACHE_MODE: 'all' } });
          await page(stack.gatewayUrl, 5);
          assert.equal((await page(stack.gatewayUrl, 5)).cache, 'HIT');

          // freeze Redis: it keeps its data, but answers nobody
          redis.process.kill('SIGSTOP');
          const started = performance.now();
          const during = await page(stack.gatewayUrl, 5);
          assert.equal(during.item.name.length > 0, true, 'answered from Postgres');
          const written = await rest(stack.gatewayUrl, 'PATCH', '/api/items/5', {
            name: 'Written while Redis was away',
          });
          assert.equal(written.status, 200, 'writes go on');
          assert.equal((await page(stack.gatewayUrl, 5)).item.name, 'Written while Redis was away');
          assert.ok(performance.now() - started < 10_000, 'never waits long on the cache');

          redis.process.kill('SIGCONT');
          // Redis is back with the entries from before the write: none of them may be served
          const gatewayUrl = stack.gatewayUrl;
          await eventually(
            async () => {
              const view = await page(gatewayUrl, 5);
              assert.equal(view.item.name, 'Written while Redis was away', 'no stale entry after Redis returns');
              return (await page(gatewayUrl, 5)).cache === 'HIT';
            },
            10_000,
            'caching to resume',
            100,
          );
        } finally {
          redis.process.kill('SIGCONT');
          await stack?.close();
          await redis.stop();
          await db.drop();
        }
      },
    );
  });

describe(
  'switching the cache store at runtime (CACHE_URL=memcached:// beside REDIS_URL)',
  { skip: WITHOUT_MEMCACHED },
  () => {
    const env = {
      CACHE_URL: memcached?.url ?? '',
      REDIS_URL,
      CACHE_NAMESPACE: `sgl-switch-${randomUUID().slice(0, 8)}`,
      ADMIN_TOKEN,
      CACHE_MODE: 'all',
    };
    const stack = seededStack('cache_switch', { items: 20, seed: 6, env });
    const auth = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
    const settings = (patch: object) => rest(stack.gatewayUrl, 'PUT', '/admin/settings', patch, auth);

    test('every service switches; a write made on one store is never served stale from the other', async () => {
      const before = (await rest(stack.gatewayUrl, 'GET', '/admin/settings', undefined, auth)).body;
      assert.deepEqual(before.gateway, {
        cacheMode: 'all',
        cacheStore: 'memcached',
        cacheStores: ['memcached', 'redis'],
      });
      assert.equal(before.subgraphs.reviews.cacheStore, 'memcached');
      await page(stack.gatewayUrl, 7);
      assert.equal((await page(stack.gatewayUrl, 7)).cache, 'HIT', 'served from memcached');

      const switched = await settings({ cacheStore: 'redis' });
      assert.equal(switched.status, 200, JSON.stringify(switched.body));
      assert.equal(switched.body.gateway.cacheStore, 'redis');
      for (const name of ['items', 'reviews', 'photos'])
        assert.equal(switched.body.subgraphs[name].cacheStore, 'redis');
      assert.equal((await rest(stack.gatewayUrl, 'GET', '/cache', undefined, auth)).body.store.kind, 'redis');
      assert.equal((await page(stack.gatewayUrl, 7)).cache, 'MISS', 'Redis holds nothing of it yet');
      assert.equal((await page(stack.gatewayUrl, 7)).cache, 'HIT');

      // written while Redis serves: memcached still holds the page from before, which must not come back
      assert.equal((await rest(stack.gatewayUrl, 'PATCH', '/api/items/7', { name: 'Written on Redis' })).status, 200);
      assert.equal((await settings({ cacheStore: 'memcached' })).status, 200);
      const back = await page(stack.gatewayUrl, 7);
      assert.deepEqual([back.cache, back.item.name], ['MISS', 'Written on Redis']);
      assert.equal((await page(stack.gatewayUrl, 7)).cache, 'HIT');
    });

    test('a store that is not configured, or no store at all, is refused with 400 and changes nothing', async () => {
      const unknown = await settings({ cacheStore: 'valkey' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.detail, /cacheStore: must be one of redis, memcached, memory/);
      const memory = await settings({ cacheStore: 'memory' });
      assert.equal(memory.status, 400);
      assert.match(memory.body.detail, /cacheStore memory is not configured here \(memcached, redis are\)/);
      const now = (await rest(stack.gatewayUrl, 'GET', '/admin/settings', undefined, auth)).body;
      assert.equal(now.gateway.cacheStore, 'memcached');
    });
  },
);
