export {
  createPrismaClient,
  databaseOf,
  dialectOfClient,
  poolStats,
  PrismaClient,
  type Item,
  type Photo,
  type PrismaOptions,
  type Review,
} from './client.ts';
export {
  connect,
  connectMariaDb,
  ConnectionError,
  databaseIdentity,
  databaseUrlFromEnv,
  shopCounts,
  showcaseItemId,
  type ShopCounts,
} from './connection.ts';
export {
  checksumOf,
  MARIADB_MIGRATIONS_DIR,
  migrate,
  migrateDatabase,
  migrateMariaDb,
  MigrationError,
  MIGRATIONS_DIR,
  readMigrations,
  type MigrateResult,
} from './migrate.ts';
export {
  itemExists,
  lockItem,
  itemsByIds,
  itemsPage,
  photosByIds,
  photosOfItems,
  probeRead,
  REVIEW_SORTS,
  reviewKeyset,
  reviewFirstPagesAndSummaries,
  reviewPages,
  reviewsByIds,
  reviewSummaries,
  type ReviewKeyset,
  type ReviewSort,
  type ReviewSummary,
} from './queries.ts';
export { biasedItemId } from './workload.ts';
export { DIALECTS, dialectOf, type Dialect, type Session } from './dialects/index.ts';
export {
  deleteInvalidations,
  pendingInvalidations,
  recordInvalidation,
  type PendingInvalidation,
} from './invalidations.ts';
export {
  createUnderKey,
  deleteExpiredKeys,
  type IdempotencyKey,
  type KeyedOutcome,
  type StoredAnswer,
  type TransactionClient,
} from './idempotency.ts';
