import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { Counter } from 'prom-client';
import { formatGraphQLError } from './errors.ts';
import { gatewayExecutor, leanQueries, type DocumentCacheUsage, type PlanRunner } from './lean-queries.ts';
import { queryLimits, queryLimitsPlugin, type QueryLimits } from './limits.ts';
import { histogramMetric, scrapeGauge } from './metrics.ts';

/** How to serve GraphQL on a service's Fastify server. */
export interface GraphQLMountOptions<Context extends BaseContext> {
  schema?: GraphQLSchema;
  gateway?: GatewayInterface;
  /** The gateway's own runner of the query plans its executor made, for the lean path (see PlanRunner). */
  runPlan?: PlanRunner<Context>;
  /** Builds the per-request context: where per-request DataLoaders are made. */
  context: (request: FastifyRequest) => Promise<Context>;
  development: boolean;
  plugins?: ApolloServerPlugin<Context>[];
  /** Extensions added to every answer without errors (a response's cache dependencies). */
  responseExtensions?: (context: Context) => Record<string, unknown> | undefined;
  /**
   * Whether the lean path may take a page query now (always, when not given): the gateway's
   * whole-response cache lives in an Apollo plugin, so queries go to Apollo Server while it serves.
   */
  leanWhen?: () => boolean;
  /** Headers on every answer of the lean path (the gateway's `x-cache: BYPASS`, as its plugin says on Apollo's). */
  leanHeaders?: Record<string, string>;
  /** Automatic persisted queries: where their hashes are kept. */
  persistedQueries?: { cache: import('@apollo/utils.keyvaluecache').KeyValueCache<string>; ttl?: number };
  /** Served instead of GraphQL when a browser asks `GET /graphql` for HTML (the Playground). */
  browserPage?: () => string | Promise<string>;
  /** Depth, cost, alias and token limits, enforced before anything executes. */
  limits: QueryLimits;
  /** Query text the lean path keeps parsed, in bytes (LEAN_DOCUMENT_CACHE_BYTES). */
  leanDocumentCacheBytes: number;
  /** The largest request body `/graphql` takes (smaller than REST's: a document is hand-written text). */
  bodyLimitBytes?: number;
  introspection: boolean;
}

/**
 * Starts an Apollo Server on `app` at `/graphql`: deliberate errors keep their code, unexpected
 * ones are masked; no landing page from a CDN (the gateway serves its own Playground); CSRF
 * prevention stays on; closing the app drains in-flight operations.
 */
export async function mountGraphQL<Context extends BaseContext>(
  app: FastifyInstance,
  options: GraphQLMountOptions<Context>,
): Promise<ApolloServer<Context>> {
  const checkLimits = queryLimits(options.limits, limitAnalyses(app));
  const metrics = operationMetrics<Context>(app);
  const plugins = [
    fastifyApolloDrainPlugin(app) as ApolloServerPlugin<Context>,
    ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<Context>,
    // federated tracing is for Apollo Studio, which this project never reports to
    ApolloServerPluginInlineTraceDisabled() as ApolloServerPlugin<Context>,
    // Apollo's cache-control hints wrap every field resolver in a hook; this project caches
    // with version tokens instead, so the per-field cost buys nothing (docs/benchmarks.md, "CPU per page")
    ApolloServerPluginCacheControlDisabled() as ApolloServerPlugin<Context>,
    ApolloServerPluginUsageReportingDisabled() as ApolloServerPlugin<Context>,
    queryLimitsPlugin<Context>(checkLimits),
    metrics.plugin,
    ...(options.responseExtensions ? [extensionsPlugin(options.responseExtensions)] : []),
    ...(options.plugins ?? []),
  ];
  const formatError = formatGraphQLError(options.development, (error) =>
    app.log.error({ err: error }, 'unexpected GraphQL error'),
  );
  // a gateway's executor and schema, as Apollo Server is given them, for the lean path
  const loaded: { executor: GatewayExecutor | null; schema: GraphQLSchema | undefined } = {
    executor: null,
    schema: undefined,
  };
  const apollo = options.gateway
    ? new ApolloServer<Context>({
        gateway: observedGateway(options.gateway, loaded),
        plugins,
        formatError,
        introspection: options.introspection,
        parseOptions: { maxTokens: options.limits.maxTokens },
        // the service drains on SIGTERM itself (drainAndClose); Apollo's own handler would stop
        // GraphQL at once and re-raise the signal, cutting requests in flight
        stopOnTerminationSignals: false,
        includeStacktraceInErrorResponses: options.development,
        ...(options.persistedQueries ? { persistedQueries: options.persistedQueries } : {}),
      })
    : new ApolloServer<Context>({
        schema: options.schema!,
        plugins,
        formatError,
        introspection: options.introspection,
        parseOptions: { maxTokens: options.limits.maxTokens },
        stopOnTerminationSignals: false,
        includeStacktraceInErrorResponses: options.development,
      });
  await apollo.start();
  const handler = fastifyApolloHandler(apollo, { context: async (request) => options.context(request) });
  // page queries take the lean path (graphql-js on a subgraph's schema, the executor on the
  // gateway's), the rest Apollo Server's
  const schema = options.schema;
  const lean = leanQueries<Context>({
    schema: schema ? () => schema : () => loaded.schema,
    ...(schema ? {} : { execute: gatewayExecutor<Context>(() => loaded.executor, apollo.logger, options.runPlan) }),
    introspection: options.introspection,
    maxTokens: options.limits.maxTokens,
    checkLimits,
    documentCacheBytes: options.leanDocumentCacheBytes,
    formatError,
    includeStacktrace: options.development,
    responseExtensions: options.responseExtensions,
    observe: metrics.observe,
  });
  documentCacheMetrics(app, lean.documentCache);
  const leanWhen = options.leanWhen ?? (() => true);
  const served = servedBy(app);
  app.route({
    method: ['POST', 'OPTIONS'],
    url: '/graphql',
    ...(options.bodyLimitBytes ? { bodyLimit: options.bodyLimitBytes } : {}),
    async handler(request: FastifyRequest, reply: FastifyReply) {
      const answer =
        request.method === 'POST' && isJson(request.headers['content-type']) && leanWhen()
          ? await lean.answer(request.body, () => options.context(request), request.headers)
          : null;
      if (!answer) {
        served.apollo();
        return handler.call(this, request as never, reply as never);
      }
      served.lean();
      if (options.leanHeaders) reply.headers(options.leanHeaders);
      return reply.code(answer.status).type('application/json; charset=utf-8').send(answer.body);
    },
  });
  app.get('/graphql', async (request, reply) => {
    if (options.browserPage && prefersHtml(request.headers.accept)) {
      return reply.type('text/html; charset=utf-8').send(await options.browserPage());
    }
    served.apollo();
    return handler.call(app, request as never, reply as never);
  });
  return apollo;
}

/**
 * The gateway as Apollo Server sees it, telling `loaded` what Apollo Server is given: the
 * executor from `load()` and each API schema it validates against.
 */
function observedGateway(
  gateway: GatewayInterface,
  loaded: { executor: GatewayExecutor | null; schema: GraphQLSchema | undefined },
): GatewayInterface {
  return {
    async load(options) {
      const result = await gateway.load(options);
      loaded.executor = result.executor;
      return result;
    },
    onSchemaLoadOrUpdate(callback) {
      return gateway.onSchemaLoadOrUpdate((schemaContext) => {
        loaded.schema = schemaContext.apiSchema;
        callback(schemaContext);
      });
    },
    stop: () => gateway.stop(),
  };
}

/** application/json, the one body type Apollo Server's CSRF prevention lets through without a preflight header. */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType);
}

/** Adds `extensions(context)` to each answer without errors. */
function extensionsPlugin<Context extends BaseContext>(
  extensions: (context: Context) => Record<string, unknown> | undefined,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) return;
          const extra = extensions(contextValue);
          if (extra) response.body.singleResult.extensions = { ...response.body.singleResult.extensions, ...extra };
        },
      };
    },
  };
}

function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.search(/application\/(graphql-response\+)?json/);
  return html !== -1 && (json === -1 || html < json);
}

/** `graphql_requests_total{path}`: how many GraphQL requests each path served (a page query should take the lean one). */
function servedBy(app: FastifyInstance): { lean: () => void; apollo: () => void } {
  const counter = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests by the path that served them: "lean" (a known, valid query run by graphql-js directly) or "apollo" (Apollo Server)',
    labelNames: ['path'] as const,
    registers: [app.metrics],
  });
  const lean = counter.labels('lean');
  const apollo = counter.labels('apollo');
  return { lean: () => lean.inc(), apollo: () => apollo.inc() };
}

/** `lean_document_cache_bytes` and `_entries`: what the lean path's document cache holds, read at scrape time. */
function documentCacheMetrics(app: FastifyInstance, usage: () => DocumentCacheUsage): void {
  scrapeGauge(
    app.metrics,
    'lean_document_cache_bytes',
    'Query-text bytes the lean GraphQL path keeps parsed (bounded by LEAN_DOCUMENT_CACHE_BYTES)',
    () => usage().bytes,
  );
  scrapeGauge(
    app.metrics,
    'lean_document_cache_entries',
    'Query texts the lean GraphQL path keeps parsed, or remembers as invalid',
    () => usage().entries,
  );
}

/** Counts the walks of an operation's tree for its depth and cost (cached per document: a repeated query adds none). */
function limitAnalyses(app: FastifyInstance): () => void {
  const counter = new Counter({
    name: 'graphql_limit_analyses_total',
    help: 'Operations whose depth and cost were computed; a repeated document is answered from the verdict cache',
    registers: [app.metrics],
  });
  return () => counter.inc();
}

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;

/**
 * `graphql_operation_duration_seconds` by operation name, type and outcome, for Apollo Server's
 * path (the plugin) and the lean one (`observe`). Names come from clients, so only well-formed
 * ones are kept, and at most 200 of them (the rest are "other").
 */
function operationMetrics<Context extends BaseContext>(app: FastifyInstance) {
  const record = histogramMetric({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by operation name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry: app.metrics,
  });
  const names = new Set<string>();
  const label = (name: string | null | undefined) => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };
  const observe = (seconds: number, name: string | null | undefined, type: string, outcome: 'ok' | 'error') =>
    record(seconds, label(name), type, outcome);
  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, operationName, errors }) {
          observe(
            (performance.now() - started) / 1000,
            operation?.name?.value ?? operationName,
            operation?.operation ?? 'unknown',
            errors?.length ? 'error' : 'ok',
          );
        },
      };
    },
  };
  return { plugin, observe };
}
