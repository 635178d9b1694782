import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@supergraph-lab/config';
import {
  countsMetric,
  createContextOf,
  createHttpServer,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyPlugin,
  listenUrl,
  mountGraphQL,
} from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { Agent, request as undiciRequest } from 'undici';
import {
  createConfiguredStore,
  layerKey,
  SHARED_STORE_NEEDED,
  WANT_DEPENDENCIES_HEADER,
  type CacheStore,
  type KeyValueCacheLike,
} from '@supergraph-lab/cache';
import { registerCacheAdmin } from './admin.ts';
import { cappedPersistedQueries } from './persisted-queries.ts';
import { SubgraphDataSource, type GatewayContext } from './datasource.ts';
import { subgraphFetchCounts } from './fetches.ts';
import { compiledPlans } from './plan-executor.ts';
import { responseCachePlugin, responseDependencies, responsesCached, type GatewayCache } from './response-cache.ts';
import { playgroundPage, registerPlaygroundAssets } from './playground.ts';
import { registerRestProxy } from './rest-proxy.ts';
import { composeSupergraph, readSubgraphSources } from './supergraph.ts';

/** A gateway ready to listen. */
export interface GatewayService {
  app: FastifyInstance;
  cache: GatewayCache;
  /** The composed supergraph SDL (static mode). */
  supergraphSdl: string | null;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Where the subgraphs are; defaults to the configuration's. */
  subgraphUrls?: Record<SubgraphName, string>;
}

/**
 * The Apollo gateway on Fastify: a static supergraph composed from the subgraph SDL files at
 * start (or IntrospectAndCompose with SUPERGRAPH_MODE=introspect, for development), the REST
 * routes of every subgraph on the same origin, and the Playground at `GET /graphql`.
 * Composition errors reject, with the composition messages.
 */
export async function createGatewayService(config: Config, options: GatewayOptions = {}): Promise<GatewayService> {
  // @apollo/gateway 2.14 reports fleet metrics to Apollo unless told not to; this project never does
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const urls = options.subgraphUrls ?? config.subgraphUrls;
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections: 128 });

  const app = createHttpServer({
    name: 'gateway',
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    // ready while every subgraph answers: its /healthz (alive), not its /readyz. A subgraph that
    // is not ready (its database down, or draining) is out of its own rotation; asking its
    // readiness here would take every gateway out of theirs with it, and a shop that could answer
    // with partial data or a clear 503 would answer nothing at all
    readiness: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        name,
        async () => {
          const response = await undiciRequest(`${urls[name]}/healthz`, {
            dispatcher: agent,
            headersTimeout: 2000,
            bodyTimeout: 2000,
          });
          await response.body.dump();
          if (response.statusCode !== 200) throw new Error(`healthz answered ${response.statusCode}`);
        },
      ]),
    ),
  });
  // every subgraph fetch, GraphQL's and the REST proxy's (subgraph_fetches_total)
  const fetches = subgraphFetchCounts(app.metrics);
  const supergraphSdl = config.supergraphMode === 'static' ? composeSupergraph(readSubgraphSources(urls)) : null;
  // the data sources by subgraph, for the plans the gateway runs itself (the lean path's)
  const dataSources = new Map<string, SubgraphDataSource>();
  const plans = compiledPlans(dataSources);
  countsMetric(
    app.metrics,
    'lean_query_plans_total',
    'Query plans of the lean GraphQL path by who ran them: "compiled" (the gateway, from a plan compiled once) or "apollo" (its executor)',
    ['runner'],
    () => [
      [{ runner: 'compiled' }, plans.runs.compiled],
      [{ runner: 'apollo' }, plans.runs.apollo],
    ],
  );
  const gateway = new ApolloGateway({
    supergraphSdl:
      supergraphSdl ??
      new IntrospectAndCompose({ subgraphs: SUBGRAPH_NAMES.map((name) => ({ name, url: `${urls[name]}/graphql` })) }),
    buildService: ({ name, url }) => {
      const source = new SubgraphDataSource(name, url!, agent, config.subgraphTimeoutMs, fetches[name as SubgraphName]);
      dataSources.set(name, source);
      return source;
    },
    experimental_didResolveQueryPlan: plans.record,
  });

  const store = createConfiguredStore(config, (message) => app.log.warn(message));
  const cache: GatewayCache = {
    store,
    mode: config.cacheMode,
    ttlSeconds: config.cacheTtlSeconds,
    stats: { response: { hits: 0, misses: 0 }, rest: { hits: 0, misses: 0 } },
    recent: [],
  };
  await mountGraphQL<GatewayContext>(app, {
    gateway,
    runPlan: plans.run,
    development: config.development,
    context: async (request) => ({
      requestId: request.id,
      dependencies: {},
      timing: request.timing,
      cancellation: request.cancellation,
      creates: createContextOf(request.headers),
      wantsDependencies: request.headers[WANT_DEPENDENCIES_HEADER] === '1',
    }),
    responseExtensions: responseDependencies,
    // the whole-response cache is an Apollo plugin: while it serves, queries take Apollo's path
    leanWhen: () => !responsesCached(cache),
    leanHeaders: { 'x-cache': 'BYPASS' },
    limits: config.graphqlLimits,
    leanDocumentCacheBytes: config.leanDocumentCacheBytes,
    bodyLimitBytes: config.graphqlBodyLimitBytes,
    introspection: config.introspection,
    ...(config.playground ? { browserPage: playgroundPage('/graphql', urls.items, agent) } : {}),
    plugins: [responseCachePlugin(cache), idempotencyPlugin<GatewayContext>()],
    // automatic persisted queries, kept in the same store (so every gateway instance knows them)
    persistedQueries: { cache: cappedPersistedQueries(persistedQueryCache(store), config), ttl: config.apqTtlSeconds },
  });
  if (config.testCrashAfterCommit) crashAfterCommits(app);
  if (config.playground) registerPlaygroundAssets(app);
  registerRestProxy(app, urls, agent, config.subgraphTimeoutMs, cache, fetches);
  registerCacheAdmin(app, config, cache, urls, agent);
  app.addHook('onReady', async () => {
    if (!responsesCached(cache) && (cache.mode === 'response' || cache.mode === 'all')) {
      app.log.warn(
        `${SHARED_STORE_NEEDED}; they are off (a per-process memory store cannot see other processes' writes)`,
      );
    }
  });

  return {
    app,
    cache,
    supergraphSdl,
    listen: (port?: number, host?: string) => listenUrl(app, port, host),
    async close() {
      await app.close();
      await agent.close();
      await store.close();
    },
  };
}

/**
 * The test hook of TEST_CRASH_AFTER_COMMIT: a POST that asks for it (`x-test-crash-after-commit: 1`)
 * and was answered 2xx, not as a replay, was committed by its owner; the gateway dies before
 * the answer leaves, as a process killed at the worst moment would.
 */
function crashAfterCommits(app: FastifyInstance): void {
  app.log.warn('TEST_CRASH_AFTER_COMMIT is on: requests may kill this process');
  app.addHook('onSend', async (request, reply) => {
    if (
      request.method === 'POST' &&
      request.headers['x-test-crash-after-commit'] === '1' &&
      reply.statusCode >= 200 &&
      reply.statusCode < 300 &&
      reply.getHeader(IDEMPOTENT_REPLAYED_HEADER) !== 'true'
    )
      process.kill(process.pid, 'SIGKILL');
  });
}

/** Apollo's KeyValueCache over the shared store, for APQ. */
function persistedQueryCache(store: CacheStore): KeyValueCacheLike {
  return {
    async get(key) {
      const [value] = (await store.getMany<string>([layerKey('persisted query', key)])) ?? [];
      return value;
    },
    async set(key, value, options) {
      await store.setMany([{ key: layerKey('persisted query', key), value, ttlSeconds: options?.ttl ?? 86_400 }]);
    },
    async delete(key) {
      return store.delete([layerKey('persisted query', key)]);
    },
  };
}
