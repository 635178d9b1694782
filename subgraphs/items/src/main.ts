// The items subgraph as a process: ITEMS_PORT (default 4001), DATABASE_URL required.
import { runSubgraphMain } from '@supergraph-lab/subgraph';
import { createItemsService } from './service.ts';

await runSubgraphMain('items', createItemsService);
