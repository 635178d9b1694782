import type { Item, Photo, Review } from '@supergraph-lab/db';
import {
  ADJECTIVES,
  BRANDS,
  buildImagePool,
  CATEGORIES,
  COLOURS,
  DESCRIPTION_CLOSINGS,
  DESCRIPTION_OPENINGS,
  FIRST_NAMES,
  LAST_INITIALS,
  PHOTO_VIEWS,
  REVIEW_SENTENCES,
  REVIEW_TITLES,
  type CategorySpec,
  type PooledImage,
} from './pools.ts';
import { mix32, Random, WeightedIndex } from './random.ts';

/** What to generate. The same options always give the same rows. */
export interface GeneratorOptions {
  /** Number of items; reviews and photos follow from it. */
  items: number;
  /** Any 32-bit integer. */
  seed: number;
}

/** The shop's history runs over these years; every timestamp falls inside. */
export const DATA_START_MS = Date.UTC(2018, 0, 1);
export const DATA_END_MS = Date.UTC(2026, 10, 1);

/** At most this many reviews per item, and photos per item. */
export const MAX_REVIEWS_PER_ITEM = 20;
export const MAX_PHOTOS_PER_ITEM = 10;

/** The generated data set: three independent row sequences over the same items. */
export interface ShopGenerator {
  readonly options: GeneratorOptions;
  /** Items in id order, ids 1..options.items. */
  items(): Generator<Item>;
  /** Reviews in item order, ids 1.., each item's reviews oldest first. */
  reviews(): Generator<Review>;
  /** Photos in item order, ids 1.., each item's photos by position. */
  photos(): Generator<Photo>;
  /** The shared image pool the photo URLs are drawn from. */
  readonly imagePool: readonly PooledImage[];
}

// One stream per table so each can be generated without the others.
const STREAM_ITEM = 1;
const STREAM_REVIEWS = 2;
const STREAM_PHOTOS = 3;
const STREAM_SETUP = 99;

const CATEGORY_INDEX = new WeightedIndex(CATEGORIES.map((category) => category.weight));

// Per-item product quality shapes its rating histogram; overall ratings skew to 4-5 stars.
const QUALITY_INDEX = new WeightedIndex([70, 22, 8]);
const RATING_BY_QUALITY = [
  new WeightedIndex([2, 2, 6, 25, 65]),
  new WeightedIndex([8, 10, 25, 32, 25]),
  new WeightedIndex([30, 20, 20, 15, 15]),
];

// 1..10 photos for an item that has any; most listings have 2-5
const PHOTO_COUNT_INDEX = new WeightedIndex([12, 16, 17, 14, 11, 9, 7, 6, 4, 4]);
const SHARE_WITHOUT_PHOTOS = 0.06;

const SHARE_WITHOUT_REVIEWS = 0.22;
// Reviews of a reviewed item: 1 + an exponential tail with this mean, capped at 20.
const REVIEW_TAIL_MEAN = 2.6;

interface PreparedCategory {
  spec: CategorySpec;
  brands: readonly string[];
  sentences: readonly string[];
}

interface ItemIdentity {
  category: PreparedCategory;
  brand: string;
  name: string;
}

/** Validates the options, failing with the rule and the bad value. */
export function validateGeneratorOptions(options: GeneratorOptions): void {
  if (!Number.isSafeInteger(options.items) || options.items < 0) {
    throw new RangeError(`items must be a whole number >= 0, got ${options.items}`);
  }
  if (options.items > 2_000_000_000) throw new RangeError(`items must be at most 2,000,000,000, got ${options.items}`);
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
}

/** Builds the pools for a seed and returns the three row sequences. */
export function createShopGenerator(options: GeneratorOptions): ShopGenerator {
  validateGeneratorOptions(options);
  const { items: itemCount } = options;
  const seed = options.seed | 0;
  const setup = new Random(seed, 0, STREAM_SETUP);
  const categories = CATEGORIES.map((spec) => prepareCategory(spec, setup));
  const imagePool = buildImagePool(() => setup.next32());
  const spanMs = DATA_END_MS - DATA_START_MS;

  /** Launch time of an item: increases with its id (a larger id is a newer record). */
  function itemCreatedMs(id: number): number {
    const jitter = mix32(seed ^ mix32(id)) / 4294967296;
    return DATA_START_MS + Math.floor((spanMs * (id - 1 + jitter)) / Math.max(itemCount, 1));
  }

  function identity(random: Random): ItemIdentity {
    const category = categories[CATEGORY_INDEX.draw(random)]!;
    const brand = random.pick(category.brands);
    let name = `${brand} ${random.pick(ADJECTIVES)} ${random.pick(category.spec.nouns)}`;
    if (random.chance(0.4)) name += ` ${String.fromCharCode(65 + random.int(0, 25))}${random.int(1, 99) * 10}`;
    if (random.chance(0.35)) name += `, ${random.pick(COLOURS)}`;
    return { category, brand, name };
  }

  function* items(): Generator<Item> {
    const random = new Random(0);
    for (let id = 1; id <= itemCount; id++) {
      random.reseed(seed, id, STREAM_ITEM);
      const { category, brand, name } = identity(random);
      const createdMs = itemCreatedMs(id);
      let description = random.pick(category.sentences);
      for (let n = random.int(0, 4); n > 0; n--) description += ` ${random.pick(category.sentences)}`;
      for (let n = random.int(0, 2); n > 0; n--) description += ` ${random.pick(DESCRIPTION_CLOSINGS)}`;
      const price = category.spec.medianPriceCents * Math.exp(0.6 * random.gaussian());
      const currencyDraw = random.next();
      const stockDraw = random.next();
      yield {
        id,
        sku: `${category.spec.code}-${id.toString(36).toUpperCase().padStart(7, '0')}`,
        name,
        description,
        category: category.spec.name,
        brand,
        // prices end in .99, as shops price them
        priceCents: Math.max(99, Math.round(price / 100) * 100 - 1),
        currency: currencyDraw < 0.85 ? 'USD' : currencyDraw < 0.95 ? 'EUR' : 'GBP',
        stock: stockDraw < 0.08 ? 0 : stockDraw < 0.2 ? random.int(1, 5) : random.int(6, 500),
        createdAt: new Date(createdMs),
        updatedAt: new Date(random.chance(0.6) ? createdMs : laterThan(random, createdMs)),
      };
    }
  }

  function* reviews(): Generator<Review> {
    const random = new Random(0);
    const times = new Float64Array(MAX_REVIEWS_PER_ITEM);
    let reviewId = 0;
    for (let itemId = 1; itemId <= itemCount; itemId++) {
      random.reseed(seed, itemId, STREAM_REVIEWS);
      const count = reviewCount(random);
      if (count === 0) continue;
      const ratings = RATING_BY_QUALITY[QUALITY_INDEX.draw(random)]!;
      const createdMs = itemCreatedMs(itemId);
      for (let n = 0; n < count; n++) times[n] = laterThan(random, createdMs);
      // oldest first, so that review ids grow with time within an item
      const sorted = times.subarray(0, count).sort();
      for (let n = 0; n < count; n++) {
        const rating = ratings.draw(random) + 1;
        const sentiment = rating <= 2 ? 0 : rating === 3 ? 1 : 2;
        const sentences = REVIEW_SENTENCES[sentiment]!;
        let body = random.pick(sentences);
        for (let extra = random.int(0, 3); extra > 0; extra--) body += ` ${random.pick(sentences)}`;
        const reviewMs = sorted[n]!;
        yield {
          id: ++reviewId,
          itemId,
          rating,
          title: random.pick(REVIEW_TITLES[sentiment]!),
          body,
          author: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_INITIALS)}`,
          verifiedPurchase: random.chance(0.72),
          helpfulCount: helpfulCount(random),
          createdAt: new Date(reviewMs),
          updatedAt: new Date(random.chance(0.92) ? reviewMs : laterThan(random, reviewMs)),
        };
      }
    }
  }

  function* photos(): Generator<Photo> {
    const random = new Random(0);
    const itemRandom = new Random(0);
    let photoId = 0;
    for (let itemId = 1; itemId <= itemCount; itemId++) {
      random.reseed(seed, itemId, STREAM_PHOTOS);
      if (random.chance(SHARE_WITHOUT_PHOTOS)) continue;
      const count = PHOTO_COUNT_INDEX.draw(random) + 1;
      // the item's own stream, replayed, gives the name the alt text needs
      itemRandom.reseed(seed, itemId, STREAM_ITEM);
      const { name } = identity(itemRandom);
      const uploadedMs = itemCreatedMs(itemId) - random.int(60_000, 86_400_000);
      for (let position = 0; position < count; position++) {
        const image = random.pick(imagePool);
        const at = new Date(Math.max(DATA_START_MS, uploadedMs + position * 1000));
        yield {
          id: ++photoId,
          itemId,
          url: image.url,
          altText: position === 0 ? name : `${name}, ${random.pick(PHOTO_VIEWS)}`,
          width: image.width,
          height: image.height,
          position,
          createdAt: at,
          updatedAt: at,
        };
      }
    }
  }

  return { options: { items: itemCount, seed }, items, reviews, photos, imagePool };
}

function prepareCategory(spec: CategorySpec, random: Random): PreparedCategory {
  const brands = new Set<string>();
  while (brands.size < 24) brands.add(random.pick(BRANDS));
  // a few hundred ready sentences per category: descriptions only pick and join them
  const sentences: string[] = [];
  for (let i = 0; i < 240; i++) {
    sentences.push(random.pick(DESCRIPTION_OPENINGS).replace(/\{feature\}/g, () => random.pick(spec.features)));
  }
  return { spec, brands: [...brands], sentences };
}

/** 22% of items have no reviews; the rest 1..20 with a long tail (mean about 3.5). */
function reviewCount(random: Random): number {
  if (random.chance(SHARE_WITHOUT_REVIEWS)) return 0;
  const tail = Math.floor(-Math.log(1 - random.next()) * REVIEW_TAIL_MEAN);
  return Math.min(MAX_REVIEWS_PER_ITEM, 1 + tail);
}

/** Most reviews get no helpful votes; a few get very many (Pareto tail). */
function helpfulCount(random: Random): number {
  if (random.chance(0.55)) return 0;
  return Math.min(5000, Math.floor(1 / Math.pow(1 - random.next(), 1 / 1.1)));
}

/** A moment uniformly between `ms` and the end of the data's history. */
function laterThan(random: Random, ms: number): number {
  return ms + Math.floor(random.next() * Math.max(0, DATA_END_MS - ms));
}
