import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { ConfigError, readConfig, requireDatabaseUrl, type Config } from '@supergraph-lab/config';
import { createPrismaClient, poolStats, type PrismaClient } from '@supergraph-lab/db';
import {
  createCacheStore,
  createSubgraphCache,
  DEPENDENCIES_HEADER,
  encodeDependencies,
  type CacheStore,
  type SubgraphCache,
  type VersionReader,
} from '@supergraph-lab/cache';
import {
  createHttpServer,
  drainAndClose,
  listenUrl,
  isAdmin,
  mountGraphQL,
  onStopSignal,
  parseSettingsPatch,
  refuseAdmin,
  type RuntimeSettings,
  createContextOf,
  idempotencyPlugin,
  type CreateContext,
} from '@supergraph-lab/http';
import { Counter, Gauge } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { createCreates, type Creates } from './creates.ts';
import { GraphQLScalarType, Kind, parse } from 'graphql';

/** A running (or ready to listen) subgraph service. */
export interface SubgraphService {
  name: string;
  app: FastifyInstance;
  prisma: PrismaClient;
  cache: SubgraphCache;
  /** Listens on `port` (0 picks a free one) and returns the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, drains in-flight requests, closes the database pool. */
  close(): Promise<void>;
  /** Applies runtime settings made elsewhere (a sibling worker's PUT /admin/settings). */
  applySettings(patch: Partial<RuntimeSettings>): void;
}

/** What every subgraph's per-request context carries. */
export interface RequestContext {
  /** Reads version tokens for this request and records them as its dependencies. */
  cacheReader: VersionReader | null;
  /** The request's Idempotency-Key header for its create, and whether the create was replayed. */
  creates: CreateContext;
}

/** The parts that make one subgraph what it is. */
export interface SubgraphDefinition<Module, Context extends RequestContext> {
  name: string;
  /** Path of the subgraph's `schema.graphql`. */
  schemaFile: string;
  resolvers: GraphQLResolverMap<Context>;
  /** The subgraph's module: every read and write, made once per service. */
  createModule(prisma: PrismaClient, cache: SubgraphCache, creates: Creates): Module;
  /** Per-request context (but `creates`, which every subgraph's has); DataLoaders are made here so none outlives its request. */
  createContext(
    module: Module,
    reader: VersionReader | null,
    settings: { batching: boolean },
  ): Omit<Context, 'creates'>;
  /** Registers the REST routes this subgraph owns. */
  registerRest(app: FastifyInstance, module: Module): void;
}

/** Options for tests and tools: an existing Prisma Client or cache store, a hook on every SQL statement. */
export interface SubgraphServiceOptions {
  prisma?: PrismaClient;
  cacheStore?: CacheStore;
  onQuery?: (sql: string) => void;
  /** Told of every settings change made through this process (WORKERS > 1: passed to the siblings). */
  onSettingsChanged?: (patch: Partial<RuntimeSettings>) => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's version-token reader (see @supergraph-lab/cache). */
    cacheReader: import('@supergraph-lab/cache').VersionReader | null;
  }
}

/** ISO 8601 timestamps. */
export const DateTimeScalar = new GraphQLScalarType<Date | null, string>({
  name: 'DateTime',
  description: 'An ISO 8601 timestamp in UTC, e.g. 2026-11-23T10:15:00.000Z',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseDate(ast.value) : null),
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new TypeError(`DateTime must be an ISO 8601 string, got ${JSON.stringify(value)}`);
  return date;
}

/** Builds a subgraph service (not yet listening): `createXService(config)` in each subgraph. */
export async function createSubgraphService<Module, Context extends RequestContext>(
  definition: SubgraphDefinition<Module, Context>,
  config: Config,
  options: SubgraphServiceOptions = {},
): Promise<SubgraphService> {
  const prisma =
    options.prisma ??
    createPrismaClient(requireDatabaseUrl(config), {
      poolSize: config.dbPoolSize,
      idleTimeoutMs: config.dbPoolIdleSeconds * 1000,
      // no statement outlives its request's deadline by more than the deadline itself
      statementTimeoutMs: config.requestTimeoutMs,
      ...(options.onQuery ? { onQuery: options.onQuery } : {}),
    });
  const app = createHttpServer({
    name: definition.name,
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    readiness: { database: () => prisma.$queryRaw`SELECT 1` },
  });
  const store =
    options.cacheStore ??
    createCacheStore({
      redisUrl: config.redisUrl,
      namespace: config.cacheNamespace,
      timeoutMs: config.cacheTimeoutMs,
      onError: (message) => app.log.warn(message),
    });
  const cache = createSubgraphCache(store, config.cacheMode);
  const creates = createCreates(prisma, config.idempotencyKeyTtlSeconds, (error) =>
    app.log.warn({ err: error }, 'could not delete expired idempotency keys'),
  );
  const module = definition.createModule(prisma, cache, creates);
  // switched at runtime by the load lab (PUT /admin/settings); read by each new request
  const settings = { batching: true };
  const applySettings = (patch: Partial<RuntimeSettings>) => {
    if (patch.cacheMode) cache.mode = patch.cacheMode;
    if (patch.batching !== undefined) settings.batching = patch.batching;
  };
  app.decorateRequest('cacheReader', null);
  app.addHook('onRequest', async (request) => {
    request.cacheReader = cache.readerForRequest(request.timing, request.cancellation);
  });
  // REST reads tell the gateway which tokens they were built from, as GraphQL does in extensions
  app.addHook('onSend', async (request, reply) => {
    const reader = request.cacheReader;
    if (
      request.method === 'GET' &&
      reply.statusCode === 200 &&
      reader?.complete &&
      cache.policy.dependencies &&
      Object.keys(reader.dependencies).length
    ) {
      reply.header(DEPENDENCIES_HEADER, encodeDependencies(reader.dependencies));
    }
  });
  const schema = buildSubgraphSchema({
    typeDefs: parse(readFileSync(definition.schemaFile, 'utf8')),
    // the resolver map is typed by its own context; buildSubgraphSchema takes any
    resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
  });
  await mountGraphQL<Context>(app, {
    schema,
    development: config.development,
    context: async (request) =>
      ({
        ...definition.createContext(module, request.cacheReader, settings),
        creates: createContextOf(request.headers),
      }) as Context,
    plugins: [idempotencyPlugin<Context>()],
    limits: config.graphqlLimits,
    // the gateway composes from the SDL files (or the _service field, which is not introspection)
    introspection: config.introspection,
    // the tokens an answer was built from, for the gateway's response cache
    responseExtensions: ({ cacheReader }) =>
      cacheReader?.complete && cache.policy.dependencies ? { cacheDependencies: cacheReader.dependencies } : undefined,
  });
  definition.registerRest(app, module);
  // the entity layer's counts, for the gateway's /cache inspector and for /metrics
  app.get('/cache/stats', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    return { ...cache.stats, mode: cache.mode, store: store.kind };
  });
  app.get('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    return { cacheMode: cache.mode, batching: settings.batching } satisfies RuntimeSettings;
  });
  app.put('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    const patch = parseSettingsPatch(request.body);
    applySettings(patch);
    if (Object.keys(patch).length) {
      request.log.info({ settings: patch }, 'runtime settings changed');
      options.onSettingsChanged?.(patch);
    }
    return { cacheMode: cache.mode, batching: settings.batching } satisfies RuntimeSettings;
  });
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state (waiting: requests queued for a connection)',
    labelNames: ['state'] as const,
    registers: [app.metrics],
    collect() {
      const stats = poolStats(prisma);
      if (!stats) return;
      this.set({ state: 'open' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'in_use' }, stats.total - stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  new Counter({
    name: 'cache_requests_total',
    help: 'Entity cache lookups by result',
    labelNames: ['layer', 'result'] as const,
    registers: [app.metrics],
    collect() {
      this.reset();
      this.inc({ layer: 'entity', result: 'hit' }, cache.stats.hits);
      this.inc({ layer: 'entity', result: 'miss' }, cache.stats.misses);
    },
  });

  return {
    name: definition.name,
    app,
    prisma,
    cache,
    applySettings,
    listen: (port?: number, host?: string) => listenUrl(app, port, host),
    async close() {
      creates.close();
      await app.close();
      if (!options.prisma) await prisma.$disconnect();
      if (!options.cacheStore) await store.close();
    },
  };
}

/**
 * A subgraph's `main.ts`: reads the configuration, listens on its port, stops cleanly on
 * SIGINT/SIGTERM. Configuration errors end the process with one line.
 */
export async function runSubgraphMain(
  name: 'items' | 'reviews' | 'photos',
  create: (config: Config, options?: SubgraphServiceOptions) => Promise<SubgraphService>,
): Promise<void> {
  let config: Config;
  try {
    config = readConfig();
    requireDatabaseUrl(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(name, config.workers);
  // a worker passes settings changes to its siblings through the primary, and applies theirs
  const worker = cluster.isWorker ? process : null;
  const service = await create(
    config,
    worker ? { onSettingsChanged: (patch) => worker.send?.({ type: 'settings', patch }) } : {},
  );
  worker?.on('message', (message: { type?: string; patch?: Partial<RuntimeSettings> }) => {
    if (message?.type === 'settings' && message.patch) service.applySettings(message.patch);
  });
  const url = await service.listen(config.ports[name], config.host);
  service.app.log.info(
    `${name} subgraph listening at ${url}/graphql (REST under ${url}/api)${cluster.isWorker ? `, worker ${cluster.worker?.id}` : ''}`,
  );
  onStopSignal(async (signal) => {
    service.app.log.info(`${signal}: draining and shutting down`);
    await drainAndClose(service.app, () => service.close(), config.shutdown);
  });
}

/**
 * WORKERS > 1: this process only forks the workers (they share the port: node:cluster), relays
 * settings changes between them, restarts one that dies, and on SIGINT/SIGTERM lets each drain.
 */
function runPrimary(name: string, count: number): void {
  let stopping = false;
  const start = () => {
    const worker = cluster.fork();
    worker.on('message', (message: { type?: string }) => {
      if (message?.type !== 'settings') return;
      for (const sibling of Object.values(cluster.workers ?? {}))
        if (sibling && sibling !== worker) sibling.send(message);
    });
  };
  for (let i = 0; i < count; i++) start();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`${name}: worker ${worker.id} exited (${signal ?? code}); starting another`);
    start();
  });
  onStopSignal(async (signal) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.process.kill(signal);
          }),
      ),
    );
  });
}

export {
  answerCreate,
  createdRecord,
  graphqlCreate,
  inTransaction,
  type CreateRequest,
  type CreateResult,
  type Creates,
  type WriteClient,
} from './creates.ts';
export type { CreateContext } from '@supergraph-lab/http';
