import {
  currentEntry,
  decodeDependencies,
  DEPENDENCIES_HEADER,
  encodeDependencies,
  keepEntry,
  WANT_DEPENDENCIES_HEADER,
} from '@supergraph-lab/cache';
import type { SubgraphName } from '@supergraph-lab/config';
import { sendProblem, toProblem, unavailable, AppError } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { timed } from '@supergraph-lab/timing';
import type { Agent } from 'undici';
import type { FetchCount } from './fetches.ts';
import { remember, responsesCached, type GatewayCache } from './response-cache.ts';
import { restCacheKey } from './rest-keys.ts';

interface CachedRest {
  status: number;
  contentType: string;
  body: string;
}

/** Which service owns a REST path (docs/contract.md, "REST compatibility"). */
const OWNERS: readonly [RegExp, SubgraphName][] = [
  [/^\/api\/items\/[^/]+\/reviews(\/|$)/, 'reviews'],
  [/^\/api\/items\/[^/]+\/photos(\/|$)/, 'photos'],
  [/^\/api\/items(\/|$)/, 'items'],
  [/^\/api\/reviews(\/|$)/, 'reviews'],
  [/^\/api\/photos(\/|$)/, 'photos'],
];

/** The owner of a path, or null when no service serves it. */
export function ownerOf(path: string): SubgraphName | null {
  return OWNERS.find(([pattern]) => pattern.test(path))?.[1] ?? null;
}

// hop-by-hop headers belong to one connection, never forwarded
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
]);
// set anew for the upstream request (undici measures the body it sends)
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'x-request-id']);

/**
 * Serves every `/api/...` path on the gateway by forwarding it to its owner service over
 * kept-alive connections, body and status untouched: one origin for clients, one code path
 * (the owner's) for validation and writes.
 */
export function registerRestProxy(
  app: FastifyInstance,
  urls: Record<SubgraphName, string>,
  agent: Agent,
  timeoutMs: number,
  cache: GatewayCache,
  fetches: Record<SubgraphName, FetchCount>,
): void {
  app.register(async (scope) => {
    // bodies pass through as bytes: the owner parses and validates them (its 400/415)
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.all('/api/*', async (request, reply) => {
      const path = request.url.split('?')[0]!;
      const owner = ownerOf(path);
      if (!owner) {
        return sendProblem(
          reply,
          404,
          toProblem(new AppError('NOT_FOUND', `no route for ${request.method} ${path}`), request.url),
        );
      }
      // GETs are served from the REST cache while every token the owner reported is current
      const cacheable = request.method === 'GET' && responsesCached(cache);
      const key = restCacheKey(path, request.query as Record<string, string | string[] | undefined>);
      if (cacheable) {
        const entry = await currentEntry<CachedRest>(cache.store, key, request.timing);
        if (entry) {
          cache.stats.rest.hits++;
          if (request.headers[WANT_DEPENDENCIES_HEADER] === '1')
            reply.header(DEPENDENCIES_HEADER, encodeDependencies(entry.dependencies));
          return reply
            .code(entry.status)
            .header('content-type', entry.contentType)
            .header('x-cache', 'HIT')
            .send(entry.body);
        }
        cache.stats.rest.misses++;
      }
      const headers: Record<string, string> = { 'x-request-id': request.id };
      for (const [name, value] of Object.entries(request.headers)) {
        if (!NOT_FORWARDED.has(name) && typeof value === 'string') headers[name] = value;
      }
      const origin = new URL(urls[owner]);
      // a read the client gave up on is abandoned (the owner sees its connection close); a write
      // is carried to its end
      const cancellation = request.method === 'GET' || request.method === 'HEAD' ? request.cancellation : null;
      let upstream;
      // undici sends nothing for a client already gone
      if (!cancellation?.aborted) fetches[owner].count++;
      try {
        upstream = await timed(request.timing, owner, () =>
          agent.request({
            origin: origin.origin,
            path: `${origin.pathname.replace(/\/$/, '')}${request.url}`,
            method: request.method as 'GET',
            headers,
            body: Buffer.isBuffer(request.body) ? request.body : null,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            signal: cancellation,
          }),
        );
      } catch (error) {
        const reason = (error as { code?: string }).code ?? (error as Error).message;
        const problem = toProblem(unavailable(`the ${owner} service is unavailable: ${reason}`), request.url);
        return sendProblem(reply, 503, problem, 5);
      }
      reply.code(upstream.statusCode);
      for (const [name, value] of Object.entries(upstream.headers)) {
        // the owner echoes the request id it was sent: proof, for the client, that it was forwarded
        const internal = name === DEPENDENCIES_HEADER && request.headers[WANT_DEPENDENCIES_HEADER] !== '1';
        if (!HOP_BY_HOP.has(name) && value !== undefined && !internal) reply.header(name, value);
      }
      const dependencies =
        cacheable && upstream.statusCode === 200 ? decodeDependencies(upstream.headers[DEPENDENCIES_HEADER]) : null;
      if (!dependencies) {
        if (cacheable) reply.header('x-cache', 'BYPASS');
        return reply.send(upstream.body);
      }
      const body = await upstream.body.text();
      const contentType = String(upstream.headers['content-type'] ?? 'application/json');
      const stored = await keepEntry<CachedRest>(
        cache.store,
        key,
        { status: 200, contentType, body, dependencies },
        cache.ttlSeconds,
        request.timing,
      );
      if (stored) remember(cache, key, 'rest');
      return reply.header('x-cache', 'MISS').send(body);
    });
  });
}
