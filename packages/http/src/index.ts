export {
  AppError,
  badInput,
  classifyError,
  conflict,
  formatGraphQLError,
  notFound,
  orItemNotFound,
  orNotFound,
  toGraphQLError,
  toProblem,
  unavailable,
  type ErrorCode,
  type FieldProblem,
  type Problem,
} from './errors.ts';
export {
  decodeCursor,
  encodeCursor,
  nonNegativeInt,
  parseFirst,
  parseId,
  parseInput,
  requiredText,
  text,
  withoutNulls,
  type TextLines,
} from './input.ts';
export { createHttpServer, listenUrl, sendProblem, type HttpServerOptions } from './server.ts';
export { cacheLookupsMetric, countsMetric, memoryStoreMetrics, scrapeGauge } from './metrics.ts';
export { created, jsonBody } from './rest.ts';
export { drainAndClose, onStopSignal, serveUntilStopped, type DrainOptions, type ServedService } from './shutdown.ts';
export { mountGraphQL, type GraphQLMountOptions } from './graphql.ts';
export { gatewayExecutor, type LeanOperation, type PlanRunner } from './lean-queries.ts';
export {
  adminCall,
  bearerToken,
  isAdmin,
  parseSettingsPatch,
  refuseAdmin,
  tokenMatches,
  type AdminAnswer,
  type RuntimeSettings,
} from './admin.ts';
export {
  operationCost,
  operationDepth,
  queryLimits,
  queryLimitsPlugin,
  type LimitsCheck,
  type QueryLimits,
} from './limits.ts';
export {
  createContextOf,
  fingerprintOf,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyPlugin,
  idempotencyKeyInUse,
  idempotencyKeyReused,
  IDEMPOTENT_REPLAYED_HEADER,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  parseIdempotencyKey,
  type CreateContext,
} from './idempotency.ts';
export { crossSiteReason, forbid, guardRoutes, hostAllowed, type GuardOptions } from './guard.ts';
