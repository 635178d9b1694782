// The reviews subgraph as a process: REVIEWS_PORT (default 4002), DATABASE_URL required.
import { runSubgraphMain } from '@supergraph-lab/subgraph';
import { createReviewsService } from './service.ts';

await runSubgraphMain('reviews', createReviewsService);
