export { createPrismaClient, PrismaClient, type Item, type Photo, type PrismaOptions, type Review } from './client.ts';
export { connect, ConnectionError, databaseUrlFromEnv, redactUrl } from './connection.ts';
export { checksumOf, migrate, MigrationError, MIGRATIONS_DIR, readMigrations, type MigrateResult } from './migrate.ts';
