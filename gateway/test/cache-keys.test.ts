// The gateway's response caches key what the answer depends on, nothing a client may add: junk
// REST parameters and unused GraphQL variables make no new entries. Keys are counted in Redis,
// under this file's own namespace.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { graphql, redisKeys, rest } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe("the gateway's cache keys", () => {
  const env = { CACHE_URL: REDIS_URL, CACHE_NAMESPACE: `sgl-keys-${randomUUID().slice(0, 8)}`, CACHE_MODE: 'all' };
  const stack = seededStack('cache-keys', { items: 20, seed: 9, env });

  /** The keys of `layer` ('rest:', 'r:', 'apq:') in Redis under this stack's namespace. */
  const keysOf = (layer: string) => redisKeys(stack.gateway.cache.store, layer);

  test('a REST URL with 300 different junk parameters makes one key; spellings of its own do not add any', async () => {
    // an item with a second page of reviews
    const list = await graphql<{ items: { edges: { node: { id: string; reviewSummary: { count: number } } }[] } }>(
      stack.gatewayUrl,
      '{ items(first: 20) { edges { node { id reviewSummary { count } } } } }',
    );
    const item = list.data!.items.edges.find(({ node }) => node.reviewSummary.count >= 4)!.node.id;
    const path = `/api/items/${item}/reviews`;
    for (let i = 0; i < 300; i++) {
      const answer = await rest(stack.gatewayUrl, 'GET', `${path}?first=2&junk${i}=${randomUUID()}`);
      assert.equal(answer.status, 200);
      if (i > 0) assert.equal(answer.headers.get('x-cache'), 'HIT', `junk parameter ${i}`);
    }
    assert.equal((await keysOf('rest:')).length, 1);

    // the same reviews page: other order, defaults spelled out, a leading zero, the same cursor in another JSON order
    const first = await rest(stack.gatewayUrl, 'GET', `${path}?first=2`);
    const cursor = first.body.pageInfo.endCursor as string;
    const keyset = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
    const reordered = Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(keyset).reverse()))).toString(
      'base64url',
    );
    assert.notEqual(reordered, cursor);
    const spellings = [
      `${path}?sort=NEWEST&first=02`,
      `${path}?first=2&sort=&after=`,
      `/api/items/${encodeURIComponent(item).replace(/^\d/, (digit) => `%3${digit}`)}/reviews?first=2`,
    ];
    for (const spelling of spellings) {
      const answer = await rest(stack.gatewayUrl, 'GET', spelling);
      assert.deepEqual([answer.headers.get('x-cache'), answer.body], ['HIT', first.body], spelling);
    }
    const next = await rest(stack.gatewayUrl, 'GET', `${path}?first=2&after=${cursor}`);
    const again = await rest(stack.gatewayUrl, 'GET', `${path}?after=${reordered}&first=2&x=1`);
    assert.deepEqual([next.headers.get('x-cache'), again.headers.get('x-cache')], ['MISS', 'HIT']);
    assert.deepEqual(again.body, next.body);
    // what the owner refuses is never stored
    assert.equal((await rest(stack.gatewayUrl, 'GET', `${path}?first=2&first=3`)).status, 400);
    assert.equal((await rest(stack.gatewayUrl, 'GET', `${path}?sort=RANDOM`)).status, 400);
    assert.equal((await keysOf('rest:')).length, 2, (await keysOf('rest:')).join('\n'));
  });

  test('unused GraphQL variables make no new key', async () => {
    const query =
      'query Item($id: ID!, $first: Int) { item(id: $id) { name reviews(first: $first) { edges { node { id } } } } }';
    const before = (await keysOf('r:')).length;
    const first = await graphql(stack.gatewayUrl, query, { id: '4' });
    assert.equal(first.headers.get('x-cache'), 'MISS');
    for (let i = 0; i < 50; i++) {
      const answer = await graphql(stack.gatewayUrl, query, { id: '4', [`junk${i}`]: randomUUID() });
      assert.deepEqual([answer.headers.get('x-cache'), answer.data], ['HIT', first.data], `junk variable ${i}`);
    }
    assert.equal((await keysOf('r:')).length, before + 1);
    // a declared variable is part of the key: given, or given as null, each answers on its own
    const two = await graphql(stack.gatewayUrl, query, { first: 2, id: '4' });
    const none = await graphql(stack.gatewayUrl, query, { id: '4', first: null });
    assert.deepEqual([two.headers.get('x-cache'), none.headers.get('x-cache')], ['MISS', 'MISS']);
    assert.equal((await keysOf('r:')).length, before + 3);
  });

  test('an automatic persisted query over the size cap is answered, not stored; one under it lives minutes', async () => {
    const { apqMaxQueryBytes, apqTtlSeconds, graphqlBodyLimitBytes } = readConfig({});
    const post = async (body: object) => {
      const response = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
    };
    const persisted = (query: string) => ({
      persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') },
    });
    // over the cap, under the body limit, few tokens (a comment)
    const large = `{ item(id: "1") { id } }\n#${'x'.repeat(apqMaxQueryBytes)}\n`;
    assert.ok(large.length < graphqlBodyLimitBytes - 1000);
    assert.deepEqual((await post({ query: large, extensions: persisted(large) })).data, { item: { id: '1' } });
    const unknown = await post({ extensions: persisted(large) });
    assert.equal(unknown.errors?.[0]?.extensions.code, 'PERSISTED_QUERY_NOT_FOUND', 'the hash alone is unknown');
    assert.deepEqual(await keysOf('apq:'), []);

    const small = '{ item(id: "2") { id } }';
    assert.ok((await post({ query: small, extensions: persisted(small) })).data);
    assert.deepEqual((await post({ extensions: persisted(small) })).data, { item: { id: '2' } });
    const [key] = await keysOf('apq:');
    const ttlMs = await (await stack.gateway.cache.store.redis())!.pTTL(key!);
    assert.ok(ttlMs > 0 && ttlMs <= apqTtlSeconds * 1000, `${ttlMs} ms`);
  });
});
