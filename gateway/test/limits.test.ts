import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { graphql, rest, startStack } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { deepQuery } from './deep-query.ts';
import { createGatewayService } from '../src/service.ts';

describe('limits', () => {
  const stack = seededStack('limits', { items: 20, seed: 2 });

  test('a query deeper than 10 is refused with 400 before anything runs; 10 is fine', async () => {
    const ok = await graphql(stack.gatewayUrl, deepQuery(2)); // depth 10
    assert.equal(ok.status, 200, JSON.stringify(ok.errors));
    assert.equal(ok.errors, undefined);
    const deep = await graphql(stack.gatewayUrl, deepQuery(3)); // depth 14
    assert.equal(deep.status, 400);
    assert.equal(deep.errors![0]!.extensions!.code, 'QUERY_TOO_DEEP');
    assert.equal(deep.errors![0]!.message, 'query depth 14 exceeds the limit of 10');
    // the subgraphs enforce it too, for clients that reach them directly
    const direct = await graphql(
      stack.subgraphUrls.reviews,
      deepQuery(3)
        .replace('item {', '... on Review { item {')
        .replace(/\} \} \}$/, '} } } }'),
    );
    assert.equal(direct.status, 400);
  });

  test('the verdict is cached per document: a repeated query walks its tree once per service, a new "first" once more', async () => {
    const analyses = async (url: string) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^graphql_limit_analyses_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
    };
    const urls = [stack.gatewayUrl, ...Object.values(stack.subgraphUrls)];
    const before = await Promise.all(urls.map(analyses));
    // an operation name no other test sends: a document new to every service
    const query = ITEM_PAGE_QUERY.replace('query ItemPage(', 'query VerdictCachePage(');
    for (const id of [1, 2, 3, 4, 5])
      assert.equal((await graphql(stack.gatewayUrl, query, itemPageVariables(id))).errors, undefined);
    const afterRepeats = await Promise.all(urls.map(analyses));
    assert.deepEqual(
      afterRepeats.map((count, i) => count - before[i]!),
      [1, 1, 1, 1],
      'gateway, items, reviews, photos: one walk each for five pages',
    );
    // the cost depends on the variable passed as `first`: a new value is a new walk (at the gateway and the reviews subgraph that gets it)
    assert.equal((await graphql(stack.gatewayUrl, query, { ...itemPageVariables(1), first: 7 })).errors, undefined);
    assert.equal((await graphql(stack.gatewayUrl, query, { ...itemPageVariables(2), first: 7 })).errors, undefined);
    const afterFirst = await Promise.all(urls.map(analyses));
    assert.deepEqual(
      afterFirst.map((count, i) => count - afterRepeats[i]!),
      [1, 0, 1, 0],
    );
  });

  test('a query costing more than 5000 is refused, counting first from arguments, variables and defaults', async () => {
    const costly = '{ items(first: 100) { edges { node { reviews(first: 100) { edges { node { id title } } } } } } }';
    const answer = await graphql(stack.gatewayUrl, costly);
    assert.equal(answer.status, 400);
    assert.equal(answer.errors![0]!.extensions!.code, 'QUERY_TOO_COSTLY');
    assert.match(answer.errors![0]!.message, /^query cost \d+ exceeds the limit of 5000/);
    const viaVariables = await graphql(
      stack.gatewayUrl,
      'query ($n: Int) { items(first: $n) { edges { node { reviews(first: $n) { edges { node { id title } } } } } } }',
      { n: 100 },
    );
    assert.equal(viaVariables.errors![0]!.extensions!.code, 'QUERY_TOO_COSTLY');
    const page = await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, itemPageVariables(3));
    assert.equal(page.errors, undefined, 'the item page is well within the limit');
    const many = await graphql(
      stack.gatewayUrl,
      '{ items(first: 100) { edges { node { id name reviewSummary { count } } } } }',
    );
    assert.equal(many.errors, undefined, 'a full page of items is fine');
  });

  test('a fragment spread again inside a sibling field is costed by the gateway itself', async () => {
    const query = `
      query { item(id: "1") { ...R  reviews(first: 50) { edges { node { item { ...R } } } } } }
      fragment R on Item { reviews(first: 50) { edges { node { id title } } } }`;
    const answer = await graphql(stack.gatewayUrl, query);
    assert.equal(answer.status, 400);
    assert.equal(answer.errors![0]!.extensions!.code, 'QUERY_TOO_COSTLY');
    assert.equal(answer.errors![0]!.message.split(' (')[0], 'query cost 10403 exceeds the limit of 5000');
    assert.equal(answer.errors![0]!.extensions!.serviceName, undefined, 'refused at the gateway, not by a subgraph');
  });

  test('many aliased introspection fields are refused before anything runs', async () => {
    const aliased = (count: number) =>
      `{ ${Array.from({ length: count }, (_, i) => `s${i}: __schema { types { name fields { name } } }`).join(' ')} }`;
    const many = await graphql(stack.gatewayUrl, aliased(300));
    assert.equal(many.status, 400);
    assert.match(many.errors![0]!.extensions!.code as string, /^(TOO_MANY_ALIASES|GRAPHQL_PARSE_FAILED)$/);
    assert.equal(many.data, undefined);
    const few = await graphql(stack.gatewayUrl, aliased(6));
    assert.equal(few.errors![0]!.extensions!.code, 'QUERY_TOO_COSTLY', 'six schemas cost more than 5000');
    const one = await graphql(stack.gatewayUrl, aliased(1));
    assert.equal(one.errors, undefined, 'one schema query (the Playground) passes');
  });

  test('a document past the token limit, or a body past 64 kB, is refused', async () => {
    const names = Array.from({ length: 2500 }, () => 'name').join(' ');
    for (const path of ['lean', 'apollo']) {
      // the lean path takes named queries; an anonymous one with a directive goes to Apollo Server
      const query =
        path === 'lean'
          ? `query Long { item(id: "1") { ${names} } }`
          : `{ item(id: "1") @skip(if: false) { ${names} } }`;
      const answer = await graphql(stack.gatewayUrl, query);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.errors![0]!.extensions!.code, 'GRAPHQL_PARSE_FAILED', path);
      assert.match(answer.errors![0]!.message, /more th\w+ 2000 tokens/, path);
    }
    const big = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ item(id: "1") { name } }`, variables: { pad: 'x'.repeat(70 * 1024) } }),
    });
    assert.equal(big.status, 413);
  });

  test('first above 100 is a BAD_USER_INPUT naming the bound', async () => {
    const answer = await graphql(
      stack.gatewayUrl,
      '{ item(id: "1") { reviews(first: 101) { edges { node { id } } } } }',
    );
    assert.equal(answer.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    assert.match(answer.errors![0]!.message, /first must be between 1 and 100, got 101/);
  });

  test("Apollo's CSRF prevention is on: a GET operation without a preflight header is refused", async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /Cross-Site Request Forgery/);
    const allowed = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': '1' },
    });
    assert.equal(allowed.status, 200);
  });

  test('/metrics has operation durations, the database pool and event-loop lag', async () => {
    await graphql(stack.gatewayUrl, 'query LimitsProbe { item(id: "1") { name } }');
    const gateway = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    assert.match(
      gateway,
      /graphql_operation_duration_seconds_count\{[^}]*operation="LimitsProbe",type="query",outcome="ok"[^}]*\} 1/,
    );
    assert.match(gateway, /nodejs_eventloop_lag_seconds/);
    assert.match(gateway, /http_request_duration_seconds_bucket\{[^}]*method="POST",route="\/graphql"/);
    const items = await (await fetch(`${stack.subgraphUrls.items}/metrics`)).text();
    assert.match(items, /db_pool_connections\{[^}]*state="open"[^}]*\} [1-9]/);
    assert.match(items, /db_pool_connections\{[^}]*state="waiting"[^}]*\} 0/);
  });
});

describe('switches for production', () => {
  test('GRAPHQL_INTROSPECTION=off and PLAYGROUND=off', async () => {
    const db = await createTestDatabase('limits_prod');
    const stack = await startStack({ databaseUrl: db.url, env: { GRAPHQL_INTROSPECTION: 'off', PLAYGROUND: 'off' } });
    try {
      const introspection = await graphql(stack.gatewayUrl, '{ __schema { types { name } } }');
      assert.equal(introspection.status, 400);
      assert.match(introspection.errors![0]!.message, /introspection is not allowed/i);
      const page = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
      assert.doesNotMatch(await page.text(), /GraphQL Playground/);
      assert.equal((await graphql(stack.gatewayUrl, '{ item(id: "1") { id } }')).status, 200, 'queries still work');
    } finally {
      await stack.close();
      await db.drop();
    }
  });
});

describe("a subgraph's refusal", () => {
  const stack = seededStack('limits_refusal', { items: 5, seed: 2 });

  test('reaches the client with its own code and message, not as "unavailable"', async () => {
    // a gateway that allows more aliases than its subgraphs: the items subgraph refuses its fetch
    const config = readConfig({
      LOG_LEVEL: 'silent',
      GRAPHQL_MAX_ALIASES: '1000',
      ITEMS_URL: stack.subgraphUrls.items,
      REVIEWS_URL: stack.subgraphUrls.reviews,
      PHOTOS_URL: stack.subgraphUrls.photos,
    });
    const gateway = await createGatewayService(config);
    const url = await gateway.listen(0);
    try {
      const aliases = Array.from({ length: 40 }, (_, i) => `n${i}: name`).join(' ');
      const answer = await graphql(url, `{ item(id: "1") { ${aliases} } }`);
      const error = answer.errors![0]!;
      assert.equal(error.extensions!.code, 'TOO_MANY_ALIASES', JSON.stringify(answer.errors));
      assert.equal(error.message, 'the query has 40 aliased fields; the limit is 30');
      assert.equal(error.extensions!.serviceName, 'items');
    } finally {
      await gateway.close();
    }
  });
});

describe('request deadline', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  before(async () => {
    // a subgraph that accepts connections and never answers
    server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a request still waiting at REQUEST_TIMEOUT_MS gets a 503 problem, never a hang', async () => {
    const silent = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const config = readConfig({
      LOG_LEVEL: 'silent',
      REQUEST_TIMEOUT_MS: '400',
      SUBGRAPH_TIMEOUT_MS: '30000',
      ITEMS_URL: silent,
      REVIEWS_URL: silent,
      PHOTOS_URL: silent,
    });
    const gateway = await createGatewayService(config);
    const url = await gateway.listen(0);
    try {
      const started = performance.now();
      const answer = await rest(url, 'GET', '/api/items/1');
      const ms = performance.now() - started;
      assert.equal(answer.status, 503);
      assert.equal(answer.body.detail, 'the request took longer than 400 ms');
      assert.ok(ms >= 390 && ms < 3000, `answered after ${ms} ms`);
    } finally {
      await gateway.close();
    }
  });
});
