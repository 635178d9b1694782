import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { formatGraphQLError } from './errors.ts';

/** How to serve GraphQL on a service's Fastify server. */
export interface GraphQLMountOptions<Context extends BaseContext> {
  schema?: GraphQLSchema;
  gateway?: GatewayInterface;
  /** Builds the per-request context: where per-request DataLoaders are made. */
  context: (request: FastifyRequest) => Promise<Context>;
  development: boolean;
  plugins?: ApolloServerPlugin<Context>[];
  /** Automatic persisted queries: where their hashes are kept. */
  persistedQueries?: { cache: import('@apollo/utils.keyvaluecache').KeyValueCache<string>; ttl?: number };
  /** Served instead of GraphQL when a browser asks `GET /graphql` for HTML (the Playground). */
  browserPage?: () => string;
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
  const plugins = [
    fastifyApolloDrainPlugin(app) as ApolloServerPlugin<Context>,
    ApolloServerPluginLandingPageDisabled() as ApolloServerPlugin<Context>,
    // federated tracing is for Apollo Studio, which this project never reports to
    ApolloServerPluginInlineTraceDisabled() as ApolloServerPlugin<Context>,
    ...(options.plugins ?? []),
  ];
  const formatError = formatGraphQLError(options.development, (error) => app.log.error({ err: error }, 'unexpected GraphQL error'));
  const apollo = options.gateway
    ? new ApolloServer<Context>({
        gateway: options.gateway,
        plugins,
        formatError,
        includeStacktraceInErrorResponses: options.development,
        ...(options.persistedQueries ? { persistedQueries: options.persistedQueries } : {}),
      })
    : new ApolloServer<Context>({ schema: options.schema!, plugins, formatError, includeStacktraceInErrorResponses: options.development });
  await apollo.start();
  const handler = fastifyApolloHandler(apollo, { context: async (request) => options.context(request) });
  app.route({ method: ['POST', 'OPTIONS'], url: '/graphql', handler });
  app.get('/graphql', async (request, reply) => {
    if (options.browserPage && prefersHtml(request.headers.accept)) {
      return reply.type('text/html; charset=utf-8').send(options.browserPage());
    }
    return handler.call(app, request as never, reply as never);
  });
  return apollo;
}

function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.search(/application\/(graphql-response\+)?json/);
  return html !== -1 && (json === -1 || html < json);
}
