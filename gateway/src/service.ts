import type { AddressInfo } from 'node:net';
import { ApolloGateway, IntrospectAndCompose } from '@apollo/gateway';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@supergraph-lab/config';
import { createHttpServer, mountGraphQL } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { Agent, request as undiciRequest } from 'undici';
import { SubgraphDataSource, type GatewayContext } from './datasource.ts';
import { registerPlaygroundAssets, renderPlayground } from './playground.ts';
import { registerRestProxy } from './rest-proxy.ts';
import { composeSupergraph, readSubgraphSources } from './supergraph.ts';

/** A gateway ready to listen. */
export interface GatewayService {
  app: FastifyInstance;
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

  const supergraphSdl = config.supergraphMode === 'static' ? composeSupergraph(readSubgraphSources(urls)) : null;
  const gateway = new ApolloGateway({
    supergraphSdl:
      supergraphSdl ??
      new IntrospectAndCompose({ subgraphs: SUBGRAPH_NAMES.map((name) => ({ name, url: `${urls[name]}/graphql` })) }),
    buildService: ({ name, url }) => new SubgraphDataSource(name, url!, agent, config.subgraphTimeoutMs),
  });

  const app = createHttpServer({
    name: 'gateway',
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    readiness: Object.fromEntries(
      SUBGRAPH_NAMES.map((name) => [
        name,
        async () => {
          const response = await undiciRequest(`${urls[name]}/readyz`, { dispatcher: agent, headersTimeout: 2000, bodyTimeout: 2000 });
          await response.body.dump();
          if (response.statusCode !== 200) throw new Error(`readyz answered ${response.statusCode}`);
        },
      ]),
    ),
  });
  const playground = renderPlayground('/graphql');
  await mountGraphQL<GatewayContext>(app, {
    gateway,
    development: config.development,
    context: async (request) => ({ requestId: request.id }),
    browserPage: () => playground,
  });
  registerPlaygroundAssets(app);
  registerRestProxy(app, urls, agent, config.subgraphTimeoutMs);

  return {
    app,
    supergraphSdl,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      return `http://${host}:${(app.server.address() as AddressInfo).port}`;
    },
    async close() {
      await app.close();
      await agent.close();
    },
  };
}
