import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { requireDatabaseUrl, type Config } from '@supergraph-lab/config';
import { createPrismaClient, probeRead, type PrismaClient } from '@supergraph-lab/db';
import {
  createConfiguredStore,
  createSubgraphCache,
  DEPENDENCIES_HEADER,
  encodeDependencies,
  type CacheStore,
  type SubgraphCache,
  type SwitchableStore,
  type VersionReader,
} from '@supergraph-lab/cache';
import {
  createContextOf,
  createHttpServer,
  idempotencyPlugin,
  listenUrl,
  mountGraphQL,
  type CreateContext,
  type RuntimeSettings,
} from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { parse, type GraphQLSchema } from 'graphql';
import { registerSubgraphAdmin } from './admin.ts';
import { armCrashBeforeInvalidation } from './crash.ts';
import { createWrites, type Writes } from './writes.ts';
import { registerSubgraphMetrics } from './metrics.ts';

/** The resolver map buildSubgraphSchema takes (Apollo's GraphQLResolverMap, exported only from a dist path). */
type ApolloResolverMap = Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>['resolvers'];

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
  /** The subgraph's generated `Resolvers` (scripts/graphql-codegen.mjs), typed there by schema.graphql and its context. */
  resolvers: { [typeName: string]: object | undefined };
  /** The subgraph's module: every read and write, made once per service. */
  createModule(prisma: PrismaClient, cache: SubgraphCache, writes: Writes): Module;
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
    cacheReader: VersionReader | null;
  }
}

/** Builds a subgraph service (not yet listening): `createXService(config)` in each subgraph. */
export function createSubgraphService<Module, Context extends RequestContext>(
  definition: SubgraphDefinition<Module, Context>,
  config: Config,
  options: SubgraphServiceOptions = {},
): Promise<SubgraphService> {
  return createModulesService<Context>(
    {
      name: definition.name,
      definitions: [definition],
      schema: () =>
        buildSubgraphSchema({
          typeDefs: parse(readFileSync(definition.schemaFile, 'utf8')),
          // checked against schema.graphql by its generated types; Apollo's own map type is looser (any context)
          resolvers: definition.resolvers as ApolloResolverMap,
        }),
      context: ([context]) => context as Context,
    },
    config,
    options,
  );
}

/**
 * What one process serves: the modules of one subgraph (a subgraph service) or of every
 * subgraph in one schema (the monolith), on one database pool, cache and set of writes.
 */
export interface ModulesDefinition<Context extends RequestContext> {
  name: string;
  definitions: readonly SubgraphDefinition<unknown, RequestContext>[];
  /** The executable schema the process serves. */
  schema(): GraphQLSchema;
  /** A request's GraphQL context from each definition's (in their order), which share `cacheReader` and `creates`. */
  context(contexts: RequestContext[]): Context;
}

/** Builds a service (not yet listening) running the modules of `served.definitions` behind one GraphQL schema and their REST routes. */
export async function createModulesService<Context extends RequestContext>(
  served: ModulesDefinition<Context>,
  config: Config,
  options: SubgraphServiceOptions = {},
): Promise<SubgraphService> {
  // every statement this service's client sends, Prisma's and the hot reads' (db_statements_total);
  // a client passed in was made without the hook, so its statements go uncounted (no series)
  const statements = { count: 0 };
  const onQuery = options.onQuery;
  const prisma =
    options.prisma ??
    createPrismaClient(requireDatabaseUrl(config), {
      poolSize: config.dbPoolSize,
      idleTimeoutMs: config.dbPoolIdleSeconds * 1000,
      // no statement outlives its request's deadline by more than the deadline itself
      statementTimeoutMs: config.requestTimeoutMs,
      onQuery: onQuery
        ? (sql) => {
            statements.count++;
            onQuery(sql);
          }
        : () => {
            statements.count++;
          },
    });
  const app = createHttpServer({
    name: served.name,
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    readiness: { database: () => probeRead(prisma) },
  });
  // a store a test passes in serves as it is; the configured one switches (the lab's cache store)
  const store: CacheStore & Partial<SwitchableStore> =
    options.cacheStore ?? createConfiguredStore(config, (message) => app.log.warn(message));
  const cache = createSubgraphCache(store, config.cacheMode);
  const writes = createWrites(prisma, cache, {
    idempotencyKeyTtlSeconds: config.idempotencyKeyTtlSeconds,
    replayIntervalMs: config.cacheReplayIntervalMs,
    onError: (message, error) => app.log.warn({ err: error }, message),
  });
  if (config.testCrashAfterCommit) armCrashBeforeInvalidation(app);
  const modules = served.definitions.map((definition) => definition.createModule(prisma, cache, writes));
  // BATCHING at start, switched at runtime by the load lab (PUT /admin/settings); read by each new request
  const settings = { batching: config.batching };
  const applySettings = (patch: Partial<RuntimeSettings>) => {
    if (patch.cacheMode) cache.mode = patch.cacheMode;
    if (patch.cacheStore) store.use?.(patch.cacheStore);
    if (patch.batching !== undefined) settings.batching = patch.batching;
  };
  app.decorateRequest('cacheReader', null);
  app.addHook('onRequest', (request, _reply, done) => {
    request.cacheReader = cache.readerForRequest(request.timing, request.cancellation);
    done();
  });
  // REST reads tell the gateway which tokens they were built from, as GraphQL does in extensions
  app.addHook('onSend', (request, reply, payload, done) => {
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
    done(null, payload);
  });
  await mountGraphQL<Context>(app, {
    schema: served.schema(),
    development: config.development,
    context: async (request) => {
      const creates = createContextOf(request.headers);
      return served.context(
        served.definitions.map((definition, i) => ({
          ...definition.createContext(modules[i], request.cacheReader, settings),
          creates,
        })),
      );
    },
    plugins: [idempotencyPlugin<Context>()],
    limits: config.graphqlLimits,
    leanDocumentCacheBytes: config.leanDocumentCacheBytes,
    bodyLimitBytes: config.graphqlBodyLimitBytes,
    // the gateway composes from the SDL files (or the _service field, which is not introspection)
    introspection: config.introspection,
    // the tokens an answer was built from, for the gateway's response cache
    responseExtensions: ({ cacheReader }) =>
      cacheReader?.complete && cache.policy.dependencies ? { cacheDependencies: cacheReader.dependencies } : undefined,
  });
  served.definitions.forEach((definition, i) => definition.registerRest(app, modules[i]));
  registerSubgraphAdmin(app, config, {
    cache,
    store,
    settings,
    applySettings,
    onSettingsChanged: options.onSettingsChanged,
  });
  registerSubgraphMetrics(app, prisma, cache, options.prisma ? null : statements);

  return {
    name: served.name,
    app,
    prisma,
    cache,
    applySettings,
    async listen(port?: number, host?: string) {
      // what a process that died left behind is applied before this one serves (it may be that process)
      await writes.replay();
      return listenUrl(app, port, host);
    },
    async close() {
      await app.close();
      // after the drain: the last writes' rows are deleted before the pool closes
      await writes.close();
      if (!options.prisma) await prisma.$disconnect();
      if (!options.cacheStore) await store.close();
    },
  };
}
