import type { KeyValueCacheLike } from '@supergraph-lab/cache';
import type { Config } from '@supergraph-lab/config';

/**
 * APQ's cache with a size cap: a query text longer than APQ_MAX_QUERY_BYTES (or than the
 * GraphQL body limit) is answered but not stored, so its hash alone later gets Apollo's
 * PERSISTED_QUERY_NOT_FOUND, as for any unknown hash; the client sends the text again. Without
 * it every client could park up to a body limit of text per hash for the whole TTL.
 */
export function cappedPersistedQueries(cache: KeyValueCacheLike, config: Config): KeyValueCacheLike {
  const maxBytes = Math.min(config.apqMaxQueryBytes, config.graphqlBodyLimitBytes);
  return {
    get: (key) => cache.get(key),
    async set(key, value, options) {
      // a length over the cap in UTF-16 units is over it in bytes too: no count of bytes needed then
      if (value.length > maxBytes || Buffer.byteLength(value) > maxBytes) return;
      await cache.set(key, value, options);
    },
    delete: (key) => cache.delete(key),
  };
}
