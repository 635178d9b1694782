import type { Cancellation } from '@supergraph-lab/timing';
import { readRows, type Statement } from './client.ts';
import type { Item, Photo, PrismaClient, Review } from './generated/prisma/client.ts';
import type { TransactionClient } from './idempotency.ts';

/**
 * The read queries the API runs, one statement each, shaped for DataLoader batches: every
 * per-item query takes many item ids and answers all of them in one round trip. Each is written
 * for both databases:
 * - Postgres takes the ids as an array (`unnest($1::int[])`) and pages each item's rows inside
 *   the statement with LATERAL;
 * - MariaDB has neither: it takes the ids as a JSON array (`JSON_TABLE`) and pages with
 *   `ROW_NUMBER() OVER (PARTITION BY item_id ...)`, read off the same indexes.
 * Both texts of a statement stand side by side (`sql: { postgres, mariadb }`), not in the dialects:
 * read together, the two are checked against each other and take the same numbered parameters;
 * the dialect's reader picks its own (MariaDB's binds each `$n` as a `?`), and a new database does
 * not compile until every statement has its text.
 * The subgraphs and `npm run bench:db` share these, so what the benchmark times is what the API
 * does. Each per-page read takes its request's cancellation last: an abandoned request's read is
 * not sent (readRows).
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

/**
 * `priceCents` as `price_cents`: a model field's column, as prisma/schema.prisma maps every
 * camelCase field (`@map("price_cents")`).
 */
type Column<Field extends string> = Field extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${Column<Tail>}`
  : Field;

/**
 * A row as `SELECT *` returns it: the generated model's fields under their column names. The
 * row types follow the Prisma schema (the source of truth) and the mappers below must name every
 * field of the model they return, so a field added to the schema fails to compile here until it
 * is read.
 */
type RowOf<Model> = { [Field in keyof Model & string as Column<Field>]: Model[Field] };

type ItemRow = RowOf<Item>;
type ReviewRow = RowOf<Review>;
type PhotoRow = RowOf<Photo>;

/** Rows in the order of `ids`, `null` where none exists: DataLoader's contract. */
function inKeyOrder<T extends { id: number }>(ids: readonly number[], rows: T[]): (T | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

// The per-page reads are SQL prepared once per connection (readRows), mapped by the row helpers
// below, not `findMany`: Prisma's query building and its engine cost more CPU than the statement
// (docs/benchmarks.md, "CPU per page").

/** The ids in parameter `$n` as MariaDB rows `k(id)`, from the JSON array the reader sends. */
const jsonIds = (parameter: string, column = 'id') =>
  `JSON_TABLE(${parameter}, '$[*]' COLUMNS (${column} INT PATH '$')) AS k`;

/** A table's rows by primary key: the ids first, then one primary-key lookup each. */
const byIds = (table: string): Statement => ({
  name: `${table}_by_ids`,
  sql: {
    postgres: `SELECT * FROM ${table} WHERE id = ANY($1::int[])`,
    mariadb: `SELECT t.* FROM ${jsonIds('$1')} JOIN ${table} t ON t.id = k.id`,
  },
});

const ITEMS_BY_IDS = byIds('items');
const REVIEWS_BY_IDS = byIds('reviews');
const PHOTOS_BY_IDS = byIds('photos');

/** Items by id, in the order of `ids`, `null` where none exists. */
export async function itemsByIds(
  prisma: PrismaClient,
  ids: readonly number[],
  cancellation?: Cancellation | null,
): Promise<(Item | null)[]> {
  const rows = await readRows<ItemRow>(prisma, ITEMS_BY_IDS, [ids], cancellation);
  return inKeyOrder(ids, rows.map(toItem));
}

/** Reviews by id, in the order of `ids`, `null` where none exists. */
export async function reviewsByIds(
  prisma: PrismaClient,
  ids: readonly number[],
  cancellation?: Cancellation | null,
): Promise<(Review | null)[]> {
  const rows = await readRows<ReviewRow>(prisma, REVIEWS_BY_IDS, [ids], cancellation);
  return inKeyOrder(ids, rows.map(toReview));
}

/** Photos by id, in the order of `ids`, `null` where none exists. */
export async function photosByIds(
  prisma: PrismaClient,
  ids: readonly number[],
  cancellation?: Cancellation | null,
): Promise<(Photo | null)[]> {
  const rows = await readRows<PhotoRow>(prisma, PHOTOS_BY_IDS, [ids], cancellation);
  return inKeyOrder(ids, rows.map(toPhoto));
}

/**
 * A category's items after the keyset `$2`, newest first. MariaDB, left to choose, reads
 * `items_category_id_idx` by the category alone (`ref`) when the range `id < $2` holds most of
 * the category, and filters every newer item of it on the way: 575 to 777 ms a page at 10M items,
 * against 8 ms for the range on (category, id) that FORCE INDEX makes it take.
 */
const ITEMS_OF_CATEGORY_AFTER: Statement = {
  name: 'items_of_category_after',
  sql: {
    postgres: 'SELECT * FROM items WHERE category = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
    mariadb:
      'SELECT * FROM items FORCE INDEX (items_category_id_idx) WHERE category = $1 AND id < $2 ORDER BY id DESC LIMIT $3',
  },
};

/**
 * One page of items, newest first, optionally of one category, after the item id `after`.
 * Returns up to `first + 1` rows so the caller knows whether another page follows.
 */
export async function itemsPage(
  prisma: PrismaClient,
  args: { first: number; after?: number | null; category?: string | null },
): Promise<Item[]> {
  if (args.category != null && args.after != null) {
    const rows = await readRows<ItemRow>(prisma, ITEMS_OF_CATEGORY_AFTER, [args.category, args.after, args.first + 1]);
    return rows.map(toItem);
  }
  return prisma.item.findMany({
    where: {
      ...(args.category != null ? { category: args.category } : {}),
      ...(args.after != null ? { id: { lt: args.after } } : {}),
    },
    orderBy: { id: 'desc' },
    take: args.first + 1,
  });
}

/**
 * The order of each sort, and its condition for "after this keyset" ($3 the key's id, $4 its
 * value; NEWEST's key is the id alone). Postgres compares the key as a row; MariaDB does not use
 * an index for a row comparison, so there it is spelled out (`mariadbAfter`).
 */
const REVIEW_ORDERS: Record<
  ReviewSort,
  { after: string; mariadbAfter: string; orderBy: string; keyedByValue: boolean }
> = {
  NEWEST: { after: 'AND r.id < $3', mariadbAfter: 'AND r.id < $3', orderBy: 'r.id DESC', keyedByValue: false },
  HIGHEST: {
    after: 'AND (r.rating, r.id) < ($4::smallint, $3)',
    mariadbAfter: 'AND r.rating <= $4 AND (r.rating < $4 OR r.id < $3)',
    orderBy: 'r.rating DESC, r.id DESC',
    keyedByValue: true,
  },
  LOWEST: {
    after: 'AND (r.rating, r.id) > ($4::smallint, $3)',
    mariadbAfter: 'AND r.rating >= $4 AND (r.rating > $4 OR r.id > $3)',
    orderBy: 'r.rating ASC, r.id ASC',
    keyedByValue: true,
  },
  MOST_HELPFUL: {
    after: 'AND (r.helpful_count, r.id) < ($4::int, $3)',
    mariadbAfter: 'AND r.helpful_count <= $4 AND (r.helpful_count < $4 OR r.id < $3)',
    orderBy: 'r.helpful_count DESC, r.id DESC',
    keyedByValue: true,
  },
};

/** The review columns, in the order `SELECT *` gives them. */
const REVIEW_COLUMNS =
  'id, item_id, rating, title, body, author, verified_purchase, helpful_count, created_at, updated_at';

/** The rows `r` of a page of each item's reviews: $1 the item ids, $2 the limit. */
const reviewPageJoin = (orderBy: string, condition = '') => `FROM unnest($1::int[]) AS k(item_id)
    CROSS JOIN LATERAL (
      SELECT * FROM reviews r WHERE r.item_id = k.item_id ${condition} ORDER BY ${orderBy} LIMIT $2::int
    ) r`;

/**
 * MariaDB's page of each item's reviews, with the same parameters: every review of the items
 * (after the keyset) numbered `n` in sort order per item, and the first $2 of each kept, in that
 * order (`ORDER BY item_id, n` on the whole statement). The numbering reads each item's reviews
 * off the index of its sort.
 */
const mariaDbReviewPages = (orderBy: string, condition = '') => `SELECT ${REVIEW_COLUMNS}, n FROM (
      SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.item_id ORDER BY ${orderBy}) AS n
      FROM ${jsonIds('$1', 'item_id')} JOIN reviews r ON r.item_id = k.item_id ${condition}
    ) r WHERE n <= $2`;

/** Review counts by item and rating, for the item ids in parameter `ids` (an index-only scan). */
const ratingCounts = (ids: string) =>
  `SELECT item_id, rating, count(*)::int AS count FROM reviews WHERE item_id = ANY(${ids}::int[]) GROUP BY item_id, rating`;
const mariaDbRatingCounts = (ids: string) =>
  `SELECT r.item_id, r.rating, COUNT(*) AS count FROM ${jsonIds(ids, 'item_id')}
    JOIN reviews r ON r.item_id = k.item_id GROUP BY r.item_id, r.rating`;

/** Per sort, the statement for first pages (`review_pages_newest`) and for later ones (`..._after`); $1 the item ids, $2 the limit. */
const REVIEW_PAGES = Object.fromEntries(
  REVIEW_SORTS.map((sort) => {
    const { after, mariadbAfter, orderBy } = REVIEW_ORDERS[sort];
    const statement = (name: string, condition: string, mariadbCondition: string): Statement => ({
      name,
      sql: {
        postgres: `SELECT r.* ${reviewPageJoin(orderBy, condition)}`,
        mariadb: `${mariaDbReviewPages(orderBy, mariadbCondition)} ORDER BY item_id, n`,
      },
    });
    const name = `review_pages_${sort.toLowerCase()}`;
    return [sort, { first: statement(name, '', ''), after: statement(`${name}_after`, after, mariadbAfter) }];
  }),
) as Record<ReviewSort, { first: Statement; after: Statement }>;

/**
 * A page of reviews for each item id, in one statement: up to `first + 1` reviews per item
 * (the extra one tells whether another page follows), in `sort` order, after `after`.
 * The result has one list per id, in the order of `itemIds`.
 */
export async function reviewPages(
  prisma: PrismaClient,
  itemIds: readonly number[],
  args: { first: number; sort: ReviewSort; after?: ReviewKeyset | null },
  cancellation?: Cancellation | null,
): Promise<Review[][]> {
  const statements = REVIEW_PAGES[args.sort];
  const values: unknown[] = [itemIds, args.first + 1];
  if (args.after) {
    values.push(args.after.id);
    if (REVIEW_ORDERS[args.sort].keyedByValue) values.push(args.after.value ?? 0);
  }
  const rows = await readRows<ReviewRow>(
    prisma,
    args.after ? statements.after : statements.first,
    values,
    cancellation,
  );
  return groupByItem(itemIds, rows.map(toReview));
}

const REVIEW_SUMMARIES: Statement = {
  name: 'review_summaries',
  sql: { postgres: ratingCounts('$1'), mariadb: mariaDbRatingCounts('$1') },
};

/** Review count, average and star histogram for each item id, in one index-only scan. */
export async function reviewSummaries(
  prisma: PrismaClient,
  itemIds: readonly number[],
  cancellation?: Cancellation | null,
): Promise<ReviewSummary[]> {
  return toSummaries(itemIds, await readRows<SummaryRow>(prisma, REVIEW_SUMMARIES, [itemIds], cancellation));
}

type SummaryRow = { item_id: number; rating: number; count: number };

/** Folds (item, rating, count) rows into one summary per item id, in the order of `itemIds`. */
function toSummaries(itemIds: readonly number[], rows: readonly SummaryRow[]): ReviewSummary[] {
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

/**
 * Per sort, first pages and summaries in one statement (the item page asks for both): the page
 * rows with a null count, then the summary rows (item, rating, count) with the review columns
 * null. $1 the page's item ids, $2 the limit, $3 the summaries' item ids.
 */
const REVIEW_FIRST_PAGES_AND_SUMMARIES = Object.fromEntries(
  REVIEW_SORTS.map((sort) => [
    sort,
    {
      name: `review_pages_${sort.toLowerCase()}_and_summaries`,
      sql: {
        postgres: `SELECT r.id, r.item_id, r.rating, r.title, r.body, r.author, r.verified_purchase, r.helpful_count,
        r.created_at, r.updated_at, NULL::int AS count
      ${reviewPageJoin(REVIEW_ORDERS[sort].orderBy)}
    UNION ALL
    SELECT NULL, c.item_id, c.rating, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.count FROM (${ratingCounts('$3')}) c`,
        mariadb: `SELECT p.*, NULL AS count FROM (${mariaDbReviewPages(REVIEW_ORDERS[sort].orderBy)}) p
    UNION ALL
    SELECT NULL, c.item_id, c.rating, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.count
      FROM (${mariaDbRatingCounts('$3')}) c
    ORDER BY item_id, n`,
      },
    } satisfies Statement,
  ]),
) as Record<ReviewSort, Statement>;

/**
 * `reviewPages` of first pages (no `after`) and `reviewSummaries` in one statement: one round
 * trip where the two would take one each. Returns the pages in the order of `pageItemIds` and
 * the summaries in the order of `summaryItemIds`.
 */
export async function reviewFirstPagesAndSummaries(
  prisma: PrismaClient,
  pageItemIds: readonly number[],
  args: { first: number; sort: ReviewSort },
  summaryItemIds: readonly number[],
  cancellation?: Cancellation | null,
): Promise<{ pages: Review[][]; summaries: ReviewSummary[] }> {
  const rows = await readRows<ReviewRow & { count: number | null }>(
    prisma,
    REVIEW_FIRST_PAGES_AND_SUMMARIES[args.sort],
    [pageItemIds, args.first + 1, summaryItemIds],
    cancellation,
  );
  const reviews: Review[] = [];
  const counts: SummaryRow[] = [];
  for (const row of rows) {
    if (row.count === null) reviews.push(toReview(row));
    else counts.push(row as SummaryRow);
  }
  return { pages: groupByItem(pageItemIds, reviews), summaries: toSummaries(summaryItemIds, counts) };
}

const PHOTOS_OF_ITEMS: Statement = {
  name: 'photos_of_items',
  sql: {
    postgres: `SELECT p.* FROM unnest($1::int[]) AS k(item_id)
    CROSS JOIN LATERAL (
      SELECT * FROM photos p WHERE p.item_id = k.item_id ORDER BY p.position, p.id LIMIT $2::int
    ) p`,
    mariadb: `SELECT id, item_id, url, alt_text, width, height, position, created_at, updated_at FROM (
      SELECT p.*, ROW_NUMBER() OVER (PARTITION BY p.item_id ORDER BY p.position, p.id) AS n
      FROM ${jsonIds('$1', 'item_id')} JOIN photos p ON p.item_id = k.item_id
    ) p WHERE n <= $2 ORDER BY item_id, n`,
  },
};

/** Up to `first` photos of each item id in gallery order, in one statement. */
export async function photosOfItems(
  prisma: PrismaClient,
  itemIds: readonly number[],
  args: { first: number },
  cancellation?: Cancellation | null,
): Promise<Photo[][]> {
  const rows = await readRows<PhotoRow>(prisma, PHOTOS_OF_ITEMS, [itemIds, args.first], cancellation);
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
    // MariaDB's BOOLEAN is a TINYINT(1): 0 or 1
    verifiedPurchase: Boolean(row.verified_purchase),
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

const READ_PROBE: Statement = {
  name: 'read_probe',
  sql: { postgres: 'SELECT id FROM items ORDER BY id LIMIT 1', mariadb: 'SELECT id FROM items ORDER BY id LIMIT 1' },
};

/**
 * Reads a row the way the pages do (a statement prepared on the pool's connection, a real
 * table): what /readyz asks of the database. `SELECT 1` answered while every page read failed
 * (statements colliding on the embedded database, a table locked).
 */
export async function probeRead(prisma: PrismaClient): Promise<void> {
  await readRows(prisma, READ_PROBE, []);
}

/** Whether an item exists: for telling "no reviews yet" from "no such item" in REST. */
export async function itemExists(prisma: PrismaClient, id: number): Promise<boolean> {
  const row = await prisma.item.findUnique({ where: { id }, select: { id: true } });
  return row !== null;
}

/**
 * Locks an item's row until the transaction `tx` ends (SELECT ... FOR UPDATE, the same on both
 * databases); false when there is no such item. A review or photo being inserted for the item
 * holds a share lock on it (its foreign key's check), so this waits for it to commit, and one
 * inserted later waits for this transaction.
 */
export async function lockItem(tx: TransactionClient, id: number): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT id FROM items WHERE id = ${id} FOR UPDATE`;
  return rows.length > 0;
}
