import type { TransactionClient } from '@supergraph-lab/db';
import { orNotFound, parseId, parseInput, withoutNulls } from '@supergraph-lab/http';
import type { z } from 'zod';
import type { Writes } from './writes.ts';

/** A record that belongs to an item (a review, a photo): what a write of it must invalidate. */
export interface ItemChild {
  id: number;
  itemId: number;
}

/**
 * PUT, PATCH and DELETE of one kind of an item's records, the same in GraphQL and REST: the id
 * checked, the input validated (`replace` or `patch`), 404 naming the record when it is gone,
 * each in a transaction with its outbox row (`Writes.change`), so the version tokens of what
 * changed are replaced before the answer, or later by a replay.
 */
export function itemChildWrites<Row extends ItemChild>(options: {
  /** The record's name in a 404 ("review", "photo"). */
  name: string;
  replace: z.ZodTypeAny;
  patch: z.ZodTypeAny;
  writes: Writes;
  update(tx: TransactionClient, id: number, data: Record<string, unknown>): Promise<Row>;
  remove(tx: TransactionClient, id: number): Promise<ItemChild>;
  /** The version keys a write of `record` changes. */
  changes(record: ItemChild): readonly string[];
}) {
  const { writes, changes } = options;
  const write = (rawId: unknown, input: unknown, schema: z.ZodTypeAny): Promise<Row> => {
    const id = parseId(rawId);
    const data = parseInput(schema, withoutNulls(input)) as Record<string, unknown>;
    return orNotFound(options.name, id, () => writes.change((tx) => options.update(tx, id, data), changes));
  };
  return {
    replace: (rawId: unknown, input: unknown) => write(rawId, input, options.replace),
    update: (rawId: unknown, input: unknown) => write(rawId, input, options.patch),
    async remove(rawId: unknown): Promise<void> {
      const id = parseId(rawId);
      await orNotFound(options.name, id, () => writes.change((tx) => options.remove(tx, id), changes));
    },
  };
}
