// What the three subgraph services share: the factory (service.ts), the process around it
// (main.ts), admin routes, metrics, the DateTime scalar, and the writes: each with its cache
// invalidation made durable (writes.ts), creates with Idempotency-Key (creates.ts).
export {
  createModulesService,
  createSubgraphService,
  type ModulesDefinition,
  type RequestContext,
  type SubgraphDefinition,
  type SubgraphService,
  type SubgraphServiceOptions,
} from './service.ts';
export { runSubgraphMain } from './main.ts';
export { DateTimeScalar } from './scalars.ts';
export { itemChildWrites, type ItemChild } from './children.ts';
export { answerCreate, createdRecord, graphqlCreate, type CreateRequest, type CreateResult } from './creates.ts';
export { createWrites, type Writes, type WritesOptions } from './writes.ts';
export { CRASH_BEFORE_INVALIDATION_HEADER } from './crash.ts';
export type { CreateContext } from '@supergraph-lab/http';
