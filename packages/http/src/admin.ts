import { timingSafeEqual } from 'node:crypto';
import { CACHE_MODES, CACHE_STORES, type CacheMode, type CacheStoreKind } from '@supergraph-lab/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { badInput } from './errors.ts';
import { parseInput } from './input.ts';
import { sendProblem } from './server.ts';

/** Whether `given` is `expected`, compared in constant time (for equal lengths); never when either is missing. */
export function tokenMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function isAdmin(request: FastifyRequest, token: string | undefined): boolean {
  return tokenMatches(bearerToken(request), token);
}

/** 401 problem details for an admin endpoint, saying whether a token is configured at all. */
export function refuseAdmin(reply: FastifyReply, request: FastifyRequest, configured: boolean): FastifyReply {
  reply.header('www-authenticate', 'Bearer realm="supergraph-lab admin"');
  return sendProblem(reply, 401, {
    type: 'https://supergraph-lab.dev/problems/unauthorized',
    title: 'Unauthorized',
    status: 401,
    detail: configured
      ? 'admin endpoints need Authorization: Bearer <ADMIN_TOKEN>'
      : 'admin endpoints are off: ADMIN_TOKEN is not set',
    code: 'UNAUTHORIZED',
    instance: request.url,
  });
}

/** What the load lab switches at runtime, without restarting a service. */
export interface RuntimeSettings {
  cacheMode: CacheMode;
  /** DataLoader batching in the subgraphs (off shows the N+1 cost). */
  batching: boolean;
  /** The cache store served from, of those configured (CACHE_URL and REDIS_URL: see Config.cacheUrls). */
  cacheStore: CacheStoreKind;
}

const settingsPatch = z
  .object({
    cacheMode: z
      .enum(CACHE_MODES, { errorMap: () => ({ message: `must be one of ${CACHE_MODES.join(', ')}` }) })
      .optional(),
    batching: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
    cacheStore: z
      .enum(CACHE_STORES, { errorMap: () => ({ message: `must be one of ${CACHE_STORES.join(', ')}` }) })
      .optional(),
  })
  .strict();

/**
 * A validated `PUT /admin/settings` body: any of `cacheMode`, `batching`, `cacheStore` (one of
 * `stores`, the kinds this service has configured), nothing else.
 */
export function parseSettingsPatch(body: unknown, stores: readonly CacheStoreKind[]): Partial<RuntimeSettings> {
  const patch = parseInput(settingsPatch, body, 'settings');
  if (patch.cacheStore && !stores.includes(patch.cacheStore)) {
    throw badInput(
      `cacheStore ${patch.cacheStore} is not configured here (${stores.join(', ')} ${stores.length > 1 ? 'are' : 'is'}): ` +
        'set CACHE_URL=memcached://host:port beside REDIS_URL to switch between memcached and Redis',
    );
  }
  return patch;
}

/** What another service's admin endpoint answered: its status and its JSON (null when it had none). */
export interface AdminAnswer<T> {
  status: number;
  body: T | null;
}

/**
 * One admin call to another service (`Authorization: Bearer <token>`), bounded by `timeoutMs`:
 * the gateway's to each subgraph, the lab's to the gateway. Throws when the service cannot be
 * reached; the caller says what that means for its own answer.
 */
export async function adminCall<T>(
  agent: Dispatcher,
  baseUrl: string,
  path: string,
  token: string,
  options: { method?: 'GET' | 'POST' | 'PUT'; body?: unknown; timeoutMs?: number } = {},
): Promise<AdminAnswer<T>> {
  const { method = 'GET', body, timeoutMs = 2000 } = options;
  const response = await request(`${baseUrl}${path}`, {
    method,
    dispatcher: agent,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const answer = (await response.body.json().catch(() => null)) as T | null;
  return { status: response.statusCode, body: answer };
}
