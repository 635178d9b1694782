// A create repeated with its Idempotency-Key gets the first answer back byte for byte: status,
// Location, Content-Type and body bytes, over REST at the owner, REST through the gateway and
// GraphQL through the gateway.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { seededStack } from '@supergraph-lab/stack/fixture';

/** One POST, its answer as raw bytes. */
async function post(url: string, body: unknown, key: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    type: response.headers.get('content-type'),
    replayed: response.headers.get('idempotent-replayed'),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

async function assertReplayedExactly(url: string, body: unknown) {
  const key = randomUUID();
  const first = await post(url, body, key);
  assert.ok(first.status < 300, first.bytes.toString());
  const again = await post(url, body, key);
  assert.equal(first.replayed, null);
  assert.equal(again.replayed, 'true');
  assert.deepEqual(
    { status: again.status, location: again.location, type: again.type },
    { status: first.status, location: first.location, type: first.type },
  );
  assert.equal(again.bytes.toString(), first.bytes.toString());
  assert.ok(again.bytes.equals(first.bytes));
}

const review = { rating: 5, title: 'Byte for byte', body: 'The same twice.', author: 'Ada', verifiedPurchase: true };

describe('an Idempotency-Key replay is the first answer, byte for byte', () => {
  const stack = seededStack('idempotency_bytes', { items: 10, seed: 3, env: { CACHE_MODE: 'all' } });

  test('REST at the owner', () => assertReplayedExactly(`${stack.subgraphUrls.reviews}/api/items/2/reviews`, review));

  test('REST through the gateway', () => assertReplayedExactly(`${stack.gatewayUrl}/api/items/2/reviews`, review));

  test('GraphQL through the gateway', () =>
    assertReplayedExactly(`${stack.gatewayUrl}/graphql`, {
      query: `mutation ($input: CreateReviewInput!) {
        createReview(input: $input) { id title body author rating verifiedPurchase helpfulCount createdAt updatedAt item { id } }
      }`,
      variables: { input: { ...review, itemId: '2' } },
    }));
});
