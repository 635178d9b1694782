import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { graphql, rest, type RestResult, busiestItem } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

const ITEMS = 120;

/** Asserts an RFC 9457 problem document with the given status, code and detail. */
function assertProblem(result: RestResult, status: number, code: string, detail?: RegExp): void {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.match(result.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(result.body.status, status);
  assert.equal(result.body.code, code);
  assert.equal(typeof result.body.type, 'string');
  assert.equal(typeof result.body.title, 'string');
  assert.equal(typeof result.body.detail, 'string');
  if (detail) assert.match(result.body.detail, detail);
}

const newItem = {
  sku: 'REST-1',
  name: 'Rest Kettle',
  category: 'Home & Kitchen',
  brand: 'Nordvik',
  priceCents: 3999,
  currency: 'EUR',
  stock: 5,
  description: 'Boils.',
};

describe('REST through the gateway', () => {
  const seenRequestIds: [string, string][] = [];
  const stack = seededStack('gateway_rest', {
    items: ITEMS,
    seed: 9,
    onSubgraphRequest: (name, headers) => seenRequestIds.push([name, String(headers['x-request-id'])]),
  });
  let url: string;
  before(() => {
    url = stack.gatewayUrl;
  });

  test('items: list pages, get, create with Location, PUT replaces, PATCH merges, DELETE', async () => {
    const page1 = await rest(url, 'GET', '/api/items?first=5');
    assert.equal(page1.status, 200);
    assert.deepEqual(
      page1.body.items.map((item: { id: number }) => item.id),
      [120, 119, 118, 117, 116],
    );
    const page2 = await rest(url, 'GET', `/api/items?first=5&after=${page1.body.pageInfo.endCursor}`);
    assert.deepEqual(
      page2.body.items.map((item: { id: number }) => item.id),
      [115, 114, 113, 112, 111],
    );
    const books = await rest(url, 'GET', '/api/items?first=100&category=Books');
    assert.ok(
      books.body.items.length > 0 && books.body.items.every((item: { category: string }) => item.category === 'Books'),
    );

    const created = await rest(url, 'POST', '/api/items', newItem);
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `/api/items/${created.body.id}`);
    assert.deepEqual(
      { ...created.body, id: 0, createdAt: 0, updatedAt: 0 },
      { ...newItem, id: 0, createdAt: 0, updatedAt: 0 },
    );
    const id = created.body.id;
    assert.deepEqual((await rest(url, 'GET', `/api/items/${id}`)).body, created.body);

    const patched = await rest(url, 'PATCH', `/api/items/${id}`, { stock: 9 });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.stock, 9);
    assert.equal(patched.body.description, 'Boils.', 'PATCH keeps the other fields');

    const replaced = await rest(url, 'PUT', `/api/items/${id}`, {
      sku: 'REST-1',
      name: 'Rest Kettle 2',
      category: 'Home & Kitchen',
      brand: 'Nordvik',
      priceCents: 4999,
    });
    assert.equal(replaced.status, 200);
    assert.deepEqual(
      {
        name: replaced.body.name,
        stock: replaced.body.stock,
        currency: replaced.body.currency,
        description: replaced.body.description,
      },
      { name: 'Rest Kettle 2', stock: 0, currency: 'USD', description: '' },
      'PUT replaces: fields left out fall back to their defaults',
    );
    const incomplete = await rest(url, 'PUT', `/api/items/${id}`, { name: 'only a name' });
    assertProblem(incomplete, 400, 'BAD_USER_INPUT', /sku: Required.*category: Required/);
    assert.equal(incomplete.body.errors.find((error: { field: string }) => error.field === 'sku').message, 'Required');

    const deleted = await rest(url, 'DELETE', `/api/items/${id}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, '');
    assertProblem(await rest(url, 'GET', `/api/items/${id}`), 404, 'NOT_FOUND', new RegExp(`item ${id} not found`));
    assertProblem(await rest(url, 'DELETE', `/api/items/${id}`), 404, 'NOT_FOUND');
  });

  test('every error status: 400, 404, 409, 413, 415, with problem details and nothing written', async () => {
    const before = await stack.prisma.item.count();
    assertProblem(
      await rest(url, 'GET', '/api/items/abc'),
      400,
      'BAD_USER_INPUT',
      /id must be a positive integer, got "abc"/,
    );
    assertProblem(
      await rest(url, 'GET', '/api/items?first=500'),
      400,
      'BAD_USER_INPUT',
      /first must be between 1 and 100, got "500"/,
    );
    assertProblem(await rest(url, 'GET', '/api/items?after=%25%25'), 400, 'BAD_USER_INPUT', /after must be a cursor/);
    assertProblem(await rest(url, 'GET', '/api/items/99999'), 404, 'NOT_FOUND', /item 99999 not found/);
    assertProblem(
      await rest(url, 'GET', '/api/nothing-here'),
      404,
      'NOT_FOUND',
      /no route for GET \/api\/nothing-here/,
    );
    assertProblem(
      await rest(url, 'POST', '/api/items', { ...newItem, priceCents: -1, stock: 'many' }),
      400,
      'BAD_USER_INPUT',
      /priceCents: must be >= 0; stock: must be a number/,
    );
    assertProblem(
      await rest(url, 'POST', '/api/items', { ...newItem, extra: true }),
      400,
      'BAD_USER_INPUT',
      /Unrecognized key/,
    );
    assertProblem(
      await rest(url, 'POST', '/api/items', undefined, {
        raw: '{"sku": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'BAD_USER_INPUT',
      /JSON/,
    );
    assertProblem(await rest(url, 'POST', '/api/items'), 400, 'BAD_USER_INPUT', /request body is required/);
    assertProblem(
      await rest(url, 'POST', '/api/items', undefined, {
        raw: 'sku=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    assertProblem(
      await rest(url, 'POST', '/api/items', undefined, { raw: 'hello', headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const huge = JSON.stringify({ ...newItem, description: 'x'.repeat(1_100_000) });
    assertProblem(
      await rest(url, 'POST', '/api/items', undefined, { raw: huge, headers: { 'content-type': 'application/json' } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const existingSku = (await stack.prisma.item.findFirstOrThrow({ where: { id: 1 } })).sku;
    assertProblem(
      await rest(url, 'POST', '/api/items', { ...newItem, sku: existingSku }),
      409,
      'CONFLICT',
      /unique constraint violated/,
    );
    assertProblem(await rest(url, 'PATCH', '/api/items/2', { sku: existingSku }), 409, 'CONFLICT');
    assertProblem(
      await rest(url, 'PATCH', '/api/items/2', {}),
      400,
      'BAD_USER_INPUT',
      /must change at least one field/,
    );
    assert.equal(await stack.prisma.item.count(), before, 'no rejected request wrote anything');
    assert.notEqual((await stack.prisma.item.findUniqueOrThrow({ where: { id: 2 } })).sku, existingSku);
  });

  test('reviews: pages by sort, summary, create under an item, get, PUT, PATCH, DELETE', async () => {
    const busiest = await busiestItem(stack.prisma);
    const itemId = busiest.id;
    const highest = await rest(url, 'GET', `/api/items/${itemId}/reviews?first=3&sort=HIGHEST`);
    assert.equal(highest.status, 200);
    const ratings = highest.body.reviews.map((review: { rating: number }) => review.rating);
    assert.deepEqual(
      ratings,
      [...ratings].sort((a, b) => b - a),
    );
    const next = await rest(
      url,
      'GET',
      `/api/items/${itemId}/reviews?first=3&sort=HIGHEST&after=${highest.body.pageInfo.endCursor}`,
    );
    assert.ok(next.body.reviews.every((review: { rating: number }) => review.rating <= ratings.at(-1)));
    assertProblem(
      await rest(url, 'GET', `/api/items/${itemId}/reviews?sort=BEST`),
      400,
      'BAD_USER_INPUT',
      /sort must be one of NEWEST, HIGHEST, LOWEST, MOST_HELPFUL, got "BEST"/,
    );
    assertProblem(await rest(url, 'GET', '/api/items/99999/reviews'), 404, 'NOT_FOUND', /item 99999 not found/);

    const summary = await rest(url, 'GET', `/api/items/${itemId}/reviews/summary`);
    assert.equal(summary.body.count, busiest.reviews);
    assert.equal(
      summary.body.histogram.reduce((a: number, b: number) => a + b, 0),
      summary.body.count,
    );
    assertProblem(await rest(url, 'GET', '/api/items/99999/reviews/summary'), 404, 'NOT_FOUND');

    const created = await rest(url, 'POST', `/api/items/${itemId}/reviews`, {
      rating: 3,
      title: 'Fine',
      body: 'It is fine.',
      author: 'Rae T.',
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), `/api/reviews/${created.body.id}`);
    assert.deepEqual(
      {
        itemId: created.body.itemId,
        verifiedPurchase: created.body.verifiedPurchase,
        helpfulCount: created.body.helpfulCount,
      },
      { itemId, verifiedPurchase: false, helpfulCount: 0 },
    );
    assertProblem(
      await rest(url, 'POST', '/api/items/99999/reviews', { rating: 3, title: 't', body: 'b', author: 'a' }),
      404,
      'NOT_FOUND',
      /item 99999 not found/,
    );
    assertProblem(
      await rest(url, 'POST', `/api/items/${itemId}/reviews`, { rating: 0, title: '', body: 'b', author: 'a' }),
      400,
      'BAD_USER_INPUT',
      /rating: must be between 1 and 5; title: must not be empty/,
    );

    const id = created.body.id;
    assert.equal((await rest(url, 'GET', `/api/reviews/${id}`)).body.title, 'Fine');
    assert.equal((await rest(url, 'PATCH', `/api/reviews/${id}`, { helpfulCount: 4 })).body.title, 'Fine');
    const replaced = await rest(url, 'PUT', `/api/reviews/${id}`, {
      rating: 5,
      title: 'Great',
      body: 'Changed my mind.',
      author: 'Rae T.',
    });
    assert.deepEqual([replaced.body.rating, replaced.body.helpfulCount], [5, 0], 'PUT resets what it does not name');
    assert.equal((await rest(url, 'DELETE', `/api/reviews/${id}`)).status, 204);
    assertProblem(await rest(url, 'GET', `/api/reviews/${id}`), 404, 'NOT_FOUND', new RegExp(`review ${id} not found`));
  });

  test('photos: gallery, add at the end, get, PUT, PATCH, DELETE', async () => {
    const itemId = 7;
    const gallery = await rest(url, 'GET', `/api/items/${itemId}/photos`);
    assert.equal(gallery.status, 200);
    const positions = gallery.body.photos.map((photo: { position: number }) => photo.position);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    const added = await rest(url, 'POST', `/api/items/${itemId}/photos`, {
      url: 'https://images.supergraph-shop.example/x.jpg',
      width: 640,
      height: 480,
    });
    assert.equal(added.status, 201);
    assert.equal(added.headers.get('location'), `/api/photos/${added.body.id}`);
    assert.equal(added.body.position, positions.length ? Math.max(...positions) + 1 : 0);
    const id = added.body.id;
    assert.equal((await rest(url, 'PATCH', `/api/photos/${id}`, { altText: 'Side' })).body.altText, 'Side');
    const replaced = await rest(url, 'PUT', `/api/photos/${id}`, {
      url: 'https://images.supergraph-shop.example/y.jpg',
      width: 1,
      height: 2,
      position: 0,
    });
    assert.deepEqual(
      [replaced.body.url, replaced.body.altText, replaced.body.position],
      ['https://images.supergraph-shop.example/y.jpg', '', 0],
    );
    assertProblem(
      await rest(url, 'PATCH', `/api/photos/${id}`, { width: 0 }),
      400,
      'BAD_USER_INPUT',
      /width: must be between 1 and 20000/,
    );
    assertProblem(
      await rest(url, 'POST', '/api/items/99999/photos', {
        url: 'https://images.supergraph-shop.example/x.jpg',
        width: 1,
        height: 1,
      }),
      404,
      'NOT_FOUND',
    );
    assert.equal((await rest(url, 'DELETE', `/api/photos/${id}`)).status, 204);
    assertProblem(
      await rest(url, 'DELETE', `/api/photos/${id}`),
      404,
      'NOT_FOUND',
      new RegExp(`photo ${id} not found`),
    );
    assertProblem(await rest(url, 'GET', '/api/items/99999/photos'), 404, 'NOT_FOUND');
  });

  test('writes over REST are read back over GraphQL, and GraphQL writes over REST', async () => {
    const created = await rest(url, 'POST', '/api/items', { ...newItem, sku: 'BOTH-1' });
    const id = created.body.id;
    await rest(url, 'POST', `/api/items/${id}/reviews`, { rating: 4, title: 'Via REST', body: 'b', author: 'a' });
    await rest(url, 'POST', `/api/items/${id}/photos`, {
      url: 'https://images.supergraph-shop.example/p.jpg',
      width: 5,
      height: 5,
    });
    const seen = await graphql(
      url,
      `
        query ($id: ID!) {
          item(id: $id) {
            name
            reviewSummary {
              count
            }
            reviews {
              edges {
                node {
                  title
                }
              }
            }
            primaryPhoto {
              url
            }
          }
        }
      `,
      { id: String(id) },
    );
    assert.deepEqual(seen.data!.item, {
      name: 'Rest Kettle',
      reviewSummary: { count: 1 },
      reviews: { edges: [{ node: { title: 'Via REST' } }] },
      primaryPhoto: { url: 'https://images.supergraph-shop.example/p.jpg' },
    });
    await graphql(
      url,
      `
        mutation ($id: ID!) {
          updateItem(id: $id, input: { name: "Renamed over GraphQL" }) {
            id
          }
        }
      `,
      { id: String(id) },
    );
    assert.equal((await rest(url, 'GET', `/api/items/${id}`)).body.name, 'Renamed over GraphQL');
    // the same data straight from the owner service agrees with the gateway's
    assert.deepEqual(
      (await rest(stack.subgraphUrls.items, 'GET', `/api/items/${id}`)).body,
      (await rest(url, 'GET', `/api/items/${id}`)).body,
    );
    // deleting the item takes its reviews and photos
    assert.equal((await rest(url, 'DELETE', `/api/items/${id}`)).status, 204);
    assert.deepEqual(
      [
        await stack.prisma.review.count({ where: { itemId: id } }),
        await stack.prisma.photo.count({ where: { itemId: id } }),
      ],
      [0, 0],
    );
  });

  test('the request id is echoed, and forwarded to the owner service over REST and GraphQL', async () => {
    const result = await rest(url, 'GET', '/api/items/1', undefined, { headers: { 'x-request-id': 'trace-abc-123' } });
    assert.equal(result.headers.get('x-request-id'), 'trace-abc-123');
    const generated = await rest(url, 'GET', '/api/items/1');
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);

    seenRequestIds.length = 0;
    const page = await graphql(
      url,
      '{ item(id: "3") { name reviewSummary { count } primaryPhoto { url } } }',
      undefined,
      { 'x-request-id': 'trace-gql-42' },
    );
    assert.equal(page.errors, undefined);
    assert.deepEqual(
      [...new Set(seenRequestIds.filter(([, id]) => id === 'trace-gql-42').map(([name]) => name))].sort(),
      ['items', 'photos', 'reviews'],
      'every subgraph fetch of the operation carried the id',
    );
  });
});
