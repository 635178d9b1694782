// The cache stores a benchmark compares (`--cache-store redis,memcached`), each with a URL.
import {
  CACHE_STORES,
  cacheStoreKindOf,
  readConfig,
  readToolConfig,
  UsageError,
  type CacheStoreKind,
} from '@supergraph-lab/config';
import { startMemcached } from '@supergraph-lab/testing';

/** The shared stores named in `raw` (redis, memcached, or both), or a UsageError saying what is wrong. */
export function parseCacheStores(raw: string, flag = '--cache-store'): CacheStoreKind[] {
  const stores = raw.split(',').map((store) => store.trim());
  const bad = stores.find((store) => store === 'memory' || !(CACHE_STORES as readonly string[]).includes(store));
  if (bad !== undefined || stores.length === 0 || new Set(stores).size !== stores.length)
    throw new UsageError(`${flag} takes redis, memcached or both, got "${raw}"`);
  return stores as CacheStoreKind[];
}

/**
 * A URL for each store: the one the configuration names (CACHE_URL, REDIS_URL) when it is of that
 * kind; else Redis's default, or a memcached of the run's own (MEMCACHED_BIN, with room for every
 * entry as Redis has: a 64 MB one would evict pages mid-run and measure that), stopped by `stop`.
 */
export async function benchStoreUrls(
  stores: readonly CacheStoreKind[],
): Promise<{ urls: Partial<Record<CacheStoreKind, string>>; stop(): Promise<void> }> {
  const configured = readConfig().cacheUrls;
  const urls: Partial<Record<CacheStoreKind, string>> = {};
  let own: Awaited<ReturnType<typeof startMemcached>> | null = null;
  for (const store of stores) {
    const url = configured.find((one) => cacheStoreKindOf(one) === store);
    if (url) urls[store] = url;
    else if (store === 'redis') urls.redis = 'redis://127.0.0.1:6379';
    else {
      own = await startMemcached(readToolConfig().memcachedBin, undefined, 2048);
      urls.memcached = own.url;
    }
  }
  return { urls, stop: async () => own?.stop() };
}
