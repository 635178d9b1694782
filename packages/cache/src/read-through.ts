// "Serve while the dependencies are current, else build and store": the response, REST and page
// layers each build differently, and read and write through these two.
import type { RequestTiming } from '@supergraph-lab/timing';
import type { CacheStore } from './store.ts';
import { dependenciesCurrent, type Dependencies } from './versions.ts';

/** An entry of a read-through layer: what it serves, and the version tokens it was built from. */
export type Vouched<T> = T & { dependencies: Dependencies };

/**
 * The read half of every read-through layer (response, rest, page): the entry under `key` while
 * every version token it was built from is still current, else null (absent, stale, or the store
 * unavailable). Two round trips at most: the entry, then its tokens.
 */
export async function currentEntry<T>(
  store: CacheStore,
  key: string,
  timing?: RequestTiming | null,
): Promise<Vouched<T> | null> {
  const [entry] = (await store.getMany<Vouched<T>>([key], timing)) ?? [];
  return entry && (await dependenciesCurrent(store, entry.dependencies, timing)) ? entry : null;
}

/**
 * The write half: stores `entry` under `key` for `ttlSeconds`, unless it cannot vouch for itself
 * (no dependencies: some part of it was not read through the version tokens). True when stored.
 */
export async function keepEntry<T>(
  store: CacheStore,
  key: string,
  entry: Vouched<T>,
  ttlSeconds: number,
  timing?: RequestTiming | null,
): Promise<boolean> {
  if (Object.keys(entry.dependencies).length === 0) return false;
  return store.setMany([{ key, value: entry, ttlSeconds }], timing);
}
