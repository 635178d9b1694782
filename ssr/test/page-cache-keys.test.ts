// The SSR page cache keys a review page by its decoded keyset, not the cursor's text: another
// spelling of the same cursor is the same page, and junk is a 400 before the cache. Keys are
// counted in Redis, under this file's own namespace.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createCacheStore, type CacheStore } from '@supergraph-lab/cache';
import { REVIEWS_PER_PAGE } from '@supergraph-lab/http/documents';
import { graphql, redisKeys, rest } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('SSR page cache keys', () => {
  const env = { REDIS_URL, CACHE_NAMESPACE: `sgl-pagekeys-${randomUUID().slice(0, 8)}`, CACHE_MODE: 'all' };
  const stack = seededStack('ssr-page-keys', { items: 20, seed: 13, env, ssr: true });
  let url: string;
  let store: CacheStore;

  before(async () => {
    url = stack.ssrUrl;
    store = createCacheStore({ url: REDIS_URL, namespace: env.CACHE_NAMESPACE });
  });
  after(async () => {
    await store?.close();
  });

  const pageKeys = () => redisKeys(store, 'page:');
  const cacheOf = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    await response.text();
    return { status: response.status, cache: response.headers.get('x-cache') };
  };

  test('spellings of one cursor are one page key; a junk cursor is a 400 and no key', async () => {
    const list = await graphql<{ items: { edges: { node: { id: string; reviewSummary: { count: number } } }[] } }>(
      stack.gatewayUrl,
      '{ items(first: 20) { edges { node { id reviewSummary { count } } } } }',
    );
    const item = list.data!.items.edges.find(({ node }) => node.reviewSummary.count > REVIEWS_PER_PAGE + 1)!.node.id;
    const reviews = await rest(stack.gatewayUrl, 'GET', `/api/items/${item}/reviews?first=${REVIEWS_PER_PAGE}`);
    const cursor = reviews.body.pageInfo.endCursor as string;
    const keyset = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
    const spell = (text: string) => Buffer.from(text).toString('base64url');
    const spellings = [
      spell(JSON.stringify(Object.fromEntries(Object.entries(keyset).reverse()))),
      spell(JSON.stringify(keyset, null, 1)),
      spell(` ${JSON.stringify(keyset)}`),
    ];
    assert.equal(new Set([cursor, ...spellings]).size, 4, 'four different texts');

    assert.deepEqual(await cacheOf(`/items/${item}?after=${cursor}`), { status: 200, cache: 'MISS' });
    assert.deepEqual(await cacheOf(`/items/${item}?after=${cursor}`), { status: 200, cache: 'HIT' });
    for (const spelling of spellings)
      assert.deepEqual(await cacheOf(`/items/${item}?after=${spelling}`), { status: 200, cache: 'HIT' }, spelling);
    assert.equal((await pageKeys()).length, 1);

    const junk = [
      'not-a-cursor',
      spell('{"s":"NEWEST"}'),
      spell(JSON.stringify({ ...keyset, extra: 1 })),
      spell(JSON.stringify({ ...keyset, s: 'LOWEST' })),
      `${cursor}==`,
    ];
    for (const after of junk)
      assert.deepEqual(await cacheOf(`/items/${item}?after=${encodeURIComponent(after)}`), {
        status: 400,
        cache: null,
      });
    assert.equal((await pageKeys()).length, 1);
  });
});
