import path from 'node:path';
import type { Config } from '@supergraph-lab/config';
import {
  createSubgraphService,
  type SubgraphDefinition,
  type SubgraphService,
  type SubgraphServiceOptions,
} from '@supergraph-lab/subgraph';
import { createReviewsModule, type ReviewsModule } from './reviews.ts';
import { createReviewLoaders } from './loaders.ts';
import { resolvers, type ReviewsContext } from './resolvers.ts';
import { registerReviewRoutes } from './rest.ts';

/** The subgraph's SDL, also read by the gateway's static composition. */
export const REVIEWS_SCHEMA_FILE = path.resolve(import.meta.dirname, '../schema.graphql');

/** What makes this subgraph what it is (its schema, resolvers, module, loaders, routes): its service's and the monolith's. */
export function reviewsSubgraph(): SubgraphDefinition<ReviewsModule, ReviewsContext> {
  return {
    name: 'reviews',
    schemaFile: REVIEWS_SCHEMA_FILE,
    resolvers,
    createModule: createReviewsModule,
    createContext: (reviews, cacheReader, settings) => ({
      reviews,
      cacheReader,
      loaders: createReviewLoaders(reviews, cacheReader, settings.batching),
    }),
    registerRest: registerReviewRoutes,
  };
}

/** The reviews subgraph: owns `Review`, adds reviews to `Item`, serves `/graphql` and the review routes. Not yet listening. */
export function createReviewsService(config: Config, options: SubgraphServiceOptions = {}): Promise<SubgraphService> {
  return createSubgraphService(reviewsSubgraph(), config, options);
}
