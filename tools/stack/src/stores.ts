// The cache stores a benchmark compares (`--cache-store redis,memcached`), each with a URL, and
// the databases (`--db postgres,mariadb`), each with a server.
import {
  CACHE_STORES,
  cacheStoreKindOf,
  DATABASES,
  databaseKindOf,
  type DatabaseKind,
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

/** The databases named in `raw` (postgres, mariadb, or both), or a UsageError saying what is wrong. */
export function parseDatabases(raw: string, flag = '--db'): DatabaseKind[] {
  const databases = raw.split(',').map((database) => database.trim());
  const bad = databases.find((database) => !(DATABASES as readonly string[]).includes(database));
  if (bad !== undefined || new Set(databases).size !== databases.length)
    throw new UsageError(`${flag} takes postgres, mariadb or both, got "${raw}"`);
  return databases as DatabaseKind[];
}

/**
 * The server a benchmark makes each database's scratch database on: DATABASE_URL's when it is of
 * that kind; else Postgres's local default, or MARIADB_URL.
 */
export function benchDatabaseServer(database: DatabaseKind): string {
  const configured = readConfig().databaseUrl;
  if (configured && databaseKindOf(configured) === database) return configured;
  return database === 'mariadb' ? readToolConfig().mariadbUrl : 'postgresql://postgres@127.0.0.1:5432/test';
}
