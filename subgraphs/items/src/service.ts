import path from 'node:path';
import type { Config } from '@supergraph-lab/config';
import {
  createSubgraphService,
  type SubgraphDefinition,
  type SubgraphService,
  type SubgraphServiceOptions,
} from '@supergraph-lab/subgraph';
import { createItemsModule, type ItemsModule } from './items.ts';
import { createItemLoaders } from './loaders.ts';
import { resolvers, type ItemsContext } from './resolvers.ts';
import { registerItemRoutes } from './rest.ts';

/** The subgraph's SDL, also read by the gateway's static composition. */
export const ITEMS_SCHEMA_FILE = path.resolve(import.meta.dirname, '../schema.graphql');

/** What makes this subgraph what it is (its schema, resolvers, module, loaders, routes): its service's and the monolith's. */
export function itemsSubgraph(): SubgraphDefinition<ItemsModule, ItemsContext> {
  return {
    name: 'items',
    schemaFile: ITEMS_SCHEMA_FILE,
    resolvers,
    createModule: createItemsModule,
    createContext: (items, cacheReader, settings) => ({
      items,
      cacheReader,
      loaders: createItemLoaders(items, cacheReader, settings.batching),
    }),
    registerRest: registerItemRoutes,
  };
}

/** The items subgraph: owns `Item`, serves `/graphql` and `/api/items...`. Not yet listening. */
export function createItemsService(config: Config, options: SubgraphServiceOptions = {}): Promise<SubgraphService> {
  return createSubgraphService(itemsSubgraph(), config, options);
}
