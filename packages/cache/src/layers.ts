// No dependencies: the lab's browser bundle reads this list too.

/** The token every entry of every layer depends on: a new one (a flush) makes them all dead at once. */
export const EPOCH_KEY = 'epoch';

/**
 * Every kind of key in the cache store, by the prefix it is written under: the one list the
 * services write by, and the gateway's inspector and the load lab read by. (The store adds
 * its namespace in front of all of them.)
 */
export const CACHE_LAYERS = {
  /** A subgraph's rows by id (DataLoader read-through), in the subgraphs. */
  entity: 'e:',
  /** A whole GraphQL response, at the gateway. */
  response: 'r:',
  /** A REST answer, at the gateway. */
  rest: 'rest:',
  /** A rendered item page, in the SSR service. */
  page: 'page:',
  /** A persisted query's text (APQ), at the gateway. */
  'persisted query': 'apq:',
  /** The version tokens every entry above is checked against. */
  version: 'v:',
} as const;
export type CacheLayer = keyof typeof CACHE_LAYERS;

/** The layers that hold served content (not the tokens or query texts they are checked by), in the order the lab shows them. */
export const CONTENT_LAYERS = ['response', 'rest', 'page', 'entity'] as const satisfies readonly CacheLayer[];

/**
 * The layers that serve only from a store every process shares: on a per-process memory store
 * they are off, since one process's copy cannot see another's writes (the entity layer is not:
 * each subgraph's writes reach its own copy).
 */
export const SHARED_STORE_LAYERS = ['response', 'rest', 'page'] as const satisfies readonly CacheLayer[];

/** Why SHARED_STORE_LAYERS are off on a memory store, in the words the gateway logs and the lab shows. */
export const SHARED_STORE_NEEDED = 'response and page caches need a shared store: set REDIS_URL or CACHE_URL';

/** The store key of `id` in `layer`. */
export const layerKey = (layer: CacheLayer, id: string) => CACHE_LAYERS[layer] + id;

/** The layer a store key belongs to, by its prefix ('other' for none of them). */
export function layerOf(key: string): CacheLayer | 'other' {
  if (key === EPOCH_KEY) return 'version';
  for (const [layer, prefix] of Object.entries(CACHE_LAYERS)) if (key.startsWith(prefix)) return layer as CacheLayer;
  return 'other';
}

/** Hits over lookups since start, or null before the first lookup. */
export const hitRatio = (stats: { hits: number; misses: number }): number | null =>
  stats.hits + stats.misses ? stats.hits / (stats.hits + stats.misses) : null;
