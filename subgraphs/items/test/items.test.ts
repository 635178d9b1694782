// The items module's own rules, without HTTP: what it refuses (and leaves unchanged), and that a
// write is seen by the next read through the entity cache.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { moduleParts } from '@supergraph-lab/stack/fixture';
import { createItemsModule } from '../src/items.ts';

describe('items module', () => {
  const parts = moduleParts('items_module', { items: 10, seed: 6 });
  const items = () => createItemsModule(parts.prisma, parts.cache, parts.creates);

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
});
