import assert from 'node:assert/strict';
import { createPrismaClient, shopCounts } from '@supergraph-lab/db';
import { createShopGenerator } from '../src/generate.ts';
import { loadShopData } from '../src/loaders.ts';
import type { LoadProgress } from '../src/tables.ts';

/**
 * Loads `items` items into the empty database at `url` (Postgres or MariaDB) and asserts the load
 * is exact: the report's and the tables' counts are the generator's, Prisma Client reads back
 * exactly the generated rows, and new rows get ids past the loaded ones. Returns the progress
 * events for the caller's own checks.
 */
export async function assertExactLoad(url: string, items: number, seed: number): Promise<LoadProgress[]> {
  const events: LoadProgress[] = [];
  const report = await loadShopData({ url, items, seed, onProgress: (event) => events.push(event) });
  const generator = createShopGenerator({ items, seed });
  const expected = {
    items: [...generator.items()],
    reviews: [...generator.reviews()],
    photos: [...generator.photos()],
  };
  assert.deepEqual(
    report.tables.map((table) => [table.table, table.rows]),
    [
      ['items', items],
      ['reviews', expected.reviews.length],
      ['photos', expected.photos.length],
    ],
  );
  assert.deepEqual(await shopCounts(url), {
    items,
    reviews: expected.reviews.length,
    photos: expected.photos.length,
  });
  const prisma = createPrismaClient(url);
  try {
    assert.deepEqual(await prisma.item.findMany({ orderBy: { id: 'asc' } }), expected.items);
    assert.deepEqual(await prisma.review.findMany({ orderBy: { id: 'asc' } }), expected.reviews);
    assert.deepEqual(await prisma.photo.findMany({ orderBy: { id: 'asc' } }), expected.photos);
    // ids (Postgres's sequences, MariaDB's AUTO_INCREMENT) were moved past the loaded ones
    const created = await prisma.item.create({
      data: { sku: 'NEW-1', name: 'n', description: 'd', category: 'Books', brand: 'b', priceCents: 100 },
    });
    assert.equal(created.id, items + 1);
    const review = await prisma.review.create({ data: { itemId: 1, rating: 5, title: 't', body: 'b', author: 'a' } });
    assert.equal(review.id, expected.reviews.length + 1);
    const photo = await prisma.photo.create({ data: { itemId: 1, url: 'u', altText: 'a', width: 1, height: 1 } });
    assert.equal(photo.id, expected.photos.length + 1);
  } finally {
    await prisma.$disconnect();
  }
  assert.deepEqual(
    [...new Set(events.flatMap((event) => (event.phase === 'copy' ? [event.table] : [])))],
    ['items', 'reviews', 'photos'],
  );
  assert.ok(events.every((event) => event.phase !== 'copy' || (event.fraction >= 0 && event.fraction <= 1)));
  assert.ok(events.some((event) => event.phase === 'index'));
  assert.ok(events.some((event) => event.phase === 'analyze'));
  return events;
}
