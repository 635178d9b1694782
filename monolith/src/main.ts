// The monolith as a process: MONOLITH_PORT (default 4005), DATABASE_URL required.
import { runSubgraphMain } from '@supergraph-lab/subgraph';
import { createMonolithService } from './service.ts';

await runSubgraphMain('monolith', createMonolithService, (config) => config.ports.monolith);
