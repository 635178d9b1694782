import type { CacheStoreKind, Config } from '@supergraph-lab/config';
import { createCacheStore, type CacheStore } from './store.ts';

/**
 * The services' cache store, made from the configuration: every store it names
 * (`Config.cacheUrls`: CACHE_URL, and REDIS_URL when it names another kind), serving from the
 * first until told to use another (the load lab's "cache store" switch).
 *
 * Reads and fills go to the store in use. A write's new tokens, and a flush's new epoch, go to
 * every store: an entry the store not in use holds stays checked against current tokens, so a
 * switch back serves nothing a write made stale meanwhile. That costs a write one more round trip
 * when two stores are configured, and reads nothing.
 */
export interface SwitchableStore extends CacheStore {
  /** The kinds of store configured, the one in use first at start. */
  readonly available: readonly CacheStoreKind[];
  /** Serves from the store of `kind` from now on; a kind not configured is refused (false). */
  use(kind: CacheStoreKind): boolean;
}

/** The store every service builds from its configuration (memory when no URL is set). */
export function createConfiguredStore(config: Config, onError: (message: string) => void): SwitchableStore {
  const options = {
    namespace: config.cacheNamespace,
    timeoutMs: config.cacheTimeoutMs,
    memoryBytes: config.cacheMemoryBytes,
    onError,
  };
  const stores = config.cacheUrls.length
    ? config.cacheUrls.map((url) => createCacheStore({ ...options, url }))
    : [createCacheStore(options)];
  let current = stores[0]!;
  const all = async (call: (store: CacheStore) => Promise<boolean>) =>
    (await Promise.all(stores.map(call))).every(Boolean);
  return {
    available: stores.map((store) => store.kind),
    use(kind) {
      const chosen = stores.find((store) => store.kind === kind);
      if (chosen) current = chosen;
      return chosen !== undefined;
    },
    get kind() {
      return current.kind;
    },
    get shared() {
      return current.shared;
    },
    get evicts() {
      return current.evicts;
    },
    get prefix() {
      return current.prefix;
    },
    getMany: (keys, timing) => current.getMany(keys, timing),
    setMany: (entries, timing) => current.setMany(entries, timing),
    delete: (keys, timing) => current.delete(keys, timing),
    replaceTokens: (versionKeys, timing) => all((store) => store.replaceTokens(versionKeys, timing)),
    newEpoch: () => all((store) => store.newEpoch()),
    redis: () => current.redis(),
    memcachedStats: () => current.memcachedStats(),
    memoryUsage: () => current.memoryUsage(),
    close: async () => {
      await Promise.all(stores.map((store) => store.close()));
    },
  };
}
