import { itemsByIds, itemsPage, type Item, type PrismaClient } from '@supergraph-lab/db';
import { decodeCursor, encodeCursor, nonNegativeInt, notFound, orNotFound, parseFirst, parseId, parseInput, requiredText, withoutNulls } from '@supergraph-lab/http';
import { z } from 'zod';

/**
 * The items module: every read and write of items, for GraphQL and REST alike, so the two
 * protocols can never disagree. Inputs are validated here, once.
 */


const itemFields = {
  sku: requiredText(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"'),
  name: requiredText(200),
  description: z.string().max(5000, 'must be at most 5000 characters'),
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

export function createItemsModule(prisma: PrismaClient) {
  return {
    /** Items by id in key order, null where missing: the DataLoader batch function. */
    byIds: (ids: readonly number[]) => itemsByIds(prisma, ids),

    async page(args: { first?: unknown; after?: unknown; category?: unknown }): Promise<ItemPage> {
      const first = parseFirst(args.first, DEFAULT_PAGE_SIZE);
      const after = decodeCursor(args.after, itemCursor);
      const category = args.category == null || args.category === '' ? null : parseInput(itemFields.category, args.category, 'category');
      const rows = await itemsPage(prisma, { first, after: after?.id ?? null, category });
      const items = rows.slice(0, first);
      const cursorOf = (item: Item) => encodeCursor({ id: item.id });
      return { items, hasNextPage: rows.length > first, endCursor: items.length ? cursorOf(items.at(-1)!) : null, cursorOf };
    },

    async get(rawId: unknown): Promise<Item> {
      const id = parseId(rawId);
      const [item] = await itemsByIds(prisma, [id]);
      if (!item) throw notFound('item', id);
      return item;
    },

    async create(input: unknown): Promise<Item> {
      return prisma.item.create({ data: parseInput(itemInput, withoutNulls(input)) });
    },

    /** PUT: every field given (optional ones fall back to their defaults). */
    async replace(rawId: unknown, input: unknown): Promise<Item> {
      const id = parseId(rawId);
      const data = parseInput(itemInput, withoutNulls(input));
      return orNotFound('item', id, () => prisma.item.update({ where: { id }, data }));
    },

    /** PATCH and GraphQL's updateItem: only the fields given change. */
    async update(rawId: unknown, input: unknown): Promise<Item> {
      const id = parseId(rawId);
      const data = parseInput(itemPatch, withoutNulls(input));
      return orNotFound('item', id, () => prisma.item.update({ where: { id }, data }));
    },

    /** Deletes the item; its reviews and photos go in the same statement (ON DELETE CASCADE). */
    async remove(rawId: unknown): Promise<void> {
      const id = parseId(rawId);
      await orNotFound('item', id, () => prisma.item.delete({ where: { id }, select: { id: true } }));
    },
  };
}

export type ItemsModule = ReturnType<typeof createItemsModule>;
