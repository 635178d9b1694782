import { orNotFound, parseId, parseInput, withoutNulls } from '@supergraph-lab/http';
import type { z } from 'zod';

/** A record that belongs to an item (a review, a photo): what a write of it must invalidate. */
export interface ItemChild {
  id: number;
  itemId: number;
}

/**
 * PUT, PATCH and DELETE of one kind of an item's records, the same in GraphQL and REST: the id
 * checked, the input validated (`replace` or `patch`), 404 naming the record when it is gone,
 * and the version tokens of what changed replaced before the answer.
 */
export function itemChildWrites<Row extends ItemChild>(options: {
  /** The record's name in a 404 ("review", "photo"). */
  name: string;
  replace: z.ZodTypeAny;
  patch: z.ZodTypeAny;
  update(id: number, data: Record<string, unknown>): Promise<Row>;
  remove(id: number): Promise<ItemChild>;
  invalidate(record: ItemChild): Promise<unknown>;
}) {
  const write = async (rawId: unknown, input: unknown, schema: z.ZodTypeAny): Promise<Row> => {
    const id = parseId(rawId);
    const data = parseInput(schema, withoutNulls(input)) as Record<string, unknown>;
    const row = await orNotFound(options.name, id, () => options.update(id, data));
    await options.invalidate(row);
    return row;
  };
  return {
    replace: (rawId: unknown, input: unknown) => write(rawId, input, options.replace),
    update: (rawId: unknown, input: unknown) => write(rawId, input, options.patch),
    async remove(rawId: unknown): Promise<void> {
      const id = parseId(rawId);
      await options.invalidate(await orNotFound(options.name, id, () => options.remove(id)));
    },
  };
}
