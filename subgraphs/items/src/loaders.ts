import type { VersionReader } from '@supergraph-lab/cache';
import type { Item } from '@supergraph-lab/db';
import DataLoader from 'dataloader';
import type { ItemsModule } from './items.ts';

/** Per-request loaders: a loader kept across requests would serve rows a later write changed. */
export function createItemLoaders(items: ItemsModule, reader: VersionReader | null) {
  return {
    /** Items by id; one cache round trip and at most one `id = ANY(...)` query per tick. */
    item: new DataLoader<number, Item | null>((ids) => items.byIds(ids, reader)),
  };
}

export type ItemLoaders = ReturnType<typeof createItemLoaders>;
