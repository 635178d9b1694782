import type { CacheStore } from '@supergraph-lab/cache';
import { createPrismaClient, type PrismaClient } from '@supergraph-lab/db';
/** Small HTTP helpers for tests and tools that talk to a running stack. */

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** POSTs a GraphQL operation and returns the status with the parsed body. */
export async function graphql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const result = { status: response.status, ...((await response.json()) as object) };
  // not enumerable: results compare (deepEqual) by status, data and errors, as before headers were kept
  return Object.defineProperty(result, 'headers', { value: response.headers, enumerable: false }) as GraphQLResult<T>;
}

/**
 * The same operation as `graphql()`, through Apollo Server's path: a GET (the lean path serves
 * JSON POSTs only), with the CSRF header Apollo Server asks of GETs. Compares equal to what
 * `graphql()` returns for the same answer.
 */
export async function graphqlByGet(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult> {
  const url = new URL(`${baseUrl}/graphql`);
  url.searchParams.set('query', query);
  url.searchParams.set('variables', JSON.stringify(variables));
  const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true', accept: 'application/json' } });
  const result = { status: response.status, ...((await response.json()) as object) };
  return Object.defineProperty(result, 'headers', { value: response.headers, enumerable: false }) as GraphQLResult;
}

/** How many GraphQL requests a service has served by each path so far (`graphql_requests_total{path}`). */
export async function graphqlPaths(baseUrl: string): Promise<{ lean: number; apollo: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const count = (path: string) =>
    Number(new RegExp(`^graphql_requests_total\\{[^}]*path="${path}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { lean: count('lean'), apollo: count('apollo') };
}

/** A metric's value in a service's /metrics (its first series), or null when it has none. */
export async function metricValue(baseUrl: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
  return value === undefined ? null : Number(value);
}

/** The keys a Redis-backed store holds under its namespace whose key starts with `prefix` (a layer's, e.g. `rest:`). */
export async function redisKeys(store: CacheStore, prefix: string): Promise<string[]> {
  const redis = await store.redis();
  if (!redis) throw new Error(`redisKeys needs a Redis store, got ${store.kind}`);
  const keys: string[] = [];
  for await (const found of redis.scanIterator({ MATCH: `${store.prefix}${prefix}*`, COUNT: 500 }))
    keys.push(...(Array.isArray(found) ? found : [found]));
  return keys.sort();
}

export interface RestResult {
  status: number;
  headers: Headers;
  body: any;
}

/** Sends a REST request with a JSON body (unless `raw` is given) and parses a JSON answer. */
export async function rest(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: { headers?: Record<string, string>; raw?: string | Buffer } = {},
): Promise<RestResult> {
  const hasBody = body !== undefined || options.raw !== undefined;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(hasBody && options.raw === undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(hasBody ? { body: options.raw ?? JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    body: text && /json/.test(type) ? JSON.parse(text) : text,
  };
}

/** How many reviews in the database at `databaseUrl` have this title (a test's own write, counted where it landed). */
export async function reviewsTitled(databaseUrl: string, title: string): Promise<number> {
  const prisma = createPrismaClient(databaseUrl);
  try {
    return await prisma.review.count({ where: { title } });
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * The item with the most reviews (with `withPhotos`, among those with photos: every part of its
 * page has something to show), and that count.
 */
export async function busiestItem(
  prisma: PrismaClient,
  options: { withPhotos?: boolean } = {},
): Promise<{ id: number; reviews: number }> {
  const [busiest] = await prisma.review.groupBy({
    by: ['itemId'],
    ...(options.withPhotos ? { where: { item: { is: { photos: { some: {} } } } } } : {}),
    _count: { id: true },
    orderBy: { _count: { id: 'desc' } },
    take: 1,
  });
  if (!busiest) throw new Error('busiestItem: the database has no reviews');
  return { id: busiest.itemId, reviews: busiest._count.id };
}
