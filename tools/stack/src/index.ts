export {
  graphql,
  graphqlByGet,
  graphqlPaths,
  metricValue,
  redisKeys,
  rest,
  reviewsTitled,
  busiestItem,
  type GraphQLResult,
  type RestResult,
} from './client.ts';
import { readConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from '@supergraph-lab/config';
import { createGatewayService, type GatewayService } from '@supergraph-lab/gateway';
import { createItemsService } from '@supergraph-lab/items-subgraph';
import { createPhotosService } from '@supergraph-lab/photos-subgraph';
import { createReviewsService } from '@supergraph-lab/reviews-subgraph';
import type { SubgraphService } from '@supergraph-lab/subgraph';

const FACTORIES = { items: createItemsService, reviews: createReviewsService, photos: createPhotosService } as const;

/** The whole API, started in this process on free ports. */
export interface Stack {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  subgraphs: Record<SubgraphName, SubgraphService>;
  gateway: GatewayService;
  close(): Promise<void>;
}

export interface StackOptions {
  databaseUrl: string;
  /** Sees every SQL statement any subgraph sends, tagged with the subgraph's name. */
  onQuery?: (subgraph: SubgraphName, sql: string) => void;
  /** Sees the headers of every request arriving at a subgraph. */
  onSubgraphRequest?: (subgraph: SubgraphName, headers: Record<string, string | string[] | undefined>) => void;
  /** Environment overrides on top of the defaults (LOG_LEVEL defaults to silent). */
  env?: Record<string, string>;
}

/** Starts the three subgraphs and the gateway, each on port 0, and wires them together. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const config: Config = readConfig({
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    // outbox replays at start only: a replay in the background would land in tests that count statements
    CACHE_REPLAY_INTERVAL_MS: '0',
    ...options.env,
    DATABASE_URL: options.databaseUrl,
  });
  const subgraphs = {} as Record<SubgraphName, SubgraphService>;
  const subgraphUrls = {} as Record<SubgraphName, string>;
  try {
    for (const name of SUBGRAPH_NAMES) {
      const onQuery = options.onQuery;
      subgraphs[name] = await FACTORIES[name](config, onQuery ? { onQuery: (sql) => onQuery(name, sql) } : {});
      const onRequest = options.onSubgraphRequest;
      if (onRequest) subgraphs[name].app.addHook('onRequest', async (request) => onRequest(name, request.headers));
      subgraphUrls[name] = await subgraphs[name].listen(0);
    }
    const gateway = await createGatewayService(config, { subgraphUrls });
    const gatewayUrl = await gateway.listen(0);
    return {
      gatewayUrl,
      subgraphUrls,
      subgraphs,
      gateway,
      async close() {
        await gateway.close();
        await Promise.all(Object.values(subgraphs).map((service) => service.close()));
      },
    };
  } catch (error) {
    await Promise.all(Object.values(subgraphs).map((service) => service.close().catch(() => {})));
    throw error;
  }
}
