// The reviews module's own rules, without HTTP: what it accepts, what it refuses (and leaves
// unchanged), and that a write is seen by the next read through the entity cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { moduleParts } from '@supergraph-lab/stack/fixture';
import { createReviewsModule } from '../src/reviews.ts';

describe('reviews module', () => {
  const parts = moduleParts('reviews_module', { items: 10, seed: 4 });
  const reviews = () => createReviewsModule(parts.prisma, parts.cache, parts.writes);

  test('ids are positive whole numbers; a missing review is NOT_FOUND naming it', async () => {
    await assert.rejects(async () => reviews().get('abc', null), {
      code: 'BAD_USER_INPUT',
      message: /id must be a positive integer, got "abc"/,
    });
    await assert.rejects(async () => reviews().get('0', null), {
      code: 'BAD_USER_INPUT',
      message: /id must be a positive integer/,
    });
    await assert.rejects(async () => reviews().get('999999', null), { code: 'NOT_FOUND', message: /review 999999/ });
  });

  test('a bad update is refused naming the field, and changes nothing', async () => {
    const before = await parts.prisma.review.findFirstOrThrow({ orderBy: { id: 'asc' } });
    await assert.rejects(async () => reviews().update(String(before.id), { rating: 6 }), {
      code: 'BAD_USER_INPUT',
      message: /rating: must be between 1 and 5/,
    });
    await assert.rejects(async () => reviews().update(String(before.id), {}), {
      code: 'BAD_USER_INPUT',
      message: /must change at least one field/,
    });
    await assert.rejects(async () => reviews().update(String(before.id), { stars: 5 }), {
      code: 'BAD_USER_INPUT',
      message: /stars/,
    });
    assert.deepEqual(await parts.prisma.review.findUniqueOrThrow({ where: { id: before.id } }), before);
  });

  test('a write is seen by the next read through the cache, and a delete by every later one', async () => {
    const module = reviews();
    const { id } = await parts.prisma.review.findFirstOrThrow({ orderBy: { id: 'desc' } });
    // read twice through the entity cache: the second is a hit
    await module.get(String(id), parts.cache.readerForRequest());
    const hits = parts.cache.stats.hits;
    assert.equal((await module.get(String(id), parts.cache.readerForRequest())).id, id);
    assert.ok(parts.cache.stats.hits > hits, 'served from the cache');
    await module.update(String(id), { title: 'Changed by the module test' });
    assert.equal((await module.get(String(id), parts.cache.readerForRequest())).title, 'Changed by the module test');
    await module.remove(String(id));
    await assert.rejects(async () => module.get(String(id), parts.cache.readerForRequest()), {
      code: 'NOT_FOUND',
      message: new RegExp(`review ${id}`),
    });
    await assert.rejects(async () => module.remove(String(id)), {
      code: 'NOT_FOUND',
      message: new RegExp(`review ${id}`),
    });
  });

  test('a review of a missing item is NOT_FOUND naming the item, and writes nothing', async () => {
    const count = await parts.prisma.review.count();
    const request = {
      idempotency: null,
      respond: (body: unknown) => ({ status: 201, headers: {}, body: JSON.stringify(body) }),
    };
    await assert.rejects(
      async () => reviews().create('999999', { rating: 4, title: 'Nice', body: 'Works.', author: 'Ada' }, request),
      { code: 'NOT_FOUND', message: /item 999999/ },
    );
    assert.equal(await parts.prisma.review.count(), count);
  });
});
