import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Item, Photo, Review } from '@supergraph-lab/db';
import {
  createShopGenerator,
  DATA_END_MS,
  DATA_START_MS,
  MAX_PHOTOS_PER_ITEM,
  MAX_REVIEWS_PER_ITEM,
} from '../src/generate.ts';
import * as pools from '../src/pools.ts';

const N = 20_000;
const generator = createShopGenerator({ items: N, seed: 7 });
const items: Item[] = [...generator.items()];
const reviews: Review[] = [...generator.reviews()];
const photos: Photo[] = [...generator.photos()];

function digest(rows: Iterable<unknown>): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(JSON.stringify(row));
  return hash.digest('hex');
}

function countBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return counts;
}

describe('generator', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    const again = createShopGenerator({ items: N, seed: 7 });
    assert.equal(digest(again.items()), digest(items));
    assert.equal(digest(again.reviews()), digest(reviews));
    assert.equal(digest(again.photos()), digest(photos));
    const other = createShopGenerator({ items: N, seed: 8 });
    assert.notEqual(digest(other.items()), digest(items));
    assert.notEqual(digest(other.reviews()), digest(reviews));
  });

  test('ids run 1..n without gaps in every table; skus are unique', () => {
    items.forEach((item, index) => assert.equal(item.id, index + 1));
    reviews.forEach((review, index) => assert.equal(review.id, index + 1));
    photos.forEach((photo, index) => assert.equal(photo.id, index + 1));
    assert.equal(new Set(items.map((item) => item.sku)).size, N);
  });

  test('items: a larger id is newer, dates span years, texts vary in length, values keep the rules', () => {
    for (let i = 1; i < items.length; i++)
      assert.ok(items[i]!.createdAt >= items[i - 1]!.createdAt, `item ${i + 1} older than ${i}`);
    const years = (items.at(-1)!.createdAt.getTime() - items[0]!.createdAt.getTime()) / (365.25 * 86_400_000);
    assert.ok(years > 7, `items span ${years.toFixed(1)} years`);
    const lengths = items.map((item) => item.description.length);
    assert.ok(
      Math.min(...lengths) < 120 && Math.max(...lengths) > 500,
      `description lengths ${Math.min(...lengths)}..${Math.max(...lengths)}`,
    );
    assert.equal(new Set(items.map((item) => item.category)).size, pools.CATEGORIES.length);
    assert.ok(new Set(items.map((item) => item.brand)).size > 100);
    assert.ok(new Set(items.map((item) => item.name)).size > N * 0.5, 'names are mostly distinct');
    for (const item of items) {
      assert.ok(item.priceCents >= 99 && item.priceCents % 100 === 99, `price ${item.priceCents}`);
      assert.ok(item.stock >= 0);
      assert.match(item.currency, /^(USD|EUR|GBP)$/);
      assert.ok(item.updatedAt >= item.createdAt && item.updatedAt.getTime() <= DATA_END_MS);
    }
    const outOfStock = items.filter((item) => item.stock === 0).length / N;
    assert.ok(outOfStock > 0.05 && outOfStock < 0.12, `out of stock ${outOfStock}`);
  });

  test('reviews per item: 0 to 20 with a long tail, about a fifth of items have none', () => {
    const perItem = countBy(reviews, (review) => review.itemId);
    const withoutReviews = (N - perItem.size) / N;
    assert.ok(withoutReviews > 0.18 && withoutReviews < 0.26, `share without reviews ${withoutReviews}`);
    const counts = [...perItem.values()];
    assert.equal(Math.max(...counts), MAX_REVIEWS_PER_ITEM, 'a few items reach the cap');
    const many = counts.filter((count) => count >= 12).length;
    assert.ok(many > 0 && many < N * 0.02, `items with 12+ reviews: ${many}`);
    const mean = reviews.length / N;
    assert.ok(mean > 2 && mean < 4, `mean reviews per item ${mean}`);
  });

  test('ratings skew to 4-5 stars, helpful counts skew to zero with a long tail', () => {
    const byRating = countBy(reviews, (review) => review.rating);
    assert.deepEqual([...byRating.keys()].sort(), [1, 2, 3, 4, 5]);
    const share = (rating: number) => byRating.get(rating)! / reviews.length;
    assert.ok(share(4) + share(5) > 0.65, `4-5 stars ${share(4) + share(5)}`);
    assert.ok(share(5) > share(4) && share(4) > share(3) && share(1) < 0.12, 'more 5s than 4s than 3s, few 1s');
    const helpful = reviews.map((review) => review.helpfulCount).sort((a, b) => a - b);
    assert.equal(helpful[Math.floor(helpful.length / 2)], 0, 'median helpful count is 0');
    assert.ok(helpful.at(-1)! > 100, `max helpful ${helpful.at(-1)}`);
  });

  test('review dates fall after their item launched, oldest first within an item, spread over years', () => {
    const launched = new Map(items.map((item) => [item.id, item.createdAt.getTime()]));
    let previous: Review | undefined;
    for (const review of reviews) {
      const at = review.createdAt.getTime();
      assert.ok(at >= launched.get(review.itemId)! && at <= DATA_END_MS, `review ${review.id} date`);
      assert.ok(review.updatedAt >= review.createdAt);
      if (previous?.itemId === review.itemId)
        assert.ok(at >= previous.createdAt.getTime(), `review ${review.id} older than ${previous.id}`);
      previous = review;
    }
    const years = new Set(reviews.map((review) => review.createdAt.getUTCFullYear()));
    assert.ok(years.size >= 8, `review years ${[...years].sort()}`);
  });

  test('photos: 0 to 10 per item in position order, URLs from a pool of about 1,000', () => {
    const perItem = new Map<number, Photo[]>();
    for (const photo of photos) perItem.set(photo.itemId, [...(perItem.get(photo.itemId) ?? []), photo]);
    const withoutPhotos = (N - perItem.size) / N;
    assert.ok(withoutPhotos > 0.03 && withoutPhotos < 0.1, `share without photos ${withoutPhotos}`);
    for (const [itemId, list] of perItem) {
      assert.ok(list.length >= 1 && list.length <= MAX_PHOTOS_PER_ITEM);
      assert.deepEqual(
        list.map((photo) => photo.position),
        list.map((_, index) => index),
        `positions of item ${itemId}`,
      );
      assert.ok(list[0]!.altText.length > 0);
    }
    assert.equal(Math.max(...[...perItem.values()].map((list) => list.length)), MAX_PHOTOS_PER_ITEM);
    const urls = new Set(photos.map((photo) => photo.url));
    assert.ok(urls.size > 950 && urls.size <= 1000, `distinct photo URLs ${urls.size}`);
    assert.equal(generator.imagePool.length, 1000);
    for (const photo of photos.slice(0, 2000)) {
      assert.match(
        photo.url,
        /^https:\/\/images\.supergraph-shop\.example\/products\/[0-9a-f]{2}\/[0-9a-f]{16}_\d+x\d+\.jpg$/,
      );
      assert.ok(photo.url.endsWith(`_${photo.width}x${photo.height}.jpg`));
      assert.ok(photo.createdAt.getTime() >= DATA_START_MS);
    }
  });

  test('pools hold no character that needs escaping and no empty strings', () => {
    const texts = [
      ...pools.CATEGORIES.flatMap((category) => [
        category.name,
        category.code,
        ...category.nouns,
        ...category.features,
      ]),
      ...pools.ADJECTIVES,
      ...pools.COLOURS,
      ...pools.BRANDS,
      ...pools.DESCRIPTION_OPENINGS,
      ...pools.DESCRIPTION_CLOSINGS,
      ...pools.FIRST_NAMES,
      ...pools.LAST_INITIALS,
      ...pools.REVIEW_TITLES.flat(),
      ...pools.REVIEW_SENTENCES.flat(),
      ...pools.PHOTO_VIEWS,
    ];
    for (const text of texts) {
      assert.ok(text.length > 0);
      // no control characters or backslashes: COPY's text escapes never come into play
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(text, /[\u0000-\u001f\\]/, JSON.stringify(text));
    }
  });

  test('rejects a negative or fractional item count and a non-integer seed', () => {
    assert.throws(() => createShopGenerator({ items: -1, seed: 1 }), /items must be a whole number >= 0, got -1/);
    assert.throws(() => createShopGenerator({ items: 1.5, seed: 1 }), /items must be a whole number >= 0, got 1.5/);
    assert.throws(() => createShopGenerator({ items: 10, seed: Number.NaN }), /seed must be an integer, got NaN/);
    assert.equal([...createShopGenerator({ items: 0, seed: 1 }).reviews()].length, 0);
  });
});
