// The names the services, the tools and the lab's browser bundle share: no environment, no zod.

export const CACHE_MODES = ['off', 'entity', 'response', 'all'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** Where the cache entries live: CACHE_URL's scheme (redis://, rediss://, memcached://), or memory without one. */
export const CACHE_STORES = ['redis', 'memcached', 'memory'] as const;
export type CacheStoreKind = (typeof CACHE_STORES)[number];

/** The store a cache URL names. */
export function cacheStoreKindOf(url: string | undefined): CacheStoreKind {
  if (!url) return 'memory';
  return url.startsWith('memcached://') ? 'memcached' : 'redis';
}

/** The databases the services run on, by DATABASE_URL's scheme (postgresql://; mysql:// for MariaDB). */
export const DATABASES = ['postgres', 'mariadb'] as const;
export type DatabaseKind = (typeof DATABASES)[number];

/** The database a DATABASE_URL names (Postgres without one: npm start's embedded PGlite). */
export function databaseKindOf(url: string | undefined): DatabaseKind {
  return url && /^(mysql|mariadb):\/\//.test(url) ? 'mariadb' : 'postgres';
}

/**
 * The host of the seed's photo URLs: a reserved `.example` name that never resolves (the SSR
 * service draws its images at /images instead). One of the photo hosts allowed by default.
 */
export const SEED_IMAGE_HOST = 'images.supergraph-shop.example';
