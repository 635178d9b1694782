import { hitRatio, layerOf } from '@supergraph-lab/cache';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@supergraph-lab/config';
import {
  adminCall,
  cacheLookupsMetric,
  memoryStoreMetrics,
  AppError,
  badInput,
  guardRoutes,
  isAdmin,
  parseSettingsPatch,
  refuseAdmin as refuse,
  sendProblem,
  toProblem,
  type RuntimeSettings,
} from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { Agent } from 'undici';
import type { GatewayCache } from './response-cache.ts';

/** What the inspector says in place of a key listing on memcached, which has no command to list its keys. */
export const MEMCACHED_NO_LISTING =
  'memcached cannot list its keys (no SCAN): the counts and memory come from its stats; entries are not listed';

/** memcached's stats as the inspector shows a store: items, memory, its own hits, misses and evictions. */
function memcachedStore(stats: Record<string, string>) {
  const bytes = Number(stats.bytes ?? 0);
  return {
    keys: Number(stats.curr_items ?? 0),
    usedMemory: `${(bytes / 1024 / 1024).toFixed(2)}M`,
    usedMemoryBytes: bytes,
    limitMaxBytes: Number(stats.limit_maxbytes ?? 0),
    serverHits: Number(stats.get_hits ?? 0),
    serverMisses: Number(stats.get_misses ?? 0),
    evictions: Number(stats.evictions ?? 0),
    version: stats.version ?? null,
    keyListing: false,
    note: MEMCACHED_NO_LISTING,
  };
}

/**
 * `GET /cache` (hit/miss per layer with hit ratios, keys and memory of the store, the newest
 * entries with TTL and size) and `POST /cache/flush` (a new epoch: every entry of every layer
 * dead at once, then the keys removed), both behind ADMIN_TOKEN and a Host and Origin check
 * (guard.ts); hit ratios in /metrics too.
 */
export function registerCacheAdmin(
  app: FastifyInstance,
  config: Config,
  cache: GatewayCache,
  urls: Record<SubgraphName, string>,
  agent: Agent,
): void {
  // a browser on a rebound name or another site's page gets nothing here, token or not
  guardRoutes(app, { prefixes: ['/admin', '/cache'], allowedHosts: config.allowedHosts });
  /** The same admin call to every subgraph, in parallel: each answer's JSON, or null when it failed. */
  const eachSubgraph = async <T>(method: 'GET' | 'PUT', path: string, body?: unknown) => {
    const entries = await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        try {
          const answer = await adminCall<T>(agent, urls[name], path, config.adminToken!, { method, body });
          return [name, answer.status === 200 ? answer.body : null] as const;
        } catch {
          return [name, null] as const;
        }
      }),
    );
    return Object.fromEntries(entries) as Record<SubgraphName, T | null>;
  };
  const entityStats = () => eachSubgraph<{ hits: number; misses: number }>('GET', '/cache/stats');

  // the load lab's switches: CACHE_MODE and the cache store here and in every subgraph, batching in the subgraphs
  const settingsAnswer = (subgraphs: Record<SubgraphName, RuntimeSettings | null>) => ({
    gateway: { cacheMode: cache.mode, cacheStore: cache.store.kind, cacheStores: cache.store.available },
    subgraphs,
  });
  app.get('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuse(reply, request, Boolean(config.adminToken));
    return settingsAnswer(await eachSubgraph<RuntimeSettings>('GET', '/admin/settings'));
  });
  app.put('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuse(reply, request, Boolean(config.adminToken));
    const patch = parseSettingsPatch(request.body, cache.store.available);
    if (patch.cacheMode) cache.mode = patch.cacheMode;
    if (patch.cacheStore) cache.store.use(patch.cacheStore);
    const subgraphs = await eachSubgraph<RuntimeSettings>('PUT', '/admin/settings', patch);
    const failed = SUBGRAPH_NAMES.filter((name) => !subgraphs[name]);
    if (failed.length) {
      const problem = toProblem(
        new AppError(
          'SERVICE_UNAVAILABLE',
          `settings not applied by the ${failed.join(', ')} subgraph${failed.length > 1 ? 's' : ''}; the others have them`,
        ),
        request.url,
      );
      return sendProblem(reply, 503, { ...problem, ...settingsAnswer(subgraphs) }, 5);
    }
    request.log.info({ settings: patch }, 'runtime settings changed');
    return settingsAnswer(subgraphs);
  });

  app.get('/cache', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuse(reply, request, Boolean(config.adminToken));
    const subgraphs = await entityStats();
    const entity = { hits: 0, misses: 0 };
    for (const stats of Object.values(subgraphs)) {
      entity.hits += stats?.hits ?? 0;
      entity.misses += stats?.misses ?? 0;
    }
    const [redis, memcached] = await Promise.all([cache.store.redis(), cache.store.memcachedStats()]);
    let store: Record<string, unknown> = { kind: cache.store.kind };
    if (memcached) store = { ...store, ...memcachedStore(memcached) };
    let recent: Record<string, unknown>[] = cache.recent
      .slice(-20)
      .reverse()
      .map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() }));
    if (redis) {
      const [keys, memory] = await Promise.all([redis.dbSize(), redis.info('memory')]);
      store = {
        ...store,
        keys,
        usedMemory: /used_memory_human:(\S+)/.exec(memory)?.[1] ?? null,
        usedMemoryBytes: Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0),
      };
      recent = await Promise.all(
        recent.map(async (entry) => {
          const key = `${cache.store.prefix}${entry.key}`;
          const [ttlMs, size] = await Promise.all([redis.pTTL(key), redis.strLen(key)]);
          return { ...entry, ttlMs: ttlMs >= 0 ? ttlMs : null, sizeBytes: size, present: ttlMs !== -2 };
        }),
      );
    }
    return {
      mode: cache.mode,
      layers: {
        response: {
          ...cache.stats.response,
          hitRatio: hitRatio(cache.stats.response),
          active: cache.store.shared,
        },
        rest: { ...cache.stats.rest, hitRatio: hitRatio(cache.stats.rest), active: cache.store.shared },
        entity: { ...entity, hitRatio: hitRatio(entity), subgraphs },
      },
      store,
      recent,
    };
  });

  // what the cache holds now: a sample of keys from a SCAN, with layer, TTL and size (the lab's live view)
  app.get<{ Querystring: { limit?: string } }>('/cache/entries', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuse(reply, request, Boolean(config.adminToken));
    const limit = Number(request.query.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw badInput(`limit must be a whole number between 1 and 500, got ${JSON.stringify(request.query.limit)}`);
    if (cache.store.kind === 'memcached') {
      const stats = await cache.store.memcachedStats();
      return {
        store: 'memcached',
        keyListing: false,
        note: MEMCACHED_NO_LISTING,
        keys: stats ? memcachedStore(stats).keys : null,
        entries: [],
      };
    }
    const redis = await cache.store.redis();
    if (!redis) return { store: cache.store.kind, entries: [] };
    const keys: string[] = [];
    for await (const found of redis.scanIterator({ MATCH: `${cache.store.prefix}*`, COUNT: 200 })) {
      keys.push(...(Array.isArray(found) ? found : [found]));
      if (keys.length >= limit) break;
    }
    const entries = await Promise.all(
      keys.slice(0, limit).map(async (full) => {
        const key = full.slice(cache.store.prefix.length);
        const [ttlMs, sizeBytes] = await Promise.all([redis.pTTL(full), redis.strLen(full)]);
        return { key, layer: layerOf(key), ttlMs: ttlMs >= 0 ? ttlMs : null, sizeBytes };
      }),
    );
    return { store: cache.store.kind, keys: await redis.dbSize(), entries };
  });

  app.post('/cache/flush', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuse(reply, request, Boolean(config.adminToken));
    // the new epoch makes everything dead at once, in every process; deleting frees the memory
    const epoch = await cache.store.newEpoch();
    let deleted = 0;
    const redis = await cache.store.redis();
    if (redis) {
      let batch: string[] = [];
      for await (const found of redis.scanIterator({ MATCH: `${cache.store.prefix}*`, COUNT: 500 })) {
        for (const key of Array.isArray(found) ? found : [found]) if (!key.endsWith('::epoch')) batch.push(key);
        if (batch.length >= 500) {
          deleted += await redis.unlink(batch);
          batch = [];
        }
      }
      if (batch.length) deleted += await redis.unlink(batch);
    }
    cache.recent.length = 0;
    if (!epoch)
      return sendProblem(
        reply,
        503,
        toProblem(new AppError('SERVICE_UNAVAILABLE', 'the cache is unavailable'), request.url),
        5,
      );
    if (cache.store.kind === 'memcached') {
      // no key listing to delete by: the dead entries stay until their TTL or memcached's LRU takes them
      return { flushed: true, deletedKeys: 0, note: `${MEMCACHED_NO_LISTING}; dead entries expire by their TTL` };
    }
    return { flushed: true, deletedKeys: deleted };
  });

  cacheLookupsMetric(app.metrics, 'Cache lookups at the gateway by layer and result', cache.stats);
  memoryStoreMetrics(app.metrics, () => cache.store.memoryUsage());
  new Gauge({
    name: 'cache_hit_ratio',
    help: 'Hits / lookups since start, by layer',
    labelNames: ['layer'] as const,
    registers: [app.metrics],
    collect() {
      for (const layer of ['response', 'rest'] as const) {
        const value = hitRatio(cache.stats[layer]);
        if (value !== null) this.set({ layer }, value);
      }
    },
  });
}
