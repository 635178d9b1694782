import path from 'node:path';
import type { Config } from '@supergraph-lab/config';
import {
  createSubgraphService,
  type SubgraphDefinition,
  type SubgraphService,
  type SubgraphServiceOptions,
} from '@supergraph-lab/subgraph';
import { createPhotosModule, type PhotosModule } from './photos.ts';
import { createPhotoLoaders } from './loaders.ts';
import { resolvers, type PhotosContext } from './resolvers.ts';
import { registerPhotoRoutes } from './rest.ts';

/** The subgraph's SDL, also read by the gateway's static composition. */
export const PHOTOS_SCHEMA_FILE = path.resolve(import.meta.dirname, '../schema.graphql');

/** What makes this subgraph what it is (its schema, resolvers, module, loaders, routes): its service's and the monolith's. */
export function photosSubgraph(config: Config): SubgraphDefinition<PhotosModule, PhotosContext> {
  return {
    name: 'photos',
    schemaFile: PHOTOS_SCHEMA_FILE,
    resolvers,
    createModule: (prisma, cache, writes) => createPhotosModule(prisma, cache, writes, config.imageHosts),
    createContext: (photos, cacheReader, settings) => ({
      photos,
      cacheReader,
      loaders: createPhotoLoaders(photos, cacheReader, settings.batching),
    }),
    registerRest: registerPhotoRoutes,
  };
}

/** The photos subgraph: owns `Photo`, adds the gallery to `Item`, serves `/graphql` and the photo routes. Not yet listening. */
export function createPhotosService(config: Config, options: SubgraphServiceOptions = {}): Promise<SubgraphService> {
  return createSubgraphService(photosSubgraph(config), config, options);
}
