import {
  itemExists,
  REVIEW_SORTS,
  reviewFirstPagesAndSummaries,
  reviewKeyset,
  reviewPages,
  reviewsByIds,
  reviewSummaries,
  type PrismaClient,
  type Review,
  type ReviewKeyset,
  type ReviewSort,
  type ReviewSummary,
} from '@supergraph-lab/db';
import {
  reviveDates,
  versionKeys,
  type CachedKind,
  type SubgraphCache,
  type VersionReader,
} from '@supergraph-lab/cache';
import {
  badInput,
  decodeCursor,
  encodeCursor,
  nonNegativeInt,
  notFound,
  orItemNotFound,
  parseFirst,
  parseId,
  parseInput,
  requiredText,
  withoutNulls,
} from '@supergraph-lab/http';
import { itemChildWrites, type CreateRequest, type CreateResult, type Writes } from '@supergraph-lab/subgraph';
import type { Cancellation } from '@supergraph-lab/timing';
import { z } from 'zod';

/**
 * The reviews module: every read and write of reviews, for GraphQL and REST alike.
 */

const reviewFields = {
  rating: z
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 5')
    .max(5, 'must be between 1 and 5'),
  title: requiredText(200),
  body: requiredText(5000, 'many'),
  author: requiredText(100),
  verifiedPurchase: z.boolean({ invalid_type_error: 'must be true or false' }),
  helpfulCount: nonNegativeInt,
};

/** A new review (its item comes from the URL or `itemId`). */
const reviewCreate = z
  .object({ ...reviewFields, verifiedPurchase: reviewFields.verifiedPurchase.default(false) })
  .omit({ helpfulCount: true })
  .strict();

/** PUT: the whole writable representation. */
const reviewReplace = z
  .object({
    ...reviewFields,
    verifiedPurchase: reviewFields.verifiedPurchase.default(false),
    helpfulCount: reviewFields.helpfulCount.default(0),
  })
  .strict();

/** PATCH and updateReview: at least one field. */
const reviewPatch = z
  .object(reviewFields)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field');

const reviewCursor = z
  .object({
    s: z.enum(REVIEW_SORTS as [ReviewSort, ...ReviewSort[]]),
    id: z.number().int().positive(),
    v: z.number().int().optional(),
  })
  .strict();

/** What one page of one item's reviews is asked with. */
export interface ReviewPageKey {
  itemId: number;
  first: number;
  sort: ReviewSort;
  after: ReviewKeyset | null;
}

/** One read of a batch: an item's summary, or a page of its reviews. */
export type ReviewRead = { summaryOf: number } | { page: ReviewPageKey };

/** A page as the API returns it. */
export interface ReviewPage {
  reviews: Review[];
  hasNextPage: boolean;
  endCursor: string | null;
  cursorOf(review: Review): string;
}

export const DEFAULT_REVIEWS_PAGE = 10;

/** Validates page arguments; the cursor must come from the same sort. */
export function parseReviewPageKey(
  itemId: number,
  args: { first?: unknown; after?: unknown; sort?: unknown },
): ReviewPageKey {
  const first = parseFirst(args.first, DEFAULT_REVIEWS_PAGE);
  const sort = args.sort === undefined || args.sort === null || args.sort === '' ? 'NEWEST' : args.sort;
  if (typeof sort !== 'string' || !(REVIEW_SORTS as readonly string[]).includes(sort)) {
    throw badInput(`sort must be one of ${REVIEW_SORTS.join(', ')}, got ${JSON.stringify(args.sort)}`);
  }
  const cursor = decodeCursor(args.after, reviewCursor);
  if (cursor && cursor.s !== sort) throw badInput(`after is a cursor for sort ${cursor.s}, not ${sort}`);
  const after = cursor ? (cursor.v === undefined ? { id: cursor.id } : { id: cursor.id, value: cursor.v }) : null;
  return { itemId, first, sort: sort as ReviewSort, after };
}

/** Turns the `first + 1` rows a page query returns into a page. */
export function toReviewPage(key: ReviewPageKey, rows: Review[]): ReviewPage {
  const reviews = rows.slice(0, key.first);
  const cursorOf = (review: Review) => {
    const keyset = reviewKeyset(review, key.sort);
    return encodeCursor({ s: key.sort, id: keyset.id, ...(keyset.value === undefined ? {} : { v: keyset.value }) });
  };
  return {
    reviews,
    hasNextPage: rows.length > key.first,
    endCursor: reviews.length ? cursorOf(reviews.at(-1)!) : null,
    cursorOf,
  };
}

/** How long cached review data may live at most; invalidation, not this, keeps it correct. */
const TTL_SECONDS = 300;

export function createReviewsModule(prisma: PrismaClient, cache: SubgraphCache, writes: Writes) {
  /**
   * Pages and summaries from the database: one statement per distinct (first, sort, after) among
   * the page keys, the summaries joining the statement of a first page (the item page's pair in
   * one round trip), or in one of their own when no first page is asked for.
   */
  async function loadPagesAndSummaries(
    keys: readonly ReviewPageKey[],
    summaryIds: readonly number[],
    cancellation?: Cancellation | null,
  ): Promise<readonly [Review[][], ReviewSummary[]]> {
    const groups = new Map<string, ReviewPageKey[]>();
    for (const key of keys) {
      const group = `${key.first}:${key.sort}:${JSON.stringify(key.after)}`;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    const withSummaries = summaryIds.length ? [...groups.values()].find((group) => !group[0]!.after) : undefined;
    const results = new Map<ReviewPageKey, Review[]>();
    let summaries: ReviewSummary[] = [];
    await Promise.all([
      summaryIds.length &&
        !withSummaries &&
        reviewSummaries(prisma, summaryIds, cancellation).then((read) => (summaries = read)),
      ...[...groups.values()].map(async (group) => {
        const { first, sort, after } = group[0]!;
        const itemIds = group.map((key) => key.itemId);
        let lists: Review[][];
        if (group === withSummaries) {
          const read = await reviewFirstPagesAndSummaries(prisma, itemIds, { first, sort }, summaryIds, cancellation);
          lists = read.pages;
          summaries = read.summaries;
        } else lists = await reviewPages(prisma, itemIds, { first, sort, after }, cancellation);
        group.forEach((key, index) => results.set(key, lists[index]!));
      }),
    ]);
    return [keys.map((key) => results.get(key)!), summaries];
  }

  const pageKind: CachedKind<ReviewPageKey, Review[]> = {
    name: 'reviews',
    id: (key) =>
      `${key.itemId}:${key.first}:${key.sort}:${key.after ? `${key.after.value ?? ''}/${key.after.id}` : '-'}`,
    versions: (key) => [versionKeys.itemReviews(key.itemId)],
    load: async (keys, cancellation) => (await loadPagesAndSummaries(keys, [], cancellation))[0],
    ttlSeconds: TTL_SECONDS,
    revive: (value) => reviveDates(value as Review[]),
  };
  const summaryKind: CachedKind<number, ReviewSummary> = {
    name: 'reviewSummary',
    id: String,
    versions: (itemId) => [versionKeys.itemReviews(itemId)],
    load: (itemIds, cancellation) => reviewSummaries(prisma, itemIds, cancellation),
    ttlSeconds: TTL_SECONDS,
  };
  const reviewKind: CachedKind<number, Review | null> = {
    name: 'review',
    id: String,
    versions: (id) => [versionKeys.review(id)],
    load: (ids, cancellation) => reviewsByIds(prisma, ids, cancellation),
    ttlSeconds: TTL_SECONDS,
    revive: (value) => reviveDates(value as Review | null),
  };

  async function assertItem(itemId: number): Promise<void> {
    if (!(await itemExists(prisma, itemId))) throw notFound('item', itemId);
  }

  /** What a write of a review changes: the review and its item's reviews. */
  const changes = (review: { id: number; itemId: number }) => [
    versionKeys.review(review.id),
    versionKeys.itemReviews(review.itemId),
  ];

  return {
    /** A batch of pages and summaries, in the order of `reads`; the misses are read together. */
    async read(reads: readonly ReviewRead[], reader: VersionReader | null): Promise<(Review[] | ReviewSummary)[]> {
      const pageKeys: ReviewPageKey[] = [];
      const summaryIds: number[] = [];
      for (const read of reads) {
        if ('page' in read) pageKeys.push(read.page);
        else summaryIds.push(read.summaryOf);
      }
      const [pages, summaries] = await cache.loadTogether(
        { kind: pageKind, keys: pageKeys },
        { kind: summaryKind, keys: summaryIds },
        ([keys, itemIds], cancellation) => loadPagesAndSummaries(keys, itemIds, cancellation),
        reader,
      );
      let page = 0;
      let summary = 0;
      return reads.map((read) => ('page' in read ? pages[page++]! : summaries[summary++]!));
    },
    byIds: (ids: readonly number[], reader: VersionReader | null) => cache.load(reviewKind, ids, reader),

    /** REST: one page of an item's reviews; 404 when the item does not exist. */
    async pageOfItem(
      rawItemId: unknown,
      args: { first?: unknown; after?: unknown; sort?: unknown },
      reader: VersionReader | null,
    ): Promise<ReviewPage> {
      const key = parseReviewPageKey(parseId(rawItemId), args);
      const [rows] = await cache.load(pageKind, [key], reader);
      if (rows!.length === 0 && !key.after) await assertItem(key.itemId);
      return toReviewPage(key, rows!);
    },

    /** REST: the item's summary; 404 when the item does not exist. */
    async summaryOfItem(rawItemId: unknown, reader: VersionReader | null): Promise<ReviewSummary> {
      const itemId = parseId(rawItemId);
      const [summary] = await cache.load(summaryKind, [itemId], reader);
      if (summary!.count === 0) await assertItem(itemId);
      return summary!;
    },

    async get(rawId: unknown, reader: VersionReader | null): Promise<Review> {
      const id = parseId(rawId);
      const [review] = await cache.load(reviewKind, [id], reader);
      if (!review) throw notFound('review', id);
      return review;
    },

    /** A new review of an item, once per Idempotency-Key when the request has one. */
    create(rawItemId: unknown, input: unknown, request: CreateRequest<Review>): Promise<CreateResult> {
      const itemId = parseId(rawItemId, 'itemId');
      const data = parseInput(reviewCreate, withoutNulls(input));
      return writes.create(
        request,
        (tx) => orItemNotFound(itemId, () => tx.review.create({ data: { ...data, itemId } })),
        changes,
      );
    },

    ...itemChildWrites<Review>({
      name: 'review',
      replace: reviewReplace,
      patch: reviewPatch,
      writes,
      update: (tx, id, data) => tx.review.update({ where: { id }, data }),
      remove: (tx, id) => tx.review.delete({ where: { id }, select: { id: true, itemId: true } }),
      changes,
    }),
  };
}

export type ReviewsModule = ReturnType<typeof createReviewsModule>;
