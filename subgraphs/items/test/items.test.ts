// The items module's own rules, without HTTP: what it refuses (and leaves unchanged), and that a
// write is seen by the next read through the entity cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { versionKeys } from '@supergraph-lab/cache';
import { LOCK_WAITS_POLL_MS, lockWaits } from '@supergraph-lab/db/testing';
import { moduleParts } from '@supergraph-lab/stack/fixture';
import { eventually } from '@supergraph-lab/testing';
import { createItemsModule } from '../src/items.ts';

describe('items module', () => {
  const parts = moduleParts('items_module', { items: 10, seed: 6 });
  const items = () => createItemsModule(parts.prisma, parts.cache, parts.writes);

  test('a bad change is refused naming the field, and changes nothing; a missing item is NOT_FOUND', async () => {
    const before = await parts.prisma.item.findUniqueOrThrow({ where: { id: 2 } });
    await assert.rejects(async () => items().update('2', { priceCents: -1 }), {
      code: 'BAD_USER_INPUT',
      message: /priceCents: must be >= 0/,
    });
    await assert.rejects(async () => items().update('2', { colour: 'red' }), {
      code: 'BAD_USER_INPUT',
      message: /colour/,
    });
    await assert.rejects(async () => items().update('x2', { stock: 1 }), {
      code: 'BAD_USER_INPUT',
      message: /id must be a positive integer/,
    });
    await assert.rejects(async () => items().update('999999', { stock: 1 }), {
      code: 'NOT_FOUND',
      message: /item 999999/,
    });
    assert.deepEqual(await parts.prisma.item.findUniqueOrThrow({ where: { id: 2 } }), before);
  });

  test('a change is seen by the next read through the cache', async () => {
    const module = items();
    const [cached] = await module.byIds([5], parts.cache.readerForRequest());
    assert.equal(cached!.id, 5);
    await module.update('5', { name: 'Renamed by the module test' });
    const [after] = await module.byIds([5], parts.cache.readerForRequest());
    assert.equal(after!.name, 'Renamed by the module test');
  });

  test('a review committed while its item is deleted is deleted with it, and its token replaced', async () => {
    const module = items();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let inserted!: (id: number) => void;
    const review = new Promise<number>((resolve) => (inserted = resolve));
    // a review's insert, holding its lock on the item (the foreign key's) until released
    const insert = parts.prisma.$transaction(
      async (tx) => {
        const row = await tx.review.create({
          data: { itemId: 7, rating: 4, title: 'Late', body: 'In between', author: 'Bo' },
        });
        inserted(row.id);
        await released;
      },
      { timeout: 20_000 },
    );
    const reviewId = await review;
    const waitsBefore = await lockWaits(parts.prisma);
    const deleted = module.remove('7');
    // the delete has reached a lock the insert holds: with the fix its lock on the item, before it
    // reads the children; without, the DELETE itself, after it read them
    await eventually(
      async () => (await lockWaits(parts.prisma)) > waitsBefore,
      10_000,
      'the delete to wait',
      LOCK_WAITS_POLL_MS,
    );
    release();
    await insert;
    await deleted;
    assert.equal(await parts.prisma.review.count({ where: { id: reviewId } }), 0, 'the cascade took it');
    const [token] = (await parts.cache.store.getMany<string>([versionKeys.review(reviewId)])) ?? [];
    assert.ok(token, 'the delete replaced the token of the review it cascaded away');
  });
});
