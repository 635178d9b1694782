// The photos subgraph as a process: PHOTOS_PORT (default 4003), DATABASE_URL required.
import { runSubgraphMain } from '@supergraph-lab/subgraph';
import { createPhotosService } from './service.ts';

await runSubgraphMain('photos', createPhotosService);
