import type { Item, Photo, Review } from './generated/prisma/client.ts';
import { Prisma, type PrismaClient } from './generated/prisma/client.ts';

/**
 * The read queries the API runs, one statement each, shaped for DataLoader batches: every
 * per-item query takes many item ids and answers all of them in one round trip (per-item
 * pagination inside the statement via LATERAL). The subgraphs and `npm run bench:db` share
 * these, so what the benchmark times is what the API does.
 */

/** Review orders; each is served by an index (see prisma/schema.prisma). */
export type ReviewSort = 'NEWEST' | 'HIGHEST' | 'LOWEST' | 'MOST_HELPFUL';
export const REVIEW_SORTS: readonly ReviewSort[] = ['NEWEST', 'HIGHEST', 'LOWEST', 'MOST_HELPFUL'];

/** Where the previous page ended: the sort key of its last review. */
export interface ReviewKeyset {
  id: number;
  /** rating for HIGHEST/LOWEST, helpful count for MOST_HELPFUL; unused for NEWEST */
  value?: number;
}

/** The sort key a cursor after this review must hold. */
export function reviewKeyset(review: Review, sort: ReviewSort): ReviewKeyset {
  if (sort === 'NEWEST') return { id: review.id };
  return { id: review.id, value: sort === 'MOST_HELPFUL' ? review.helpfulCount : review.rating };
}

/** Star counts of one item's reviews. */
export interface ReviewSummary {
  count: number;
  averageRating: number | null;
  /** Counts for 1..5 stars, in that order. */
  histogram: [number, number, number, number, number];
}

type ItemRow = {
  id: number;
  sku: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  price_cents: number;
  currency: string;
  stock: number;
  created_at: Date;
  updated_at: Date;
};

type ReviewRow = {
  id: number;
  item_id: number;
  rating: number;
  title: string;
  body: string;
  author: string;
  verified_purchase: boolean;
  helpful_count: number;
  created_at: Date;
  updated_at: Date;
};

type PhotoRow = {
  id: number;
  item_id: number;
  url: string;
  alt_text: string;
  width: number;
  height: number;
  position: number;
  created_at: Date;
  updated_at: Date;
};

/** Rows in the order of `ids`, `null` where none exists: DataLoader's contract. */
function inKeyOrder<T extends { id: number }>(ids: readonly number[], rows: T[]): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

// The by-id reads are raw SQL mapped by the row helpers below, not `findMany`: on every page,
// Prisma's query building costs about 0.1 ms of CPU more than the statement (README, "CPU per page").

/** Items by id, in the order of `ids`, `null` where none exists. */
export async function itemsByIds(prisma: PrismaClient, ids: readonly number[]): Promise<(Item | null)[]> {
  const rows = await prisma.$queryRaw<ItemRow[]>`SELECT * FROM items WHERE id = ANY(${[...ids]}::int[])`;
  return inKeyOrder(ids, rows.map(toItem));
}

/** Reviews by id, in the order of `ids`, `null` where none exists. */
export async function reviewsByIds(prisma: PrismaClient, ids: readonly number[]): Promise<(Review | null)[]> {
  const rows = await prisma.$queryRaw<ReviewRow[]>`SELECT * FROM reviews WHERE id = ANY(${[...ids]}::int[])`;
  return inKeyOrder(ids, rows.map(toReview));
}

/** Photos by id, in the order of `ids`, `null` where none exists. */
export async function photosByIds(prisma: PrismaClient, ids: readonly number[]): Promise<(Photo | null)[]> {
  const rows = await prisma.$queryRaw<PhotoRow[]>`SELECT * FROM photos WHERE id = ANY(${[...ids]}::int[])`;
  return inKeyOrder(ids, rows.map(toPhoto));
}

/**
 * One page of items, newest first, optionally of one category, after the item id `after`.
 * Returns up to `first + 1` rows so the caller knows whether another page follows.
 */
export async function itemsPage(
  prisma: PrismaClient,
  args: { first: number; after?: number | null; category?: string | null },
): Promise<Item[]> {
  return prisma.item.findMany({
    where: {
      ...(args.category != null ? { category: args.category } : {}),
      ...(args.after != null ? { id: { lt: args.after } } : {}),
    },
    orderBy: { id: 'desc' },
    take: args.first + 1,
  });
}

/** SQL for the order and the "after this keyset" condition of a sort. */
function reviewOrder(sort: ReviewSort, after: ReviewKeyset | null | undefined): { where: Prisma.Sql; orderBy: Prisma.Sql } {
  const value = after?.value ?? 0;
  switch (sort) {
    case 'NEWEST':
      return { where: after ? Prisma.sql`AND r.id < ${after.id}` : Prisma.empty, orderBy: Prisma.sql`r.id DESC` };
    case 'HIGHEST':
      return {
        where: after ? Prisma.sql`AND (r.rating, r.id) < (${value}::smallint, ${after.id})` : Prisma.empty,
        orderBy: Prisma.sql`r.rating DESC, r.id DESC`,
      };
    case 'LOWEST':
      return {
        where: after ? Prisma.sql`AND (r.rating, r.id) > (${value}::smallint, ${after.id})` : Prisma.empty,
        orderBy: Prisma.sql`r.rating ASC, r.id ASC`,
      };
    case 'MOST_HELPFUL':
      return {
        where: after ? Prisma.sql`AND (r.helpful_count, r.id) < (${value}, ${after.id})` : Prisma.empty,
        orderBy: Prisma.sql`r.helpful_count DESC, r.id DESC`,
      };
  }
}

/**
 * A page of reviews for each item id, in one statement: up to `first + 1` reviews per item
 * (the extra one tells whether another page follows), in `sort` order, after `after`.
 * The result has one list per id, in the order of `itemIds`.
 */
export async function reviewPages(
  prisma: PrismaClient,
  itemIds: readonly number[],
  args: { first: number; sort: ReviewSort; after?: ReviewKeyset | null },
): Promise<Review[][]> {
  const { where, orderBy } = reviewOrder(args.sort, args.after);
  const rows = await prisma.$queryRaw<ReviewRow[]>`
    SELECT r.* FROM unnest(${[...itemIds]}::int[]) AS k(item_id)
    CROSS JOIN LATERAL (
      SELECT * FROM reviews r WHERE r.item_id = k.item_id ${where} ORDER BY ${orderBy} LIMIT ${args.first + 1}
    ) r`;
  return groupByItem(itemIds, rows.map(toReview));
}

/** Review count, average and star histogram for each item id, in one index-only scan. */
export async function reviewSummaries(prisma: PrismaClient, itemIds: readonly number[]): Promise<ReviewSummary[]> {
  const rows = await prisma.$queryRaw<{ item_id: number; rating: number; count: number }[]>`
    SELECT item_id, rating, count(*)::int AS count FROM reviews
     WHERE item_id = ANY(${[...itemIds]}::int[]) GROUP BY item_id, rating`;
  const summaries = new Map<number, ReviewSummary>();
  for (const row of rows) {
    let summary = summaries.get(row.item_id);
    if (!summary) summaries.set(row.item_id, (summary = { count: 0, averageRating: null, histogram: [0, 0, 0, 0, 0] }));
    summary.histogram[row.rating - 1] = row.count;
    summary.count += row.count;
  }
  return itemIds.map((id) => {
    const summary = summaries.get(id);
    if (!summary) return { count: 0, averageRating: null, histogram: [0, 0, 0, 0, 0] };
    const stars = summary.histogram.reduce((sum, count, index) => sum + count * (index + 1), 0);
    return { ...summary, averageRating: Math.round((stars / summary.count) * 100) / 100 };
  });
}

/** Up to `first` photos of each item id in gallery order, in one statement. */
export async function photosOfItems(
  prisma: PrismaClient,
  itemIds: readonly number[],
  args: { first: number },
): Promise<Photo[][]> {
  const rows = await prisma.$queryRaw<PhotoRow[]>`
    SELECT p.* FROM unnest(${[...itemIds]}::int[]) AS k(item_id)
    CROSS JOIN LATERAL (
      SELECT * FROM photos p WHERE p.item_id = k.item_id ORDER BY p.position, p.id LIMIT ${args.first}
    ) p`;
  return groupByItem(itemIds, rows.map(toPhoto));
}

function groupByItem<T extends { itemId: number }>(itemIds: readonly number[], rows: T[]): T[][] {
  const byItem = new Map<number, T[]>();
  for (const row of rows) {
    const list = byItem.get(row.itemId);
    if (list) list.push(row);
    else byItem.set(row.itemId, [row]);
  }
  return itemIds.map((id) => byItem.get(id) ?? []);
}

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    brand: row.brand,
    priceCents: row.price_cents,
    currency: row.currency,
    stock: row.stock,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toReview(row: ReviewRow): Review {
  return {
    id: row.id,
    itemId: row.item_id,
    rating: row.rating,
    title: row.title,
    body: row.body,
    author: row.author,
    verifiedPurchase: row.verified_purchase,
    helpfulCount: row.helpful_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPhoto(row: PhotoRow): Photo {
  return {
    id: row.id,
    itemId: row.item_id,
    url: row.url,
    altText: row.alt_text,
    width: row.width,
    height: row.height,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Whether an item exists: for telling "no reviews yet" from "no such item" in REST. */
export async function itemExists(prisma: PrismaClient, id: number): Promise<boolean> {
  const row = await prisma.item.findUnique({ where: { id }, select: { id: true } });
  return row !== null;
}
