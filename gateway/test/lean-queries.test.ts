// The gateway's lean query path (packages/http/src/lean-queries.ts with the gateway's executor)
// against Apollo Server's: the same request answered both ways must be the same answer, the
// page query must take the lean path (a deterministic guard for the hot path: no timing
// involved), and what the lean path declines must reach Apollo Server before any subgraph is asked.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readConfig, SUBGRAPH_NAMES } from '@supergraph-lab/config';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { graphql, graphqlByGet, graphqlPaths, metricValue } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { deepQuery } from './deep-query.ts';

describe("the gateway's lean query path", () => {
  // no Redis: whole responses are not cached (a per-process store cannot see other processes'
  // writes), so queries take the lean path, and the subgraphs still report their version tokens
  const stack = seededStack('gateway-lean', { items: 12, seed: 6, env: { CACHE_MODE: 'response' } });

  /** Requests the three subgraphs have served, by any path. */
  const subgraphRequests = async () => {
    const counts = await Promise.all(SUBGRAPH_NAMES.map((name) => graphqlPaths(stack.subgraphUrls[name])));
    return counts.reduce((sum, count) => sum + count.lean + count.apollo, 0);
  };

  test('answers as Apollo Server does: a page, a missing item, a subgraph error with partial data, a bad id', async () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['the item page', ITEM_PAGE_QUERY, itemPageVariables(3)],
      ['an item that does not exist', ITEM_PAGE_QUERY, itemPageVariables(999_999)],
      [
        'a subgraph error (reviews first above 100) beside data',
        'query($id: ID!) { item(id: $id) { name reviews(first: 101) { edges { node { id } } } } }',
        { id: '2' },
      ],
      ['a bad id', '{ item(id: "x") { id name } }', {}],
    ];
    for (const [name, query, variables] of cases) {
      const lean = await graphql(stack.gatewayUrl, query, variables);
      const apollo = await graphqlByGet(stack.gatewayUrl, query, variables);
      assert.deepEqual(lean, apollo, name);
      assert.equal(lean.headers.get('x-cache'), apollo.headers.get('x-cache'), `${name}: x-cache`);
    }
  });

  test('the page query takes the lean path, with its headers and, when asked, its dependencies', async () => {
    const before = await graphqlPaths(stack.gatewayUrl);
    for (const id of [1, 2, 3]) {
      const page = await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, itemPageVariables(id));
      assert.equal(page.errors, undefined);
      assert.equal(page.headers.get('x-cache'), 'BYPASS');
      assert.match(page.headers.get('server-timing') ?? '', /items;dur=/);
      assert.match(page.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(page.extensions, undefined);
    }
    const after = await graphqlPaths(stack.gatewayUrl);
    assert.deepEqual([after.lean - before.lean, after.apollo - before.apollo], [3, 0]);

    const wanted = await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, itemPageVariables(4), {
      'x-want-cache-dependencies': '1',
    });
    const dependencies = Object.keys((wanted.extensions?.cacheDependencies ?? {}) as object);
    assert.ok(dependencies.length > 0, JSON.stringify(wanted.extensions));
  });

  test('bad documents, bad variables, refusals, mutations and persisted queries go to Apollo Server', async () => {
    const start = await graphqlPaths(stack.gatewayUrl);
    const asked = await subgraphRequests();

    const syntax = await graphql(stack.gatewayUrl, '{ item(id: "1") { id }');
    assert.equal(syntax.status, 400);
    assert.equal(syntax.errors![0]!.extensions!.code, 'GRAPHQL_PARSE_FAILED');
    const invalid = await graphql(stack.gatewayUrl, '{ item(id: "1") { nope } }');
    assert.equal(invalid.errors![0]!.extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    const variables = await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, { ...itemPageVariables(1), first: 'five' });
    assert.equal(variables.status, 400);
    assert.equal(variables.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    const refused = await graphql(stack.gatewayUrl, deepQuery(3));
    assert.equal(refused.status, 400);
    assert.equal(refused.errors![0]!.extensions!.code, 'QUERY_TOO_DEEP');
    assert.equal(await subgraphRequests(), asked, 'none of those reached a subgraph');

    const write = await graphql(stack.gatewayUrl, 'mutation { deleteReview(id: "999999") }');
    assert.equal(write.errors![0]!.extensions!.code, 'NOT_FOUND');
    const persisted = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ item(id: "1") { id } }',
        extensions: {
          persistedQuery: {
            version: 1,
            sha256Hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          },
        },
      }),
    });
    assert.equal(persisted.status, 400, 'a hash that is not the query text is refused by Apollo Server');
    const end = await graphqlPaths(stack.gatewayUrl);
    assert.deepEqual([end.lean - start.lean, end.apollo - start.apollo], [0, 6]);
  });

  test('many distinct large documents leave its document cache within its byte bound', async () => {
    const bound = readConfig({}).leanDocumentCacheBytes;
    // ~10 kB each, distinct by a comment: 200 of them are about twice the bound
    const padding = '#'.repeat(10_000);
    const text = (selection: string, i: number) => `{ item(id: "1") { ${selection} } }\n${padding} ${i}\n`;
    for (const url of [stack.gatewayUrl, stack.subgraphUrls.items]) {
      const aliased = Array.from({ length: 40 }, (_, i) => `a${i}: item(id: "1") { id }`).join(' ');
      const kept = await metricValue(url, 'lean_document_cache_entries');
      const refused = await graphql(url, `{ ${aliased} }`);
      assert.equal(refused.errors?.[0]?.extensions?.code, 'TOO_MANY_ALIASES');
      assert.equal(await metricValue(url, 'lean_document_cache_entries'), kept, 'a refused document is not kept');
      for (let i = 0; i < 200; i++) {
        const answer = await graphql(url, text('id name', i));
        assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
        const invalid = await graphql(url, text('nope', i));
        assert.equal(invalid.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
      }
      const bytes = await metricValue(url, 'lean_document_cache_bytes');
      const entries = await metricValue(url, 'lean_document_cache_entries');
      assert.ok(bytes !== null && bytes > bound / 2 && bytes <= bound, `${url}: ${bytes} bytes, bound ${bound}`);
      assert.ok(entries !== null && entries < 200, `${url}: ${entries} documents of 400 texts`);
      // the in-memory cache store (no Redis here) reports what it holds, within its own bound
      const stored = await metricValue(url, 'cache_memory_store_bytes');
      assert.ok(stored !== null && stored <= readConfig({}).cacheMemoryBytes, `${url}: ${stored} bytes stored`);
      // the page query still takes the lean path
      const before = await graphqlPaths(url);
      await graphql(url, text('id name', 199));
      assert.equal((await graphqlPaths(url)).lean - before.lean, 1, `${url}: a kept document answers lean`);
    }
  });

  test('a mutation text is remembered as not lean: parsed and validated here once, not per write', async () => {
    for (const url of [stack.gatewayUrl, stack.subgraphUrls.reviews]) {
      const text = `mutation { deleteReview(id: "987654") }\n# ${url}`;
      const before = await metricValue(url, 'lean_document_cache_entries');
      await graphql(url, text);
      const after = await metricValue(url, 'lean_document_cache_entries');
      assert.equal(after, before! + 1, `${url}: the text is remembered`);
      const served = await graphqlPaths(url);
      await graphql(url, text);
      assert.equal(await metricValue(url, 'lean_document_cache_entries'), after, 'not again');
      assert.equal((await graphqlPaths(url)).apollo - served.apollo, 1, 'Apollo Server answers it');
    }
  });
  test("a page's plan, once Apollo made it, runs compiled, answering as Apollo's executor does", async () => {
    // each text twice by POST (Apollo's executor plans the first, the gateway runs the second)
    // against a GET (Apollo Server, Apollo's executor): data, errors, their paths and codes alike
    const cases: [string, string, Record<string, unknown>][] = [
      ['the item page', ITEM_PAGE_QUERY, itemPageVariables(5)],
      ['an item that does not exist', ITEM_PAGE_QUERY, itemPageVariables(888_888)],
      [
        "an entity fetch's error in each item of a listing: paths through the list, nulls bubbling",
        '{ items(first: 3) { edges { cursor node { id reviews(first: 101) { edges { node { id } } } } } } }',
        {},
      ],
      [
        'aliases, fragments named and inline, __typename aliased, one field selected twice',
        `query Aliased($id: ID!) {
          first: item(id: $id) { ...Parts t: __typename __typename ... on Item { sku photos(first: 2) { url } } photos(first: 2) { width } }
          other: item(id: "2") { n: name reviewSummary { count } }
        }
        fragment Parts on Item { name reviewSummary { count averageRating } }`,
        { id: '4' },
      ],
    ];
    const runs = async () => {
      const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
      const count = (runner: string) =>
        Number(new RegExp(`^lean_query_plans_total\\{runner="${runner}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1]);
      return { compiled: count('compiled'), apollo: count('apollo') };
    };
    const compare = async (label: string) => {
      const before = await runs();
      for (const [name, query, variables] of cases) {
        await graphql(stack.gatewayUrl, query, variables);
        const compiled = await graphql(stack.gatewayUrl, query, variables);
        const apollo = await graphqlByGet(stack.gatewayUrl, query, variables);
        assert.deepEqual(compiled, apollo, `${label}: ${name}`);
      }
      const after = await runs();
      assert.ok(after.compiled - before.compiled >= cases.length, `${label}: every second request ran compiled`);
      assert.ok(after.apollo - before.apollo <= cases.length, `${label}: only first requests ran on Apollo's executor`);
    };
    await compare('every subgraph up');
    // a subgraph down: its fetch's error, and a non-null field (photos) left null bubbling to the item
    await stack.subgraphs.photos.close();
    await compare('photos down');
  });
});
