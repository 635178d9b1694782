import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { graphql, rest, reviewsTitled as countReviewsTitled, type RestResult } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';

/** Creates with an Idempotency-Key (docs/contract.md): REST and GraphQL, through the gateway and at the owners. */

const review = (title: string) => ({ rating: 4, title, body: 'Kept its promise.', author: 'Ada' });

function assertProblem(result: RestResult, status: number, code: string, detail: RegExp): void {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.match(result.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(result.body.code, code);
  assert.match(result.body.detail, detail);
}

const CREATE_REVIEW = /* GraphQL */ `
  mutation Create($input: CreateReviewInput!, $key: String) {
    createReview(input: $input, idempotencyKey: $key) {
      id
      title
      createdAt
    }
  }
`;

const TWO_CREATES = /* GraphQL */ `
  mutation Two($a: CreateReviewInput!, $b: CreateReviewInput!) {
    a: createReview(input: $a) {
      id
    }
    b: createReview(input: $b) {
      id
    }
  }
`;

describe('Idempotency-Key on creates', () => {
  const stack = seededStack('gateway_idempotency', { items: 30, seed: 5, env: { CACHE_MODE: 'all' } });
  const reviewsTitled = (title: string) => countReviewsTitled(stack.db.url, title);
  const post = (path: string, body: unknown, key?: string, base = stack.gatewayUrl) =>
    rest(base, 'POST', path, body, key === undefined ? {} : { headers: { 'idempotency-key': key } });

  test('a repeat replays status, headers and body, marked Idempotent-Replayed, and writes nothing', async () => {
    const key = randomUUID();
    const first = await post('/api/items/3/reviews', review('once-rest'), key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await post('/api/items/3/reviews', review('once-rest'), key);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.headers.get('location'), first.headers.get('location'));
    assert.equal(again.headers.get('content-type'), first.headers.get('content-type'));
    assert.deepEqual(again.body, first.body);
    // the same request sent to the owner directly (same path, same body) is the same request
    const owner = await post('/api/items/3/reviews', review('once-rest'), key, stack.subgraphUrls.reviews);
    assert.equal(owner.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(owner.body, first.body);
    // the same body in another key order is the same request
    const { rating, title, body, author } = review('once-rest');
    const reordered = await post('/api/items/3/reviews', { author, body, title, rating }, key);
    assert.equal(reordered.headers.get('idempotent-replayed'), 'true');
    assert.equal(await reviewsTitled('once-rest'), 1);
    // the draft's quoted form names the same key
    const quoted = await post('/api/items/3/reviews', review('once-rest'), `"${key}"`);
    assert.equal(quoted.headers.get('idempotent-replayed'), 'true');
    // without a key, every POST writes
    await post('/api/items/3/reviews', review('once-rest'));
    assert.equal(await reviewsTitled('once-rest'), 2);
  });

  test('items and photos take keys too', async () => {
    const key = randomUUID();
    const item = { sku: `IDEM-${key.slice(0, 8)}`, name: 'Kettle', category: 'Home', brand: 'N', priceCents: 100 };
    const first = await post('/api/items', item, key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const again = await post('/api/items', item, key);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const photo = { url: 'https://images.supergraph-shop.example/p.jpg', altText: 'p', width: 10, height: 10 };
    const photoKey = randomUUID();
    const added = await post(`/api/items/${first.body.id}/photos`, photo, photoKey);
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const addedAgain = await post(`/api/items/${first.body.id}/photos`, photo, photoKey);
    assert.equal(addedAgain.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(addedAgain.body, added.body);
    const listed = await rest(stack.gatewayUrl, 'GET', `/api/items/${first.body.id}/photos`);
    assert.equal(listed.body.length ?? listed.body.photos?.length, 1);
  });

  test('the same key with another body, path or method of creating is 422 and writes nothing', async () => {
    const key = randomUUID();
    assert.equal((await post('/api/items/4/reviews', review('reuse-a'), key)).status, 201);
    assertProblem(
      await post('/api/items/4/reviews', review('reuse-b'), key),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      /different request/,
    );
    assertProblem(
      await post('/api/items/5/reviews', review('reuse-a'), key),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      /different request/,
    );
    const viaGraphql = await graphql(stack.gatewayUrl, CREATE_REVIEW, {
      input: { itemId: '4', ...review('reuse-a') },
      key,
    });
    assert.equal(viaGraphql.errors?.[0]?.extensions?.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await reviewsTitled('reuse-b'), 0);
    assert.equal(await reviewsTitled('reuse-a'), 1);
  });

  test('20 concurrent requests with one key make exactly one row; the others replay it or are told to retry', async () => {
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post('/api/items/6/reviews', review('concurrent'), key)),
    );
    assert.equal(await reviewsTitled('concurrent'), 1);
    const created = answers.filter((answer) => answer.status === 201);
    assert.ok(created.length >= 1);
    assert.equal(created.filter((answer) => answer.headers.get('idempotent-replayed') !== 'true').length, 1);
    for (const answer of created) assert.equal(answer.body.id, created[0]!.body.id);
    for (const answer of answers.filter((answer) => answer.status !== 201)) {
      assertProblem(answer, 409, 'IDEMPOTENCY_KEY_IN_USE', /still in progress/);
      assert.equal(answer.headers.get('retry-after'), '1');
    }
  });

  test('a key expires: after its time it is free again, and the expired answer is not replayed', async () => {
    const key = randomUUID();
    const first = await post('/api/items/7/reviews', review('expiring'), key);
    assert.equal(first.status, 201);
    // 24 h is the default lifetime: make the stored answer a day and a second old
    await stack.prisma.idempotencyKey.update({
      where: { key },
      data: { createdAt: new Date(Date.now() - 86_401_000) },
    });
    const later = await post('/api/items/7/reviews', review('expiring'), key);
    assert.equal(later.status, 201);
    assert.equal(later.headers.get('idempotent-replayed'), null);
    assert.notEqual(later.body.id, first.body.id);
    assert.equal(await reviewsTitled('expiring'), 2);
    const replay = await post('/api/items/7/reviews', review('expiring'), key);
    assert.equal(replay.body.id, later.body.id, 'the new answer is the one kept');
  });

  test('a bad header is a 400 saying what is wrong, and writes nothing', async () => {
    const cases: [string, RegExp][] = [
      ['', /must not be empty/],
      ['   ', /must not be empty/],
      ['""', /must not be empty/],
      ['k'.repeat(256), /at most 255 characters, got 256/],
      ['caf\u00e9-1', /printable ASCII; it has U\+00E9 at position 4/],
    ];
    for (const [key, reason] of cases) {
      for (const base of [stack.gatewayUrl, stack.subgraphUrls.reviews]) {
        assertProblem(await post('/api/items/8/reviews', review('fuzzed'), key, base), 400, 'BAD_USER_INPUT', reason);
      }
      const viaGraphql = await graphql(
        stack.gatewayUrl,
        CREATE_REVIEW,
        { input: { itemId: '8', ...review('fuzzed') } },
        { 'idempotency-key': key },
      );
      assert.equal(viaGraphql.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(viaGraphql));
      assert.match(viaGraphql.errors![0]!.message, reason);
    }
    assert.equal((await post('/api/items/8/reviews', review('fuzzed'), 'k'.repeat(255))).status, 201);
    assert.equal(await reviewsTitled('fuzzed'), 1);
  });

  test('GraphQL: the header or the argument, a replay marked on the gateway answer', async () => {
    const input = { itemId: '9', ...review('once-graphql') };
    const key = randomUUID();
    const first = await graphql(stack.gatewayUrl, CREATE_REVIEW, { input }, { 'idempotency-key': key });
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await graphql(stack.gatewayUrl, CREATE_REVIEW, { input }, { 'idempotency-key': key });
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.data, first.data);
    const byArgument = await graphql(stack.gatewayUrl, CREATE_REVIEW, { input, key });
    assert.equal(byArgument.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(byArgument.data, first.data);
    assert.equal(await reviewsTitled('once-graphql'), 1);

    // the header covers one create: an operation with two is refused before either runs
    const twoInputs = { a: { itemId: '9', ...review('two-a') }, b: { itemId: '9', ...review('two-b') } };
    for (const base of [stack.gatewayUrl, stack.subgraphUrls.reviews]) {
      // refused at the gateway, and by the owner the same way when asked directly
      const two = await graphql(base, TWO_CREATES, twoInputs, { 'idempotency-key': randomUUID() });
      assert.equal(two.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      assert.match(two.errors![0]!.message, /covers one create/);
    }
    assert.equal((await reviewsTitled('two-a')) + (await reviewsTitled('two-b')), 0);
  });
});
