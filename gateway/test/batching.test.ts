import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { graphql, type Stack } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

/** Items with everything an item page shows, for a listing of `first` items. */
const LISTING = /* GraphQL */ `
  query Listing($first: Int!) {
    items(first: $first) {
      edges {
        node {
          id
          name
          priceCents
          primaryPhoto {
            url
          }
          photos(first: 12) {
            url
          }
          reviewSummary {
            count
            averageRating
            histogram
          }
          reviews(first: 3, sort: HIGHEST) {
            totalCount
            edges {
              node {
                rating
                title
                item {
                  name
                }
              }
            }
          }
        }
      }
    }
  }
`;

/**
 * Which table a statement reads, by its FROM or JOIN clause: Prisma's quoted form (`"public".` on
 * Postgres, backquotes on MariaDB) or our raw SQL (MariaDB's joins its JSON_TABLE of ids).
 */
function tableOf(sql: string): string | null {
  const match = /\b(?:FROM|JOIN)\s+(?:(?:"public"|`\w+`)\.)?["`]?(items|reviews|photos)["`]?/i.exec(sql);
  return match ? match[1]!.toLowerCase() : null;
}

describe('DataLoader batching', () => {
  let statements: { subgraph: string; sql: string }[] = [];
  // batching is measured without the cache in front of it
  const stack = seededStack('gateway_batching', {
    items: 200,
    seed: 21,
    env: { CACHE_MODE: 'off' },
    onQuery: (subgraph, sql) => statements.push({ subgraph, sql }),
  });

  async function countStatements(first: number): Promise<Record<string, number>> {
    statements = [];
    const result = await graphql(stack.gatewayUrl, LISTING, { first });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data!.items.edges.length, first);
    const counts: Record<string, number> = {};
    for (const { subgraph, sql } of statements) {
      const table = tableOf(sql);
      if (table) counts[`${subgraph}:${table}`] = (counts[`${subgraph}:${table}`] ?? 0) + 1;
    }
    return counts;
  }

  test('50 items with reviews, summaries and photos reach each table a constant number of times', async () => {
    const fifty = await countStatements(50);
    const ten = await countStatements(10);
    assert.deepEqual(fifty, ten, 'the same statements for 10 items as for 50');
    // items: the page, then Review.item's entity fetch; reviews: one statement for the first
    // pages and the summaries (shared by reviewSummary and totalCount); photos: one gallery
    // query (shared by photos and primaryPhoto)
    assert.deepEqual(fifty, { 'items:items': 2, 'reviews:reviews': 1, 'photos:photos': 1 });
  });

  test('a subgraph answers one _entities request for 30 items with one statement per table', async () => {
    const representations = Array.from({ length: 30 }, (_, index) => ({ __typename: 'Item', id: String(index + 1) }));
    const expectations: [keyof Stack['subgraphUrls'], string, Record<string, number>][] = [
      [
        'reviews',
        '... on Item { reviewSummary { count } reviews(first: 2) { totalCount edges { node { title } } } }',
        { reviews: 1 },
      ],
      ['photos', '... on Item { primaryPhoto { url } photos { url } }', { photos: 1 }],
      ['items', '... on Item { name priceCents }', { items: 1 }],
    ];
    for (const [subgraph, selection, expected] of expectations) {
      statements = [];
      const result = await graphql(
        stack.subgraphUrls[subgraph],
        `query($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
        { representations },
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.equal((result.data!._entities as unknown[]).length, 30);
      const byTable: Record<string, number> = {};
      for (const { sql } of statements) {
        const table = tableOf(sql);
        if (table) byTable[table] = (byTable[table] ?? 0) + 1;
      }
      assert.deepEqual(byTable, expected, `${subgraph}: 30 entities`);
    }
  });
});
