import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseKindOf } from '@supergraph-lab/config';
import { eventually } from '@supergraph-lab/testing';
import { createPrismaClient, type PrismaClient } from '../src/client.ts';
import { showcaseItemId } from '../src/connection.ts';
import {
  itemsByIds,
  itemsPage,
  photosOfItems,
  REVIEW_SORTS,
  reviewFirstPagesAndSummaries,
  reviewKeyset,
  reviewPages,
  reviewSummaries,
  type ReviewKeyset,
  type ReviewSort,
} from '../src/queries.ts';
import type { Review } from '../src/client.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';
import { biasedItemId } from '../src/workload.ts';

/** The order each sort promises, as a comparator: the reference the SQL is checked against. */
const REFERENCE: Record<ReviewSort, (a: Review, b: Review) => number> = {
  NEWEST: (a, b) => b.id - a.id,
  HIGHEST: (a, b) => b.rating - a.rating || b.id - a.id,
  LOWEST: (a, b) => a.rating - b.rating || a.id - b.id,
  MOST_HELPFUL: (a, b) => b.helpfulCount - a.helpfulCount || b.id - a.id,
};

describe('API read queries', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let busy: number; // 37 reviews full of ties
  let quiet: number; // no reviews, no photos
  let small: number; // 3 reviews, 2 photos

  before(async () => {
    db = await createTestDatabase('queries');
    prisma = createPrismaClient(db.url);
    const make = (sku: string, category: string) =>
      prisma.item.create({ data: { sku, name: sku, description: 'd', category, brand: 'b', priceCents: 999 } });
    busy = (await make('BUSY', 'Books')).id;
    quiet = (await make('QUIET', 'Garden')).id;
    small = (await make('SMALL', 'Books')).id;
    for (let n = 0; n < 37; n++) {
      await prisma.review.create({
        data: {
          itemId: busy,
          rating: 1 + ((n * 7) % 5),
          title: `t${n}`,
          body: 'b',
          author: 'a',
          helpfulCount: (n * 3) % 4,
        },
      });
    }
    for (const rating of [5, 2, 5])
      await prisma.review.create({ data: { itemId: small, rating, title: 't', body: 'b', author: 'a' } });
    for (const position of [1, 0]) {
      await prisma.photo.create({
        data: { itemId: small, url: `u${position}`, altText: 'a', width: 10, height: 10, position },
      });
    }
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  for (const sort of REVIEW_SORTS) {
    test(`reviews ${sort}: keyset pages walk every review once, in order`, async () => {
      const all = await prisma.review.findMany({ where: { itemId: busy } });
      const expected = [...all].sort(REFERENCE[sort]).map((review) => review.id);
      const seen: number[] = [];
      let after: ReviewKeyset | null = null;
      for (;;) {
        const [page] = await reviewPages(prisma, [busy], { first: 4, sort, after });
        const shown = page!.slice(0, 4);
        seen.push(...shown.map((review) => review.id));
        if (page!.length <= 4) break; // the extra row is how a caller knows another page follows
        after = reviewKeyset(shown.at(-1)!, sort);
      }
      assert.deepEqual(seen, expected);
    });
  }

  test('one statement answers many items, in key order, empty where an item has none', async () => {
    const pages = await reviewPages(prisma, [small, quiet, busy, 999_999], { first: 2, sort: 'HIGHEST' });
    assert.deepEqual(
      pages.map((page) => page.length),
      [3, 0, 3, 0],
    );
    assert.deepEqual(
      pages[0]!.map((review) => review.rating),
      [5, 5, 2],
    );
    const photos = await photosOfItems(prisma, [quiet, small], { first: 12 });
    assert.deepEqual(
      photos.map((list) => list.map((photo) => photo.position)),
      [[], [0, 1]],
    );
    assert.deepEqual(
      (await photosOfItems(prisma, [small], { first: 1 }))[0]!.map((photo) => photo.url),
      ['u0'],
    );
  });

  test('review summaries count, average and histogram per item', async () => {
    const [busySummary, quietSummary, smallSummary] = await reviewSummaries(prisma, [busy, quiet, small]);
    const ratings = (await prisma.review.findMany({ where: { itemId: busy } })).map((review) => review.rating);
    const histogram = [1, 2, 3, 4, 5].map((star) => ratings.filter((rating) => rating === star).length);
    assert.deepEqual(busySummary, {
      count: 37,
      histogram,
      averageRating: Math.round((ratings.reduce((a, b) => a + b, 0) / 37) * 100) / 100,
    });
    assert.deepEqual(quietSummary, { count: 0, averageRating: null, histogram: [0, 0, 0, 0, 0] });
    assert.deepEqual(smallSummary, { count: 3, averageRating: 4, histogram: [0, 1, 0, 0, 2] });
  });

  for (const sort of REVIEW_SORTS) {
    test(`first pages (${sort}) and summaries in one statement answer what the two statements do`, async () => {
      // the page's items and the summaries' items differ, as they may in one batch
      const pageIds = [busy, quiet, small, 999_999];
      const summaryIds = [small, 999_999, busy, quiet];
      const both = await reviewFirstPagesAndSummaries(prisma, pageIds, { first: 4, sort }, summaryIds);
      assert.deepEqual(both.pages, await reviewPages(prisma, pageIds, { first: 4, sort }));
      assert.deepEqual(both.summaries, await reviewSummaries(prisma, summaryIds));
      assert.equal(both.pages[0]!.length, 5, 'first + 1 rows, so the caller knows another page follows');
      assert.ok(both.pages[0]![0]!.createdAt instanceof Date);
    });
  }

  test("npm start's showcase is the oldest item with both photos and reviews", async () => {
    // busy has reviews but no photo, quiet neither: small is the first with both
    assert.ok(busy < small && quiet < small);
    assert.equal(await showcaseItemId(db.url), small);
  });

  test('items by ids keep key order with null for a missing id; item pages go newest first by category', async () => {
    const found = await itemsByIds(prisma, [small, 424242, busy]);
    assert.deepEqual(
      found.map((item) => item?.sku ?? null),
      ['SMALL', null, 'BUSY'],
    );
    assert.deepEqual(
      (await itemsPage(prisma, { first: 5 })).map((item) => item.sku),
      ['SMALL', 'QUIET', 'BUSY'],
    );
    const books = await itemsPage(prisma, { first: 1, category: 'Books' });
    assert.deepEqual(
      books.map((item) => item.sku),
      ['SMALL', 'BUSY'],
      'first + 1 rows',
    );
    assert.deepEqual(
      (await itemsPage(prisma, { first: 1, category: 'Books', after: small })).map((item) => item.sku),
      ['BUSY'],
    );
    // a category after a keyset is a statement of its own (MariaDB's index hint): the same items, every field
    assert.deepEqual(
      await itemsPage(prisma, { first: 5, category: 'Books', after: small + 1 }),
      await prisma.item.findMany({ where: { category: 'Books', id: { lt: small + 1 } }, orderBy: { id: 'desc' } }),
    );
  });

  test("a client's connections stay open while idle and close with $disconnect", async () => {
    // the client's connections, told apart from the suite's own: by application_name on
    // Postgres, by a database of their own on MariaDB (which has no such name)
    const mariadb = databaseKindOf(db.url) === 'mariadb';
    const own = mariadb ? await createTestDatabase('idle', { migrated: false }) : null;
    const url = new URL(own?.url ?? db.url);
    if (!mariadb) url.searchParams.set('application_name', 'idle-test');
    const connections = async () => {
      const [row] = mariadb
        ? await prisma.$queryRaw<{ n: number }[]>`
            SELECT CAST(count(*) AS INT) AS n FROM information_schema.PROCESSLIST WHERE DB = ${own!.name}`
        : await prisma.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'idle-test'`;
      return Number(row!.n);
    };
    try {
      const client = createPrismaClient(url.toString(), { idleTimeoutMs: 0 });
      const sleep = () =>
        mariadb
          ? client.$queryRaw`SELECT SLEEP(0.05) AS slept`
          : client.$queryRaw`SELECT pg_sleep(0.05)::text AS slept`;
      await Promise.all([1, 2, 3].map(sleep));
      const open = await connections();
      // MariaDB's pool also keeps a spare idle connection (minimumIdle), opened in the background
      if (mariadb) assert.ok(open === 3 || open === 4, `three statements at once, kept open: ${open} open`);
      else assert.equal(open, 3, 'three connections for three statements at once, kept open');
      await client.$disconnect();
      await eventually(async () => (await connections()) === 0, 10_000, '$disconnect to close them', 20);
    } finally {
      await own?.drop();
    }
  });

  test('biased ids fall in range and mostly in the newest tenth', () => {
    let newest = 0;
    for (let n = 0; n < 10_000; n++) {
      const id = biasedItemId(1000);
      assert.ok(Number.isInteger(id) && id >= 1 && id <= 1000);
      if (id > 900) newest++;
    }
    assert.ok(newest > 7800 && newest < 8600, `newest tenth drew ${newest} of 10000`);
    assert.equal(biasedItemId(1), 1);
    assert.throws(() => biasedItemId(0), /maxId must be >= 1, got 0/);
  });
});
