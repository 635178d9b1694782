// The subgraphs' lean query path (packages/http/src/lean-queries.ts) against Apollo Server's: the
// same request answered both ways must be the same answer, and the page's fetches must take the
// lean one (a deterministic guard for the hot path: no timing involved).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { graphql, graphqlByGet as viaApollo, graphqlPaths as served } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const ENTITY_PAGE = /* GraphQL */ `
  query Entities($r: [_Any!]!, $first: Int) {
    _entities(representations: $r) {
      ... on Item {
        id
        reviewSummary {
          count
          averageRating
          histogram
        }
        reviews(first: $first) {
          edges {
            cursor
            node {
              id
              rating
              title
              createdAt
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`;
const items = (...ids: number[]) => ids.map((id) => ({ __typename: 'Item', id: String(id) }));

describe("the subgraphs' lean query path", () => {
  const stack = seededStack('lean', { items: 12, seed: 5 });

  test('answers as Apollo Server does: data, nulls, resolver errors, dependencies', async () => {
    const reviews = stack.subgraphUrls.reviews;
    const cases: [string, string, Record<string, unknown>][] = [
      ['an entity page', ENTITY_PAGE, { r: items(1, 2, 3), first: 3 }],
      ['an unknown item (empty connection)', ENTITY_PAGE, { r: items(999_999), first: 2 }],
      ['a resolver error (first above 100)', ENTITY_PAGE, { r: items(1), first: 101 }],
      [
        'a review by id, and one that does not exist',
        '{ a: review(id: "1") { id rating item { id } } b: review(id: "999999") { id } }',
        {},
      ],
      ['a bad id (resolver error with data null)', '{ review(id: "x") { id } }', {}],
    ];
    for (const [name, query, variables] of cases) {
      const lean = await graphql(reviews, query, variables);
      const apollo = await viaApollo(reviews, query, variables);
      assert.deepEqual(lean, apollo, name);
    }
  });

  test("the page's fetches take the lean path; mutations, bad documents, bad variables and refusals go to Apollo Server", async () => {
    const urls = Object.values(stack.subgraphUrls);
    const before = await Promise.all(urls.map(served));
    for (const id of [1, 2, 3])
      assert.equal((await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, itemPageVariables(id))).errors, undefined);
    const afterPages = await Promise.all(urls.map(served));
    assert.deepEqual(
      afterPages.map((count, i) => [count.lean - before[i]!.lean, count.apollo - before[i]!.apollo]),
      [
        [3, 0],
        [3, 0],
        [3, 0],
      ],
      'items, reviews, photos: three page fetches each, all lean',
    );

    const reviews = stack.subgraphUrls.reviews;
    const start = await served(reviews);
    const syntax = await graphql(reviews, '{ review(id: "1") { id }');
    assert.equal(syntax.status, 400);
    assert.equal(syntax.errors![0]!.extensions!.code, 'GRAPHQL_PARSE_FAILED');
    const invalid = await graphql(reviews, '{ review(id: "1") { nope } }');
    assert.equal(invalid.errors![0]!.extensions!.code, 'GRAPHQL_VALIDATION_FAILED');
    const variables = await graphql(reviews, ENTITY_PAGE, { r: items(1), first: 'three' });
    assert.equal(variables.status, 400);
    assert.equal(variables.errors![0]!.extensions!.code, 'BAD_USER_INPUT');
    const deep =
      '{ review(id: "1") { item { reviews(first: 1) { edges { node { item { reviews(first: 1) { edges { node { item { reviews(first: 1) { edges { node { id } } } } } } } } } } } } } }';
    const refused = await graphql(reviews, deep);
    assert.equal(refused.status, 400);
    assert.equal(refused.errors![0]!.extensions!.code, 'QUERY_TOO_DEEP');
    const write = await graphql(reviews, 'mutation { deleteReview(id: "999999") }');
    assert.equal(write.errors![0]!.extensions!.code, 'NOT_FOUND');
    const end = await served(reviews);
    assert.deepEqual([end.lean - start.lean, end.apollo - start.apollo], [0, 5]);
  });
});
