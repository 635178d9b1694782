// The names the services, the tools and the lab's browser bundle share: no environment, no zod.

export const CACHE_MODES = ['off', 'entity', 'response', 'all'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/**
 * Which gateway serves the gateway port (GATEWAY): the project's own (Apollo Gateway with its
 * caches, REST routes, limits and Server-Timing) or one of three peers over the same subgraphs.
 */
export const GATEWAYS = ['apollo', 'hive', 'hive-rust', 'grafbase'] as const;
export type GatewayKind = (typeof GATEWAYS)[number];

/** Where the cache entries live: CACHE_URL's scheme (redis://, rediss://, memcached://), or memory without one. */
export const CACHE_STORES = ['redis', 'memcached', 'memory'] as const;
export type CacheStoreKind = (typeof CACHE_STORES)[number];

/** The store a cache URL names. */
export function cacheStoreKindOf(url: string | undefined): CacheStoreKind {
  if (!url) return 'memory';
  return url.startsWith('memcached://') ? 'memcached' : 'redis';
}

/**
 * The databases the services run on, each with the schemes of the DATABASE_URLs that name it (the
 * first is the one to write). Each has a dialect in packages/db/src/dialects, which this names.
 */
export const DATABASE_SCHEMES = {
  postgres: ['postgresql', 'postgres'],
  mariadb: ['mysql', 'mariadb'],
} as const;
export type DatabaseKind = keyof typeof DATABASE_SCHEMES;
export const DATABASES = Object.keys(DATABASE_SCHEMES) as DatabaseKind[];

/** A URL of one of `kinds`' schemes: `postgresql://`, `mysql://` and the others. */
export function databaseUrlPattern(kinds: readonly DatabaseKind[] = DATABASES): RegExp {
  return new RegExp(`^(${kinds.flatMap((kind) => DATABASE_SCHEMES[kind]).join('|')})://`);
}

/** How to write a URL of each of `kinds`, for messages: `postgresql:// or mysql://`. */
export function databaseUrlForms(kinds: readonly DatabaseKind[] = DATABASES): string {
  return kinds.map((kind) => `${DATABASE_SCHEMES[kind][0]}://`).join(' or ');
}

/** The database a DATABASE_URL names (Postgres without one: npm start's embedded PGlite). */
export function databaseKindOf(url: string | undefined): DatabaseKind {
  return (url && DATABASES.find((kind) => databaseUrlPattern([kind]).test(url))) || 'postgres';
}

/**
 * The host of the seed's photo URLs: a reserved `.example` name that never resolves (the SSR
 * service draws its images at /images instead). One of the photo hosts allowed by default.
 */
export const SEED_IMAGE_HOST = 'images.supergraph-shop.example';
