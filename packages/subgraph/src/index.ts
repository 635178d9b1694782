// What the three subgraph services share: the factory (service.ts), the process around it
// (main.ts), admin routes, metrics, the DateTime scalar, and creates with Idempotency-Key.
export {
  createSubgraphService,
  type RequestContext,
  type SubgraphDefinition,
  type SubgraphService,
  type SubgraphServiceOptions,
} from './service.ts';
export { runSubgraphMain } from './main.ts';
export { DateTimeScalar } from './scalars.ts';
export { itemChildWrites, type ItemChild } from './children.ts';
export {
  answerCreate,
  createCreates,
  createdRecord,
  graphqlCreate,
  inTransaction,
  type CreateRequest,
  type CreateResult,
  type Creates,
  type WriteClient,
} from './creates.ts';
export type { CreateContext } from '@supergraph-lab/http';
