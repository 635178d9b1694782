import path from 'node:path';
import type { Config } from '@supergraph-lab/config';
import { createSubgraphService, type SubgraphService, type SubgraphServiceOptions } from '@supergraph-lab/subgraph';
import { createItemsModule, type ItemsModule } from './items.ts';
import { createItemLoaders } from './loaders.ts';
import { resolvers, type ItemsContext } from './resolvers.ts';
import { registerItemRoutes } from './rest.ts';

/** The subgraph's SDL, also read by the gateway's static composition. */
export const ITEMS_SCHEMA_FILE = path.resolve(import.meta.dirname, '../schema.graphql');

/** The items subgraph: owns `Item`, serves `/graphql` and `/api/items...`. Not yet listening. */
export function createItemsService(config: Config, options: SubgraphServiceOptions = {}): Promise<SubgraphService> {
  return createSubgraphService<ItemsModule, ItemsContext>(
    {
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
    },
    config,
    options,
  );
}
