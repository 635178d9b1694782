import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

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

/** The repository's migrations folder. */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../prisma/migrations');

/** sha256 hex of a migration script, as Prisma computes it. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads the migration folders in the order Prisma applies them (by name). */
export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  const lockFile = path.join(dir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const provider = /provider\s*=\s*"([^"]+)"/.exec(readFileSync(lockFile, 'utf8'))?.[1];
    if (provider !== 'postgresql') {
      throw new MigrationError(`${lockFile} names provider ${provider ?? '(none)'}, expected postgresql`);
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

/**
 * Applies the pending migrations in order, each in its own transaction together with its
 * `_prisma_migrations` record, under Prisma's advisory lock. Idempotent. Refuses to run when an
 * applied migration's file has changed since, or when Prisma recorded a failed migration.
 */
export async function migrate(
  client: pg.Client,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const files = readMigrations(options.dir);

  const { rows: lockRows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
    PRISMA_ADVISORY_LOCK,
  ]);
  if (!lockRows[0]?.locked) {
    log('another migration run holds the lock; waiting for it to finish');
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
  }
  try {
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
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
      await applyOne(client, file);
      result.applied.push(file.name);
      log(`applied ${file.name}`);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
  }
}

// The script and its record commit together or not at all: a failed migration leaves no trace,
// so fixing the file and running again is all it takes.
async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
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
}
