// The monolith against the gateway: the same operations (the item page, the listing, errors,
// limits, mutations) sent to both, on one database and one entity cache, must get the same answers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { ITEM_PAGE_QUERY, itemPageVariables, LISTING_QUERY } from '@supergraph-lab/http/documents';
import type { SubgraphService } from '@supergraph-lab/subgraph';
import { graphql, rest, type GraphQLResult } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { createMonolithService } from '../src/service.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A query nested `levels` deep through Review.item and Item.reviews (above the depth limit at 4). */
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `item { reviews(first: 1) { edges { node { ${inner} } } } }`;
  return `{ review(id: "1") { ${inner} } }`;
}

const READS: [string, string, Record<string, unknown>][] = [
  ['the item page', ITEM_PAGE_QUERY, itemPageVariables(3)],
  ['the item page, another item', ITEM_PAGE_QUERY, itemPageVariables(7)],
  ['a missing item', ITEM_PAGE_QUERY, itemPageVariables(999_999)],
  ['the listing', LISTING_QUERY, { first: 6 }],
  [
    'a listing page with review summaries',
    'query($after: String) { items(first: 3, after: $after) { edges { cursor node { id name category ' +
      'reviewSummary { count averageRating } } } pageInfo { hasNextPage endCursor } } }',
    { after: null },
  ],
  [
    'a review with its item (the entity crossing back to items)',
    '{ review(id: "4") { id rating item { id name priceCents photos(first: 2) { id url } } } }',
    {},
  ],
  ['a photo with its item', '{ photo(id: "2") { id url item { id sku reviewSummary { histogram } } } }', {}],
  [
    'a subgraph error beside data (reviews first above 100)',
    'query($id: ID!) { item(id: $id) { name reviews(first: 101) { edges { node { id } } } } }',
    { id: '2' },
  ],
  ['a bad id', '{ item(id: "x") { id name } }', {}],
  ['a bad cursor', '{ items(first: 2, after: "nonsense") { edges { node { id } } } }', {}],
  ['an unknown field', '{ item(id: "1") { id colour } }', {}],
  ['a variable of the wrong type', 'query($id: ID!) { item(id: $id) { id } }', { id: { no: 1 } }],
  ['over the depth limit', deepQuery(4), {}],
  ['a syntax error', '{ item(id: "1") { id ', {}],
];

/** An answer without what differs by construction: a new record's id and timestamps. */
function stable(result: GraphQLResult): unknown {
  return JSON.parse(
    JSON.stringify({ status: result.status, data: result.data, errors: result.errors }, (key, value) =>
      key === 'id' || key === 'createdAt' || key === 'updatedAt' ? undefined : value,
    ),
  );
}

describe('the monolith answers as the gateway does', () => {
  const env = {
    CACHE_URL: REDIS_URL,
    CACHE_NAMESPACE: `sgl-mono-${randomUUID().slice(0, 8)}`,
    CACHE_MODE: 'entity',
  };
  const stack = seededStack('monolith-parity', { items: 12, seed: 8, env });
  let monolith: SubgraphService;
  let url: string;
  before(async () => {
    const config = readConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env, DATABASE_URL: stack.db.url });
    monolith = await createMonolithService(config);
    url = await monolith.listen(0);
  });
  after(() => monolith?.close());

  test('reads: the page, listings, entities across subgraphs, errors and limits', async () => {
    for (const [name, query, variables] of READS) {
      const viaGateway = await graphql(stack.gatewayUrl, query, variables);
      const viaMonolith = await graphql(url, query, variables);
      assert.deepEqual(viaMonolith, viaGateway, name);
    }
    // the page had data, so the comparison above compared something
    const page = await graphql(url, ITEM_PAGE_QUERY, itemPageVariables(3));
    assert.equal((page.data?.item as { id: string }).id, '3');
  });

  test('mutations: the same writes answer alike, refused ones with the same errors', async () => {
    const writes: [string, string, Record<string, unknown>][] = [
      [
        'createReview',
        'mutation($input: CreateReviewInput!) { createReview(input: $input) { id rating title item { id name } } }',
        { input: { itemId: '5', rating: 4, title: 'Parity', body: 'Same either way', author: 'tester' } },
      ],
      [
        'updateItem',
        'mutation { updateItem(id: "6", input: { stock: 17 }) { id stock name reviewSummary { count } } }',
        {},
      ],
      [
        'addPhoto with a host not allowed',
        'mutation { addPhoto(input: { itemId: "6", url: "https://evil.example/a.jpg", width: 10, height: 10 }) { id } }',
        {},
      ],
      ['deleteReview of a missing review', 'mutation { deleteReview(id: "999999") }', {}],
      [
        'createReview with a rating of 9',
        'mutation { createReview(input: { itemId: "5", rating: 9, title: "x", body: "y", author: "z" }) { id } }',
        {},
      ],
    ];
    for (const [name, query, variables] of writes) {
      const viaGateway = await graphql(stack.gatewayUrl, query, variables);
      const viaMonolith = await graphql(url, query, variables);
      assert.deepEqual(stable(viaMonolith), stable(viaGateway), name);
    }
    // both reviews are on item 5's page, seen alike by both (a write through one invalidates for the other)
    const pageViaGateway = await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, itemPageVariables(5));
    const pageViaMonolith = await graphql(url, ITEM_PAGE_QUERY, itemPageVariables(5));
    assert.deepEqual(pageViaMonolith, pageViaGateway);
    const titles = JSON.stringify(pageViaMonolith.data).match(/"Parity"/g) ?? [];
    assert.equal(titles.length, 2, 'the page shows both new reviews');
  });

  test("serves every subgraph's REST routes, as the gateway does", async () => {
    for (const route of [
      '/api/items/3',
      '/api/items/3/reviews?sort=HIGHEST',
      '/api/items/3/photos',
      '/api/items/999999',
    ]) {
      const [viaGateway, viaMonolith] = await Promise.all([
        rest(stack.gatewayUrl, 'GET', route),
        rest(url, 'GET', route),
      ]);
      assert.equal(viaMonolith.status, viaGateway.status, route);
      assert.deepEqual(viaMonolith.body, viaGateway.body, route);
    }
  });
});
