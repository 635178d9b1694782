import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { databaseKindOf } from '@supergraph-lab/config';
import type { Connection as MariaDbConnection } from 'mariadb';
import type pg from 'pg';
import { connect, connectMariaDb } from './connection.ts';

/** One folder of `prisma/migrations`, as Prisma lays it out: `<timestamp>_<name>/migration.sql`. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of the file, hex: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

/** What a run did. */
export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** Recorded in the database but absent from the folder (Prisma warns about these too). */
  unknown: string[];
}

/** Raised for every condition that stops a run; its message is meant for the terminal as is. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

// Prisma Migrate's own advisory lock key, so this tool and `prisma migrate deploy` exclude each other.
const PRISMA_ADVISORY_LOCK = 72707369;

// Prisma's DDL for its bookkeeping table, verbatim in shape.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// The same table as Prisma's MySQL connector makes it.
const CREATE_MIGRATIONS_TABLE_MARIADB = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

/** The repository's migrations folder (Postgres). */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../prisma/migrations');
/** MariaDB's migrations folder: the same schema in MySQL's SQL (prisma/mariadb/schema.prisma). */
export const MARIADB_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../prisma/mariadb/migrations');

/** sha256 hex of a migration script, as Prisma computes it. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads the migration folders in the order Prisma applies them (by name), for `provider`'s database. */
export function readMigrations(
  dir: string = MIGRATIONS_DIR,
  provider: 'postgresql' | 'mysql' = 'postgresql',
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

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** What a database must do for a run: its lock, Prisma's table, and applying one file with its record. */
interface Dialect {
  lock(log: (line: string) => void): Promise<void>;
  unlock(): Promise<void>;
  createTable(): Promise<void>;
  appliedRows(): Promise<AppliedRow[]>;
  applyOne(file: MigrationFile): Promise<void>;
}

/**
 * Applies the pending migrations in order, each in its own transaction together with its
 * `_prisma_migrations` record, under Prisma's advisory lock. Idempotent. Refuses to run when an
 * applied migration's file has changed since, or when Prisma recorded a failed migration.
 */
export async function migrate(
  client: pg.Client,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  return run(postgres(client), readMigrations(options.dir), options.log ?? (() => {}));
}

/**
 * The same for MariaDB (prisma/mariadb/migrations), under Prisma's MySQL lock
 * (`GET_LOCK('prisma_migrate')`). MariaDB commits DDL as it goes, so a migration that fails
 * half-way cannot be rolled back: it is recorded as failed, with the error in `logs`, as Prisma
 * records it, and the next run refuses until it is resolved.
 */
export async function migrateMariaDb(
  connection: MariaDbConnection,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  return run(
    mariadb(connection),
    readMigrations(options.dir ?? MARIADB_MIGRATIONS_DIR, 'mysql'),
    options.log ?? (() => {}),
  );
}

/**
 * Migrates the database a URL names, over a connection of its own: `migrate` for postgresql://,
 * `migrateMariaDb` for mysql://.
 */
export async function migrateDatabase(
  url: string,
  options: { log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  if (databaseKindOf(url) === 'mariadb') {
    const connection = await connectMariaDb(url);
    try {
      return await migrateMariaDb(connection, options);
    } finally {
      await connection.end();
    }
  }
  const client = await connect(url);
  try {
    return await migrate(client, options);
  } finally {
    await client.end();
  }
}

async function run(dialect: Dialect, files: MigrationFile[], log: (line: string) => void): Promise<MigrateResult> {
  await dialect.lock(log);
  try {
    await dialect.createTable();
    const rows = await dialect.appliedRows();
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
      await dialect.applyOne(file);
      result.applied.push(file.name);
      log(`applied ${file.name}`);
    }
    return result;
  } finally {
    await dialect.unlock();
  }
}

function postgres(client: pg.Client): Dialect {
  return {
    async lock(log) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        PRISMA_ADVISORY_LOCK,
      ]);
      if (!rows[0]?.locked) {
        log('another migration run holds the lock; waiting for it to finish');
        await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
      }
    },
    async unlock() {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    },
    async createTable() {
      await client.query(CREATE_MIGRATIONS_TABLE);
    },
    async appliedRows() {
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      );
      return rows;
    },
    // The script and its record commit together or not at all: a failed migration leaves no
    // trace, so fixing the file and running again is all it takes.
    async applyOne(file) {
      const id = randomUUID();
      await client.query('BEGIN');
      try {
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, clock_timestamp(), 0)`,
          [id, file.checksum, file.name],
        );
        await client.query(file.sql);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${file.name} failed and was rolled back: ${(error as Error).message}`);
      }
    },
  };
}

/** Prisma Migrate's lock on MySQL and MariaDB, waited for this long at a time. */
const MARIADB_LOCK = 'prisma_migrate';
const MARIADB_LOCK_WAIT_SECONDS = 10;

function mariadb(connection: MariaDbConnection): Dialect {
  return {
    async lock(log) {
      for (let waited = false; ; waited = true) {
        const [row] = (await connection.query('SELECT GET_LOCK(?, ?) AS locked', [
          MARIADB_LOCK,
          MARIADB_LOCK_WAIT_SECONDS,
        ])) as { locked: number | bigint | null }[];
        if (Number(row?.locked) === 1) return;
        if (!waited) log('another migration run holds the lock; waiting for it to finish');
      }
    },
    async unlock() {
      await connection.query('SELECT RELEASE_LOCK(?)', [MARIADB_LOCK]);
    },
    async createTable() {
      await connection.query(CREATE_MIGRATIONS_TABLE_MARIADB);
    },
    async appliedRows() {
      return (await connection.query(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
      )) as AppliedRow[];
    },
    async applyOne(file) {
      const id = randomUUID();
      await connection.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, NOW(3), 0)`,
        [id, file.checksum, file.name],
      );
      try {
        await connection.query(file.sql);
      } catch (error) {
        const message = (error as Error).message;
        await connection.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [message, id]);
        throw new MigrationError(
          `migration ${file.name} failed: ${message}. MariaDB cannot roll back what it applied before the error: ` +
            'undo it by hand, then record the migration as rolled back (prisma migrate resolve --rolled-back)',
        );
      }
      await connection.query(
        'UPDATE _prisma_migrations SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?',
        [id],
      );
    },
  };
}
