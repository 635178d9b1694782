import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection as MariaDbConnection } from 'mariadb';
import type pg from 'pg';
import { MigrationError, type Dialect, type MigrationFile, type Migrator, type Session } from './dialects/dialect.ts';
import { dialectOf } from './dialects/index.ts';
import { mariaDb, sessionOf as mariaDbSession } from './dialects/mariadb.ts';
import { postgres, sessionOf as postgresSession } from './dialects/postgres.ts';

export { MigrationError, type MigrationFile };

/** What a run did. */
export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Recorded in the database but absent from the folder (Prisma warns about these too). */
  unknown: string[];
}

/** The repository's migrations folder (Postgres). */
export const MIGRATIONS_DIR = postgres.migrations.dir;
/** MariaDB's migrations folder: the same schema in MySQL's SQL (prisma/mariadb/schema.prisma). */
export const MARIADB_MIGRATIONS_DIR = mariaDb.migrations.dir;

/** sha256 hex of a migration script, as Prisma computes it. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads the migration folders in the order Prisma applies them (by name), for `provider`'s database. */
export function readMigrations(
  dir: string = MIGRATIONS_DIR,
  provider: Dialect['migrations']['provider'] = 'postgresql',
): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  const lockFile = path.join(dir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const found = /provider\s*=\s*"([^"]+)"/.exec(readFileSync(lockFile, 'utf8'))?.[1];
    if (found !== provider) {
      throw new MigrationError(`${lockFile} names provider ${found ?? '(none)'}, expected ${provider}`);
    }
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

/**
 * Applies the pending migrations in order, each in its own transaction together with its
 * `_prisma_migrations` record, under Prisma's advisory lock. Idempotent. Refuses to run when an
 * applied migration's file has changed since, or when Prisma recorded a failed migration.
 */
export function migrate(
  client: pg.Client,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  return migrateOn(postgres, postgresSession(client), options);
}

/**
 * The same for MariaDB (prisma/mariadb/migrations), under Prisma's MySQL lock
 * (`GET_LOCK('prisma_migrate')`). MariaDB commits DDL as it goes, so a migration that fails
 * half-way cannot be rolled back: it is recorded as failed, with the error in `logs`, as Prisma
 * records it, and the next run refuses until it is resolved.
 */
export function migrateMariaDb(
  connection: MariaDbConnection,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  return migrateOn(mariaDb, mariaDbSession(connection), options);
}

/** Migrates the database a URL names with its dialect's migrations, over a connection of its own. */
export async function migrateDatabase(
  url: string,
  options: { log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const dialect = dialectOf(url);
  const session = await dialect.connect(url);
  try {
    return await migrateOn(dialect, session, options);
  } finally {
    await session.end();
  }
}

/**
 * The migrations of this checkout (this image) not yet applied to the database at `url`, in
 * order; none when it is up to date. Reads `_prisma_migrations` only (made empty when missing),
 * without Prisma's lock: what a pod waits on before it starts (deploy/k8s).
 */
export async function pendingMigrations(url: string): Promise<string[]> {
  const dialect = dialectOf(url);
  const { dir, provider, on } = dialect.migrations;
  const session = await dialect.connect(url);
  try {
    const migrator = on(session);
    await migrator.createTable();
    const done = new Set(
      (await migrator.appliedRows())
        .filter((row) => row.finished_at !== null && row.rolled_back_at === null)
        .map((row) => row.migration_name),
    );
    return readMigrations(dir, provider)
      .map((file) => file.name)
      .filter((name) => !done.has(name));
  } finally {
    await session.end();
  }
}

/** A run on `session`, with `dialect`'s statements and its migrations folder (or `options.dir`). */
function migrateOn(
  dialect: Dialect,
  session: Session,
  options: { dir?: string; log?: (line: string) => void },
): Promise<MigrateResult> {
  const { dir, provider, on } = dialect.migrations;
  return run(on(session), readMigrations(options.dir ?? dir, provider), options.log ?? (() => {}));
}

async function run(migrator: Migrator, files: MigrationFile[], log: (line: string) => void): Promise<MigrateResult> {
  await migrator.lock(log);
  try {
    await migrator.createTable();
    const rows = await migrator.appliedRows();
    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} is recorded as failed in _prisma_migrations; ` +
          'resolve it (prisma migrate resolve) before applying more',
      );
    }
    const applied = new Map(rows.filter((row) => row.rolled_back_at === null).map((row) => [row.migration_name, row]));

    const result: MigrateResult = { applied: [], alreadyApplied: [], unknown: [] };
    const localNames = new Set(files.map((file) => file.name));
    result.unknown = [...applied.keys()].filter((name) => !localNames.has(name));
    for (const name of result.unknown)
      log(`warning: ${name} is applied to the database but missing from the migrations folder`);

    for (const file of files) {
      const row = applied.get(file.name);
      if (row) {
        if (row.checksum !== file.checksum) {
          throw new MigrationError(
            `migration ${file.name} was modified after it was applied ` +
              `(recorded checksum ${row.checksum.slice(0, 12)}…, file now ${file.checksum.slice(0, 12)}…); ` +
              'restore the file and put the change in a new migration',
          );
        }
        result.alreadyApplied.push(file.name);
        continue;
      }
      await migrator.applyOne(file);
      result.applied.push(file.name);
      log(`applied ${file.name}`);
    }
    return result;
  } finally {
    await migrator.unlock();
  }
}
