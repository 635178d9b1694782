import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { redactUrl } from '@supergraph-lab/config';
import type { Cancellation } from '@supergraph-lab/timing';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import {
  ConnectionError,
  MigrationError,
  type AppliedRow,
  type Dialect,
  type LockWaiter,
  type Migrator,
  type PrismaOptions,
  type Reader,
  type Session,
  type Statement,
  type StoredRow,
} from './dialect.ts';

/**
 * Postgres: node-postgres under Prisma's `@prisma/adapter-pg`, the schema of prisma/schema.prisma
 * and its migrations in prisma/migrations.
 */
export const postgres: Dialect = {
  kind: 'postgres',
  createClient,
  connect: async (url, timeoutMs) => sessionOf(await connect(url, timeoutMs)),
  migrations: {
    dir: path.resolve(import.meta.dirname, '../../../../prisma/migrations'),
    provider: 'postgresql',
    on: migrator,
  },
  idempotency: {
    async lock(tx, key) {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) AS locked`;
      return lock?.locked === true;
    },
    stored: (tx, key, ttlSeconds) => tx.$queryRaw<StoredRow[]>`
      SELECT fingerprint, status, headers, body, created_at > now() - make_interval(secs => ${ttlSeconds}::float8) AS live
      FROM idempotency_keys WHERE key = ${key}`,
    async store(tx, idempotency, answer, expired) {
      // an expired key is free again
      if (expired) await tx.$executeRaw`DELETE FROM idempotency_keys WHERE key = ${idempotency.key}`;
      return tx.$executeRaw`
        INSERT INTO idempotency_keys (key, fingerprint, status, headers, body)
        VALUES (${idempotency.key}, ${idempotency.fingerprint}, ${answer.status},
          ${JSON.stringify(answer.headers)}::jsonb, ${answer.body})`;
    },
    expire: (prisma, ttlSeconds) =>
      prisma.$executeRaw`DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => ${ttlSeconds}::float8)`,
    // unique_violation
    conflict: { codes: ['23505'] },
  },
  // needs a superuser or pg_checkpoint; without, the checkpoint comes when the server's is due
  checkpoint: (session) =>
    session.query('CHECKPOINT').then(
      () => undefined,
      () => undefined,
    ),
  testing: {
    localServer: () => 'postgresql://postgres@127.0.0.1:5432/test',
    defaultPort: 5432,
    createDatabase: (name) => `CREATE DATABASE "${name}"`,
    // terminating leftover connections
    dropDatabase: (name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
    async lockTable(session, table) {
      await session.query('BEGIN');
      await session.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return async () => {
        await session.query('ROLLBACK');
      };
    },
    async lockWaits(prisma) {
      const [row] = await prisma.$queryRaw<{ waiting: number }[]>`
        SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return Number(row?.waiting ?? 0);
    },
    async lockRows(session, table, column, value) {
      await session.query('BEGIN');
      await session.query(`SELECT 1 FROM ${table} WHERE ${column} = $1 FOR UPDATE`, [value]);
    },
    async lockWaiter(observer) {
      const [row] = await observer.query<LockWaiter>(
        `SELECT pid AS session, query AS statement, backend_xid IS NOT NULL AS wrote FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND xact_start IS NOT NULL`,
      );
      return row ?? null;
    },
    async sessionAlive(observer, id) {
      return (await observer.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [id])).length > 0;
    },
  },
};

/** Opens one connection, failing within `timeoutMs` with a one-line `ConnectionError`. */
export async function connect(url: string, timeoutMs = 5000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new ConnectionError(`cannot connect to ${redactUrl(url)}: ${err.message || err.code || 'unknown error'}`);
  }
  // An idle client's socket error would otherwise crash the process; the next query reports it.
  client.on('error', () => {});
  return client;
}

/** A node-postgres connection as a {@link Session}. */
export function sessionOf(client: pg.Client): Session {
  return {
    query: async <Row>(sql: string, values?: unknown[]) => (await client.query(sql, values)).rows as Row[],
    end: () => client.end(),
  };
}

function createClient(url: string, options: PrismaOptions): { client: PrismaClient; reader: Reader } {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMillis: options.idleTimeoutMs } : {}),
    // idle connections do not keep a process alive; $disconnect() closes them (disposeExternalPool)
    allowExitOnIdle: true,
  });
  // a connection's socket dying (the database cut off or restarted) must not crash the process
  // with an unhandled 'error' event: an idle one the pool drops (its 'error', ignored here), and
  // one checked out (a cancellable read, a transaction), on which pg-pool listens no longer, fails
  // its query with that error anyway
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const onQuery = options.onQuery;
  if (onQuery) {
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const first = args[0] as string | { text?: string };
        onQuery(typeof first === 'string' ? first : (first?.text ?? ''));
        return query(...args);
      };
    });
  }
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { client, reader: reader(pool) };
}

/** Hot reads as statements prepared under their name on each connection of the pool. */
function reader(pool: pg.Pool): Reader {
  return {
    async read<Row>(statement: Statement, values: unknown[], cancellation?: Cancellation | null) {
      const query = { name: statement.name, text: statement.sql.postgres, values };
      if (!cancellation) return (await pool.query<Row & pg.QueryResultRow>(query)).rows;
      cancellation.throwIfAborted();
      const connection = await pool.connect();
      if (cancellation.aborted) {
        connection.release();
        throw cancellation.reason;
      }
      try {
        const { rows } = await connection.query<Row & pg.QueryResultRow>(query);
        connection.release();
        return rows;
      } catch (error) {
        // as pool.query does: a connection whose statement failed is closed, not reused
        connection.release(error as Error);
        throw error;
      }
    },
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
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

function migrator(session: Session): Migrator {
  return {
    async lock(log) {
      const [row] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        PRISMA_ADVISORY_LOCK,
      ]);
      if (!row?.locked) {
        log('another migration run holds the lock; waiting for it to finish');
        await session.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
      }
    },
    async unlock() {
      await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    },
    async createTable() {
      await session.query(CREATE_MIGRATIONS_TABLE);
    },
    appliedRows: () =>
      session.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      ),
    // The script and its record commit together or not at all: a failed migration leaves no
    // trace, so fixing the file and running again is all it takes.
    async applyOne(file) {
      const id = randomUUID();
      await session.query('BEGIN');
      try {
        await session.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, clock_timestamp(), 0)`,
          [id, file.checksum, file.name],
        );
        await session.query(file.sql);
        await session.query(
          'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await session.query('COMMIT');
      } catch (error) {
        await session.query('ROLLBACK');
        throw new MigrationError(`migration ${file.name} failed and was rolled back: ${(error as Error).message}`);
      }
    },
  };
}
