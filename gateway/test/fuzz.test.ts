// Property-based tests: whatever a client sends in a REST body, a query string or GraphQL
// variables, the API answers with a deliberate status or error code (never a 500, never a
// crash), and input it rejects changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { graphql, rest } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const DELIBERATE = new Set([200, 201, 204, 400, 404, 409, 413, 415]);
const GRAPHQL_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'BAD_REQUEST',
]);

/** Values a careless or hostile client might send for a field. */
const wild = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    '2147483648',
    '<script>',
    "'; DROP TABLE items; --",
    'x'.repeat(5000),
  ),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 3 }),
);
const itemFields = ['sku', 'name', 'description', 'category', 'brand', 'priceCents', 'currency', 'stock'];
const reviewFields = ['rating', 'title', 'body', 'author', 'verifiedPurchase', 'itemId'];
const photoFields = ['url', 'altText', 'width', 'height', 'position'];
/** Bodies made of the real field names with wild values, plus stray keys. */
const bodyOf = (fields: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 10 })), wild, { maxKeys: 8 });

describe('fuzzing the API (fast-check)', () => {
  const stack = seededStack('fuzz', { items: 30, seed: 4 });

  /** Everything a write could change, in one string: every item, and item 5's reviews and photos. */
  const snapshot = async () =>
    JSON.stringify([
      await stack.prisma.item.findMany({ orderBy: { id: 'asc' } }),
      await stack.prisma.review.count(),
      await stack.prisma.photo.count(),
      await stack.prisma.review.findMany({ where: { itemId: 5 }, orderBy: { id: 'asc' } }),
      await stack.prisma.photo.findMany({ where: { itemId: 5 }, orderBy: { id: 'asc' } }),
    ]);

  /** Sends a write and checks: a deliberate status, and a rejected one changed nothing. */
  async function write(base: string, method: string, path: string, body: unknown) {
    const before = await snapshot();
    const answer = await rest(base, method, path, body);
    assert.ok(
      DELIBERATE.has(answer.status),
      `${method} ${path} ${JSON.stringify(body).slice(0, 300)} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
    );
    if (answer.status >= 400) {
      assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(await snapshot(), before, `rejected ${method} ${path} (${answer.status}) wrote something`);
    }
    return answer;
  }

  test('REST bodies: POST and PATCH items, reviews, photos', async () => {
    const bases = [stack.gatewayUrl, stack.subgraphUrls.items];
    await fc.assert(
      fc.asyncProperty(bodyOf(itemFields), fc.constantFrom(...bases), async (body, base) => {
        await write(base, 'PATCH', '/api/items/5', body);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(bodyOf(reviewFields), async (body) => {
        const answer = await write(stack.gatewayUrl, 'POST', '/api/items/5/reviews', body);
        if (answer.status === 201) await rest(stack.gatewayUrl, 'DELETE', `/api/reviews/${answer.body.id}`);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(bodyOf(photoFields), fc.constantFrom('PATCH', 'PUT'), async (body, method) => {
        const photo = (await rest(stack.gatewayUrl, 'GET', '/api/items/5/photos')).body.photos[0];
        await write(stack.gatewayUrl, method, `/api/photos/${photo.id}`, body);
      }),
      { numRuns: RUNS },
    );
    // not even JSON
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        async (raw, type) => {
          const before = await snapshot();
          const answer = await rest(stack.gatewayUrl, 'POST', '/api/items', undefined, {
            raw,
            headers: { 'content-type': type },
          });
          assert.ok(DELIBERATE.has(answer.status), `raw ${JSON.stringify(raw)} as ${type} -> ${answer.status}`);
          if (answer.status >= 400) assert.equal(await snapshot(), before);
          else await rest(stack.gatewayUrl, 'DELETE', `/api/items/${answer.body.id}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('query strings and path ids', async () => {
    // as a browser would put them in a URL: strings as they are, anything else as its JSON
    const param = fc.oneof(
      wild.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({ first: param, after: param, category: param, sort: param }, { requiredKeys: [] }),
        fc.constantFrom('/api/items', '/api/items/5/reviews', '/api/items/5/photos', '/api/items/5/reviews/summary'),
        async (query, path) => {
          const search = new URLSearchParams(query as Record<string, string>).toString();
          const answer = await rest(stack.gatewayUrl, 'GET', `${path}${search ? `?${search}` : ''}`);
          assert.ok(
            DELIBERATE.has(answer.status),
            `GET ${path}?${search} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.integer().map(String), fc.double().map(String)),
        async (id) => {
          for (const path of [`/api/items/${encodeURIComponent(id)}`, `/api/reviews/${encodeURIComponent(id)}`]) {
            const answer = await rest(stack.gatewayUrl, 'GET', path);
            assert.ok(DELIBERATE.has(answer.status), `GET ${path} -> ${answer.status}`);
          }
          const before = await snapshot();
          const deleted = await rest(stack.gatewayUrl, 'DELETE', `/api/photos/${encodeURIComponent(id)}x`);
          assert.ok(DELIBERATE.has(deleted.status) && deleted.status >= 400);
          assert.equal(await snapshot(), before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('GraphQL variables: queries and mutations answer with deliberate error codes only', async () => {
    const operations = [
      'query ($id: ID!) { item(id: $id) { id name } }',
      'query ($first: Int, $after: String, $category: String) { items(first: $first, after: $after, category: $category) { edges { node { id } } } }',
      'query ($id: ID!, $first: Int, $after: String, $sort: ReviewSort) { item(id: $id) { reviews(first: $first, after: $after, sort: $sort) { edges { node { id } } } } }',
      'mutation ($input: CreateReviewInput!) { createReview(input: $input) { id } }',
      'mutation ($id: ID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { id } }',
      'mutation ($id: ID!) { deletePhoto(id: $id) }',
    ];
    const variables = fc.record(
      {
        id: wild,
        first: wild,
        after: wild,
        category: wild,
        sort: wild,
        input: fc.oneof(wild, bodyOf([...itemFields, ...reviewFields])),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), variables, async (query, vars) => {
        const before = await snapshot();
        const answer = await graphql(stack.gatewayUrl, query, vars);
        assert.ok(
          answer.status === 200 || answer.status === 400,
          `${query} ${JSON.stringify(vars).slice(0, 300)} -> ${answer.status}`,
        );
        for (const error of answer.errors ?? []) {
          assert.ok(
            GRAPHQL_CODES.has(String(error.extensions?.code)),
            `${query} ${JSON.stringify(vars).slice(0, 300)} -> ${JSON.stringify(error).slice(0, 300)}`,
          );
        }
        if (answer.errors?.length && query.startsWith('mutation'))
          assert.equal(await snapshot(), before, 'a rejected mutation wrote something');
        // a mutation that did succeed is undone, so later runs see the same data
        const created = (answer.data as { createReview?: { id: string } } | null | undefined)?.createReview;
        if (created) await rest(stack.gatewayUrl, 'DELETE', `/api/reviews/${created.id}`);
      }),
      { numRuns: RUNS },
    );
  });
});
