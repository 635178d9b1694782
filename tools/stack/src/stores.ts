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
import { DIALECTS } from '@supergraph-lab/db';
import { startMemcached } from '@supergraph-lab/testing';

/** One or more of `choices`, comma-separated in `raw`, or a UsageError saying what `flag` takes. */
function oneOrBoth<T extends string>(raw: string, choices: readonly T[], flag: string): T[] {
  const names = raw.split(',').map((name) => name.trim());
  if (!names.every((name) => (choices as readonly string[]).includes(name)) || new Set(names).size !== names.length)
    throw new UsageError(`${flag} takes ${choices.join(', ')} or both, got "${raw}"`);
  return names as T[];
}

/** The stores processes can share (memory is each process's own). */
const SHARED_STORES = CACHE_STORES.filter((store) => store !== 'memory');

/** The shared stores named in `raw` (redis, memcached, or both), or a UsageError saying what is wrong. */
export function parseCacheStores(raw: string, flag = '--cache-store'): CacheStoreKind[] {
  return oneOrBoth(raw, SHARED_STORES, flag);
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
  return oneOrBoth(raw, DATABASES, flag);
}

/**
 * The server a benchmark makes each database's scratch database on: DATABASE_URL's when it is of
 * that kind; else the dialect's local server (Postgres's local default, MariaDB's MARIADB_URL).
 */
export function benchDatabaseServer(database: DatabaseKind): string {
  const configured = readConfig().databaseUrl;
  if (configured && databaseKindOf(configured) === database) return configured;
  return DIALECTS[database].testing.localServer();
}
