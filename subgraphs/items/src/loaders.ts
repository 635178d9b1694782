import type { VersionReader } from '@supergraph-lab/cache';
import type { Item } from '@supergraph-lab/db';
import DataLoader from 'dataloader';
import type { ItemsModule } from './items.ts';

/**
 * Per-request loaders: a loader kept across requests would serve rows a later write changed.
 * `batching` false makes every load its own batch of one: the N+1 the load lab shows.
 */
export function createItemLoaders(items: ItemsModule, reader: VersionReader | null, batching = true) {
  return {
    /** Items by id; one cache round trip and at most one `id = ANY(...)` query per tick. */
    item: new DataLoader<number, Item | null>((ids) => items.byIds(ids, reader), { batch: batching }),
  };
}

export type ItemLoaders = ReturnType<typeof createItemLoaders>;
