export { createCacheStore, type CacheEntry, type CacheStore, type CacheStoreOptions, type RedisLike } from './store.ts';
export {
  cachedBatch,
  cachedBatches,
  dependenciesCurrent,
  reviveDates,
  VersionReader,
  versionKeys,
  type BatchPart,
  type CachedKind,
  type CachePolicy,
  type Dependencies,
  type LayerStats,
} from './versions.ts';
export { policyFor } from './policy.ts';
export { createConfiguredStore, type SwitchableStore } from './configured.ts';
export {
  CACHE_LAYERS,
  CONTENT_LAYERS,
  EPOCH_KEY,
  hitRatio,
  layerKey,
  layerOf,
  SHARED_STORE_LAYERS,
  SHARED_STORE_NEEDED,
  type CacheLayer,
} from './layers.ts';
export { currentEntry, keepEntry, type Vouched } from './read-through.ts';
export {
  createSubgraphCache,
  decodeDependencies,
  DEPENDENCIES_HEADER,
  encodeDependencies,
  type SubgraphCache,
  WANT_DEPENDENCIES_HEADER,
} from './subgraph.ts';

/** Apollo's KeyValueCache shape (get/set/delete), for APQ. */
export interface KeyValueCacheLike {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}
