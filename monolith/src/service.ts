import { readFileSync } from 'node:fs';
import type { Config } from '@supergraph-lab/config';
import { composeSupergraph, readSubgraphSources } from '@supergraph-lab/gateway/supergraph';
import { itemsSubgraph } from '@supergraph-lab/items-subgraph';
import { photosSubgraph } from '@supergraph-lab/photos-subgraph';
import { reviewsSubgraph } from '@supergraph-lab/reviews-subgraph';
import {
  createModulesService,
  type RequestContext,
  type SubgraphDefinition,
  type SubgraphService,
  type SubgraphServiceOptions,
} from '@supergraph-lab/subgraph';
import { monolithSchema, type MonolithContext } from './schema.ts';

/**
 * The monolith: the supergraph's API schema (the one the gateway serves) over the three
 * subgraphs' own modules, loaders and resolvers in one process, with one database pool, entity
 * cache and set of writes, and every subgraph's REST routes. No gateway, no hops: the baseline
 * federation is measured against. Not yet listening.
 */
export function createMonolithService(config: Config, options: SubgraphServiceOptions = {}): Promise<SubgraphService> {
  const definitions: SubgraphDefinition<unknown, RequestContext>[] = [
    itemsSubgraph(),
    reviewsSubgraph(),
    photosSubgraph(config),
  ];
  return createModulesService<MonolithContext>(
    {
      name: 'monolith',
      definitions,
      schema: () =>
        monolithSchema(
          // composed as the gateway composes it; the URLs go unused
          composeSupergraph(readSubgraphSources(config.subgraphUrls)),
          definitions.map((definition) => ({
            name: definition.name,
            sdl: readFileSync(definition.schemaFile, 'utf8'),
            resolvers: definition.resolvers,
          })),
        ),
      context: (contexts) => ({
        // one reader and one create per request, which every subgraph's context shares
        cacheReader: contexts[0]!.cacheReader,
        creates: contexts[0]!.creates,
        subgraphs: Object.fromEntries(definitions.map((definition, i) => [definition.name, contexts[i]!])),
        views: new WeakMap(),
      }),
    },
    config,
    options,
  );
}
