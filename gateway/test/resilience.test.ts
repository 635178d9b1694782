import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SUBGRAPH_NAMES, type SubgraphName } from '@supergraph-lab/config';
import { createTestDatabase, lockTable, runStatement } from '@supergraph-lab/db/testing';
import { graphql, rest, startStack, type Stack } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { eventually } from '@supergraph-lab/testing';
import { composeSupergraph, CompositionError, readSubgraphSources, SUBGRAPH_SCHEMA_FILES } from '../src/supergraph.ts';

// every registered subgraph, at an address nothing needs to answer on
const LOCAL = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, `http://127.0.0.1:${i + 1}`])) as Record<
  SubgraphName,
  string
>;

describe('composition', () => {
  test('the real subgraph SDL files compose into one supergraph', () => {
    const sdl = composeSupergraph(readSubgraphSources(LOCAL));
    for (const name of ['ITEMS', 'REVIEWS', 'PHOTOS'])
      assert.match(sdl, new RegExp(`${name} @join__graph\\(name: "${name.toLowerCase()}"`));
    // Item is an entity of each (more subgraphs may join it)
    const item = /type Item((?:\s+@join__type\([^)]*\))+)/.exec(sdl)?.[1] ?? '';
    for (const name of ['ITEMS', 'PHOTOS', 'REVIEWS'])
      assert.match(item, new RegExp(`@join__type\\(graph: ${name}, key: "id"\\)`), name);
    assert.match(
      sdl,
      /reviews\(first: Int = 10, after: String, sort: ReviewSort = NEWEST\): ReviewConnection! @join__field\(graph: REVIEWS\)/,
    );
    assert.match(sdl, /photos\(first: Int = 12\): \[Photo!\]! @join__field\(graph: PHOTOS\)/);
  });

  test('a composition error stops start-up with the composition message', () => {
    const sources = readSubgraphSources(LOCAL);
    // photos claims Item.name with another type: a real conflict
    const broken = sources.map((source) =>
      source.name === 'photos'
        ? { ...source, sdl: source.sdl.replace('id: ID!\n  "The gallery', 'id: ID!\n  name: Int\n  "The gallery') }
        : source,
    );
    assert.throws(
      () => composeSupergraph(broken),
      (error: Error) => {
        assert.ok(error instanceof CompositionError);
        assert.match(error.message, /^supergraph composition failed:\n- .*Item\.name/s);
        return true;
      },
    );
    assert.ok(
      readFileSync(SUBGRAPH_SCHEMA_FILES.photos, 'utf8').includes('"The gallery'),
      'the edit above matched the real file',
    );
  });
});

describe('IntrospectAndCompose (SUPERGRAPH_MODE=introspect)', () => {
  test('composes from the running subgraphs and answers the same federated query', async () => {
    const db = await createTestDatabase('gateway_introspect');
    const stack = await startStack({ databaseUrl: db.url, env: { SUPERGRAPH_MODE: 'introspect' } });
    try {
      assert.equal(stack.gateway.supergraphSdl, null, 'no static supergraph was composed');
      await rest(stack.gatewayUrl, 'POST', '/api/items', {
        sku: 'INTRO-1',
        name: 'Probe',
        category: 'Books',
        brand: 'b',
        priceCents: 1,
      });
      const result = await graphql(
        stack.gatewayUrl,
        '{ items(first: 1) { edges { node { name reviewSummary { count } photos { url } } } } }',
      );
      assert.deepEqual(result.data, {
        items: { edges: [{ node: { name: 'Probe', reviewSummary: { count: 0 }, photos: [] } }] },
      });
    } finally {
      await stack.close();
      await db.drop();
    }
  });
});

describe('failures', () => {
  const stack = seededStack('gateway_resilience', { items: 50, seed: 2 });

  test('unexpected errors are masked: no message, no stack trace, over GraphQL and REST', async () => {
    await runStatement(stack.db.url, 'ALTER TABLE reviews RENAME TO reviews_away');
    try {
      const result = await graphql(stack.gatewayUrl, '{ item(id: "1") { name reviewSummary { count } } }');
      const error = result.errors?.[0];
      assert.equal(error?.extensions?.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(error?.message, 'Internal server error');
      assert.doesNotMatch(JSON.stringify(result), /reviews_away|relation|stack|\.ts:/);
      const problem = await rest(stack.gatewayUrl, 'GET', '/api/items/1/reviews/summary');
      assert.equal(problem.status, 500);
      assert.deepEqual(
        [problem.body.code, problem.body.detail],
        ['INTERNAL_SERVER_ERROR', 'an unexpected error occurred'],
      );
    } finally {
      await runStatement(stack.db.url, 'ALTER TABLE reviews_away RENAME TO reviews');
    }
  });

  test('a subgraph that is down: partial data and an error naming it, REST 503, readiness names it', async () => {
    await stack.subgraphs.photos.close();
    const started = performance.now();
    const result = await graphql(stack.gatewayUrl, '{ item(id: "1") { name priceCents primaryPhoto { url } } }');
    assert.ok(performance.now() - started < 4000, 'answered, not hung');
    assert.equal(typeof result.data!.item.name, 'string', 'the items subgraph still answered');
    assert.equal(result.data!.item.primaryPhoto, null);
    assert.equal(result.errors?.[0]?.extensions?.code, 'SUBGRAPH_UNAVAILABLE');
    assert.equal(result.errors?.[0]?.extensions?.serviceName, 'photos');
    assert.match(result.errors![0]!.message, /subgraph "photos" is unavailable: ECONNREFUSED/);

    const photo = await rest(stack.gatewayUrl, 'GET', '/api/photos/1');
    assert.equal(photo.status, 503);
    assert.equal(photo.headers.get('retry-after'), '5');
    assert.match(photo.body.detail, /the photos service is unavailable/);
    const ready = await rest(stack.gatewayUrl, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.body.checks.photos, /^unavailable/);
    assert.equal(ready.body.checks.items, 'ok');
  });
});

describe('a database that cannot be reached', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/unreachable' });
  });
  after(async () => {
    await stack?.close();
  });

  test('GraphQL and REST answer 503-style errors quickly, and readiness fails', async () => {
    const started = performance.now();
    const result = await graphql(stack.gatewayUrl, '{ item(id: "1") { name } }');
    assert.equal(result.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
    assert.match(result.errors![0]!.message, /the database is unavailable/);
    const problem = await rest(stack.gatewayUrl, 'GET', '/api/items/1');
    assert.equal(problem.status, 503);
    assert.equal(problem.body.code, 'SERVICE_UNAVAILABLE');
    assert.ok(performance.now() - started < 5000, 'within 5 s');
    const ready = await rest(stack.subgraphUrls.items, 'GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.body.checks.database, /^unavailable/);
    assert.equal((await rest(stack.subgraphUrls.items, 'GET', '/healthz')).status, 200, 'alive, just not ready');
    // the gateway asks its subgraphs whether they are alive, not whether they are ready: a subgraph
    // out of its own balancer's rotation (its database down, or draining) must not take every
    // gateway out of theirs with it; the gateway answers its clients, with errors where due
    const gatewayReady = await rest(stack.gatewayUrl, 'GET', '/readyz');
    assert.equal(gatewayReady.status, 200, JSON.stringify(gatewayReady.body));
  });
});

describe('a database that answers but cannot serve reads', () => {
  const stack = seededStack('readiness_locked', { items: 5, seed: 3 });

  test('readiness fails while the items table is locked, and comes back when it is free', async () => {
    assert.equal((await rest(stack.subgraphUrls.reviews, 'GET', '/readyz')).status, 200);
    // another session holds the table: `SELECT 1` still answers, no page read does
    const release = await lockTable(stack.db.url, 'items');
    try {
      const ready = await rest(stack.subgraphUrls.reviews, 'GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.match(ready.body.checks.database, /^(unavailable|timed out)/);
    } finally {
      await release();
    }
    await eventually(async () => (await rest(stack.subgraphUrls.reviews, 'GET', '/readyz')).status === 200, 10_000);
  });
});
