import {
  reviveDates,
  versionKeys,
  type CachedKind,
  type SubgraphCache,
  type VersionReader,
} from '@supergraph-lab/cache';
import { itemsByIds, itemsPage, lockItem, type Item, type PrismaClient } from '@supergraph-lab/db';
import {
  decodeCursor,
  encodeCursor,
  nonNegativeInt,
  notFound,
  orNotFound,
  parseFirst,
  parseId,
  parseInput,
  requiredText,
  text,
  withoutNulls,
} from '@supergraph-lab/http';
import type { CreateRequest, CreateResult, Writes } from '@supergraph-lab/subgraph';
import { z } from 'zod';

/**
 * The items module: every read and write of items, for GraphQL and REST alike, so the two
 * protocols can never disagree. Inputs are validated here, once.
 */

const itemFields = {
  sku: requiredText(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"'),
  name: requiredText(200),
  description: text(5000, 'many'),
  category: requiredText(100),
  brand: requiredText(100),
  priceCents: nonNegativeInt,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code like USD'),
  stock: nonNegativeInt,
};

/** A complete item: what create and replace (PUT) take. */
export const itemInput = z
  .object({
    ...itemFields,
    description: itemFields.description.default(''),
    currency: itemFields.currency.default('USD'),
    stock: itemFields.stock.default(0),
  })
  .strict();

/** Some fields of an item: what update (PATCH) takes; at least one. */
export const itemPatch = z
  .object(itemFields)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field');

export type ItemInput = z.infer<typeof itemInput>;

const itemCursor = z.object({ id: z.number().int().positive() }).strict();

/** A page of items and where the next one starts. */
export interface ItemPage {
  items: Item[];
  hasNextPage: boolean;
  endCursor: string | null;
  cursorOf(item: Item): string;
}

export const DEFAULT_PAGE_SIZE = 20;

/** How long cached item data may live at most; invalidation, not this, keeps it correct. */
const TTL_SECONDS = 300;

interface PageKey {
  first: number;
  after: number | null;
  category: string | null;
}

export function createItemsModule(prisma: PrismaClient, cache: SubgraphCache, writes: Writes) {
  const itemKind: CachedKind<number, Item | null> = {
    name: 'item',
    id: String,
    versions: (id) => [versionKeys.item(id)],
    load: (ids, cancellation) => itemsByIds(prisma, ids, cancellation),
    ttlSeconds: TTL_SECONDS,
    revive: (value) => reviveDates(value as Item | null),
  };
  // a list changes whenever any item is written: its only version is the list's
  const pageKind: CachedKind<PageKey, Item[]> = {
    name: 'items',
    id: (key) => `${key.first}:${key.after ?? '-'}:${key.category ?? '*'}`,
    versions: () => [versionKeys.itemList()],
    load: (keys) => Promise.all(keys.map((key) => itemsPage(prisma, key))),
    ttlSeconds: TTL_SECONDS,
    revive: (value) => reviveDates(value as Item[]),
  };

  async function get(rawId: unknown, reader: VersionReader | null): Promise<Item> {
    const id = parseId(rawId);
    const [item] = await cache.load(itemKind, [id], reader);
    if (!item) throw notFound('item', id);
    return item;
  }

  /** What a write of an item's own fields changes: the item and every list. */
  const itemChanges = (item: { id: number }) => [versionKeys.item(item.id), versionKeys.itemList()];

  return {
    /** Items by id in key order, null where missing: the DataLoader batch function. */
    byIds: (ids: readonly number[], reader: VersionReader | null) => cache.load(itemKind, ids, reader),

    async page(
      args: { first?: unknown; after?: unknown; category?: unknown },
      reader: VersionReader | null,
    ): Promise<ItemPage> {
      const first = parseFirst(args.first, DEFAULT_PAGE_SIZE);
      const after = decodeCursor(args.after, itemCursor);
      const category =
        args.category == null || args.category === ''
          ? null
          : parseInput(itemFields.category, args.category, 'category');
      const [rows] = await cache.load(pageKind, [{ first, after: after?.id ?? null, category }], reader);
      const items = rows!.slice(0, first);
      const cursorOf = (item: Item) => encodeCursor({ id: item.id });
      return {
        items,
        hasNextPage: rows!.length > first,
        endCursor: items.length ? cursorOf(items.at(-1)!) : null,
        cursorOf,
      };
    },

    get,

    /** A new item, once per Idempotency-Key when the request has one. */
    create(input: unknown, request: CreateRequest<Item>): Promise<CreateResult> {
      const data = parseInput(itemInput, withoutNulls(input));
      return writes.create(request, (tx) => tx.item.create({ data }), itemChanges);
    },

    /** PUT: every field given (optional ones fall back to their defaults). */
    async replace(rawId: unknown, input: unknown): Promise<Item> {
      const id = parseId(rawId);
      const data = parseInput(itemInput, withoutNulls(input));
      return orNotFound('item', id, () => writes.change((tx) => tx.item.update({ where: { id }, data }), itemChanges));
    },

    /** PATCH and GraphQL's updateItem: only the fields given change. */
    async update(rawId: unknown, input: unknown): Promise<Item> {
      const id = parseId(rawId);
      const data = parseInput(itemPatch, withoutNulls(input));
      return orNotFound('item', id, () => writes.change((tx) => tx.item.update({ where: { id }, data }), itemChanges));
    },

    /** Deletes the item; its reviews and photos go in the same statement (ON DELETE CASCADE). */
    async remove(rawId: unknown): Promise<void> {
      const id = parseId(rawId);
      // the cascade takes reviews and photos other subgraphs cache: their tokens go too
      await orNotFound('item', id, () =>
        writes.change(
          async (tx) => {
            // locked before its children are read: a review or photo committed in between would
            // go with the cascade without its token replaced
            if (!(await lockItem(tx, id))) throw notFound('item', id);
            const [reviews, photos] = await Promise.all([
              tx.review.findMany({ where: { itemId: id }, select: { id: true } }),
              tx.photo.findMany({ where: { itemId: id }, select: { id: true } }),
            ]);
            await tx.item.delete({ where: { id }, select: { id: true } });
            return { reviews, photos };
          },
          ({ reviews, photos }) => [
            ...itemChanges({ id }),
            versionKeys.itemReviews(id),
            versionKeys.itemPhotos(id),
            ...reviews.map((review) => versionKeys.review(review.id)),
            ...photos.map((photo) => versionKeys.photo(photo.id)),
          ],
        ),
      );
    },
  };
}

export type ItemsModule = ReturnType<typeof createItemsModule>;
