import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { readToolConfig, redactUrl } from '@supergraph-lab/config';
import type { Cancellation } from '@supergraph-lab/timing';
import mariadb from 'mariadb';
import { PrismaClient as MariaDbPrismaClient } from '../generated/mariadb/client.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import {
  ConnectionError,
  MigrationError,
  type AppliedRow,
  type Dialect,
  type Migrator,
  type PrismaOptions,
  type Reader,
  type Session,
  type Statement,
  type StoredRow,
} from './dialect.ts';

/**
 * MariaDB: the `mariadb` driver under Prisma's `@prisma/adapter-mariadb`, the schema of
 * prisma/mariadb/schema.prisma (the same models in MySQL's column types) and its migrations.
 */
export const mariaDb: Dialect = {
  kind: 'mariadb',
  createClient,
  connect: async (url, timeoutMs) => sessionOf(await connectMariaDb(url, timeoutMs)),
  migrations: {
    dir: path.resolve(import.meta.dirname, '../../../../prisma/mariadb/migrations'),
    provider: 'mysql',
    on: migrator,
  },
  idempotency: {
    // The key's own row is the lock: MariaDB has no transaction-scoped advisory lock (GET_LOCK's
    // lasts as long as the connection, which the pool keeps, so releasing it came before the
    // commit). It is inserted first as a placeholder (status 0), or, when the key is known, locked
    // by a no-op update; either way held until the transaction ends. Another transaction's
    // uncommitted row is not waited for (lock wait timeout 0): the in-use answer.
    async lock(tx, key) {
      await tx.$executeRaw`
        SET STATEMENT innodb_lock_wait_timeout = 0 FOR
        INSERT INTO idempotency_keys (\`key\`, fingerprint, status, headers, body, created_at)
        VALUES (${key}, '', 0, '{}', NULL, UTC_TIMESTAMP(3))
        ON DUPLICATE KEY UPDATE status = status`;
      return true;
    },
    // the placeholder (status 0) is this transaction's own lock, not an answer
    stored: (tx, key, ttlSeconds) => tx.$queryRaw<StoredRow[]>`
      SELECT fingerprint, status, headers, body,
        created_at > UTC_TIMESTAMP(3) - INTERVAL ${ttlSeconds} SECOND AS live
      FROM idempotency_keys WHERE \`key\` = ${key} AND status <> 0`,
    store: (tx, idempotency, answer) => tx.$executeRaw`
      UPDATE idempotency_keys SET fingerprint = ${idempotency.fingerprint}, status = ${answer.status},
        headers = ${JSON.stringify(answer.headers)}, body = ${answer.body}, created_at = UTC_TIMESTAMP(3)
      WHERE \`key\` = ${idempotency.key}`,
    expire: (prisma, ttlSeconds) =>
      prisma.$executeRaw`DELETE FROM idempotency_keys WHERE status <> 0 AND created_at <= UTC_TIMESTAMP(3) - INTERVAL ${ttlSeconds} SECOND`,
    // a duplicate key (a request that took no lock), or the key's row locked by another (1205, with no wait)
    conflict: {
      codes: ['1062', '1205', 'ER_DUP_ENTRY', 'ER_LOCK_WAIT_TIMEOUT'],
      message: /Lock wait timeout exceeded/,
    },
  },
  // InnoDB writes its dirty pages out in the background, with no statement to ask for it now
  checkpoint: async () => undefined,
  testing: {
    localServer: () => readToolConfig().mariadbUrl,
    defaultPort: 3306,
    createDatabase: (name) => `CREATE DATABASE \`${name}\``,
    dropDatabase: (name) => `DROP DATABASE IF EXISTS \`${name}\``,
    async lockTable(session, table) {
      await session.query(`LOCK TABLES ${table} WRITE`);
      return async () => {
        await session.query('UNLOCK TABLES');
      };
    },
    async lockWaits(prisma) {
      const [row] = await prisma.$queryRaw<{ waiting: bigint | number }[]>`
        SELECT COUNT(*) AS waiting FROM information_schema.INNODB_TRX t
        JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
        WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()`;
      return Number(row?.waiting ?? 0);
    },
    async lockRows(session, table, column, value) {
      await session.query('BEGIN');
      await session.query(`SELECT 1 FROM ${table} WHERE ${column} = ? FOR UPDATE`, [value]);
    },
    async lockWaiter(observer) {
      // InnoDB's own view of transactions: one in LOCK WAIT is inside a transaction by definition
      const [row] = await observer.query<{ session: bigint; statement: string; modified: bigint }>(
        `SELECT t.trx_mysql_thread_id AS session, p.INFO AS statement, t.trx_rows_modified AS modified
           FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
          WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()`,
      );
      return row ? { session: Number(row.session), statement: row.statement, wrote: Number(row.modified) > 0 } : null;
    },
    async sessionAlive(observer, id) {
      return (await observer.query('SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ?', [id])).length > 0;
    },
  },
};

/**
 * A mysql:// (or mariadb://) URL as the mariadb driver's settings. Sessions run in UTC, so
 * DATETIME columns (no zone of their own) mean what Postgres's timestamptz do.
 */
export function mariaDbOptions(url: string): mariadb.ConnectionConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || mariaDb.testing.defaultPort),
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
    timezone: '+00:00',
  };
}

/**
 * Opens one connection to MariaDB from a mysql:// (or mariadb://) URL, able to run a migration
 * file's several statements, failing within `timeoutMs` with a one-line `ConnectionError`.
 */
export async function connectMariaDb(
  url: string,
  timeoutMs = 5000,
  options: mariadb.ConnectionConfig = {},
): Promise<mariadb.Connection> {
  try {
    return await mariadb.createConnection({
      ...mariaDbOptions(url),
      connectTimeout: timeoutMs,
      multipleStatements: true,
      ...options,
    });
  } catch (error) {
    throw new ConnectionError(`cannot connect to ${redactUrl(url)}: ${(error as Error).message}`);
  }
}

/** A mariadb connection as a {@link Session}. */
export function sessionOf(connection: mariadb.Connection): Session {
  return {
    query: async <Row>(sql: string, values?: unknown[]) => (await connection.query(sql, values)) as Row[],
    end: () => connection.end(),
  };
}

function createClient(url: string, options: PrismaOptions): { client: PrismaClient; reader: Reader } {
  const pool = mariadb.createPool({
    ...mariaDbOptions(url),
    connectionLimit: options.poolSize ?? 10,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // A request waits this long for a connection. Unlike node-postgres's, this pool does not
    // fail a waiting request when it cannot open a connection: it retries until this timeout,
    // so a down database answers 503 after it. 2 s (of the 5 s connect timeout): a write that
    // needs two connections still answers within the connect timeout.
    acquireTimeout: Math.round((options.connectTimeoutMs ?? 5000) * 0.4),
    // seconds; 0 closes no idle connection (the pool's own default is 30 min)
    idleTimeout: options.idleTimeoutMs !== undefined ? Math.round(options.idleTimeoutMs / 1000) : 10,
    // opened at once and kept: with 0 the pool (3.4.5) never opens a connection
    minimumIdle: 1,
    // the hot reads are prepared once per connection and reused, as on Postgres
    prepareCacheLength: 256,
    ...(options.statementTimeoutMs
      ? { sessionVariables: { max_statement_time: options.statementTimeoutMs / 1000 } }
      : {}),
  });
  if (options.onQuery) observe(pool, options.onQuery);
  // unheard, the pool's 'error' event (it gave up opening a connection) would end the process
  (pool as unknown as NodeJS.EventEmitter).on('error', () => {});
  // The MariaDB schema declares the same models as the Postgres one, field for field, so its
  // client has the same model API: the one cast between the two (packages/db/test/queries.test.ts
  // runs the API's reads and writes on both).
  const client = new MariaDbPrismaClient({ adapter: new PrismaMariaDb(pool) }) as unknown as PrismaClient;
  // The pool opens a connection as it is made, and Prisma disposes of its adapter only once it
  // has connected it: a client never used would keep that connection (and the process) alive.
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnect();
    await pool.end().catch(() => {});
  };
  return { client, reader: reader(pool) };
}

/**
 * Reports the SQL of every statement sent through a mariadb pool: its own `query`/`execute` and
 * those of every connection it hands out (the hot reads under a cancellation, Prisma's
 * transactions).
 */
function observe(pool: mariadb.Pool, onQuery: (sql: string) => void): void {
  const wrap = (target: object) => {
    for (const method of ['query', 'execute'] as const) {
      const record = target as Record<string, (...args: unknown[]) => unknown>;
      const send = record[method]!.bind(target);
      record[method] = (...args: unknown[]) => {
        const first = args[0] as string | { sql?: string };
        onQuery(typeof first === 'string' ? first : (first?.sql ?? ''));
        return send(...args);
      };
    }
  };
  wrap(pool);
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => {
    const connection = await getConnection();
    if (!observed.has(connection)) {
      observed.add(connection);
      wrap(connection);
    }
    return connection;
  };
}

const observed = new WeakSet<object>();

/** A MariaDB statement and, for each of its `?`, the index of the value it takes. */
interface MariaDbSql {
  text: string;
  values: readonly number[];
}

/**
 * A statement's MariaDB text, written with Postgres's numbered parameters, as the driver takes
 * it: each `$n` becomes a `?` bound to value n. An array value is sent as JSON, for
 * `JSON_TABLE($1, '$[*]' COLUMNS (...))`.
 */
function mariaDbSql(text: string): MariaDbSql {
  const values: number[] = [];
  return { text: text.replace(/\$(\d+)/g, (_, n: string) => (values.push(Number(n) - 1), '?')), values };
}

// each statement's text rewritten once, not on every read
const compiled = new WeakMap<Statement, MariaDbSql>();

/** Hot reads as prepared statements on the pool (binary protocol, cached per connection). */
function reader(pool: mariadb.Pool): Reader {
  const sqlOf = (statement: Statement) => {
    let sql = compiled.get(statement);
    if (!sql) compiled.set(statement, (sql = mariaDbSql(statement.sql.mariadb)));
    return sql;
  };
  const bind = (sql: MariaDbSql, values: unknown[]) =>
    sql.values.map((index) => {
      const value = values[index];
      return Array.isArray(value) ? JSON.stringify(value) : value;
    });
  return {
    async read<Row>(statement: Statement, values: unknown[], cancellation?: Cancellation | null) {
      const sql = sqlOf(statement);
      // COUNT(*) is a BIGINT: a number here, as Postgres's ::int
      const query = { sql: sql.text, bigIntAsNumber: true };
      const args = bind(sql, values);
      if (!cancellation) return (await pool.execute(query, args)) as Row[];
      cancellation.throwIfAborted();
      const connection = await pool.getConnection();
      try {
        if (cancellation.aborted) throw cancellation.reason;
        return (await connection.execute(query, args)) as Row[];
      } finally {
        await connection.release();
      }
    },
    stats: () => ({
      total: pool.totalConnections(),
      idle: pool.idleConnections(),
      waiting: pool.taskQueueSize(),
    }),
  };
}

/** Prisma Migrate's lock on MySQL and MariaDB, waited for this long at a time. */
const MIGRATE_LOCK = 'prisma_migrate';
const MIGRATE_LOCK_WAIT_SECONDS = 10;

// The same table as Prisma's MySQL connector makes it.
const CREATE_MIGRATIONS_TABLE = `
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

/**
 * Under Prisma's MySQL lock (`GET_LOCK('prisma_migrate')`). MariaDB commits DDL as it goes, so a
 * migration that fails half-way cannot be rolled back: it is recorded as failed, with the error in
 * `logs`, as Prisma records it, and the next run refuses until it is resolved.
 */
function migrator(session: Session): Migrator {
  return {
    async lock(log) {
      for (let waited = false; ; waited = true) {
        const [row] = await session.query<{ locked: number | bigint | null }>('SELECT GET_LOCK(?, ?) AS locked', [
          MIGRATE_LOCK,
          MIGRATE_LOCK_WAIT_SECONDS,
        ]);
        if (Number(row?.locked) === 1) return;
        if (!waited) log('another migration run holds the lock; waiting for it to finish');
      }
    },
    async unlock() {
      await session.query('SELECT RELEASE_LOCK(?)', [MIGRATE_LOCK]);
    },
    async createTable() {
      await session.query(CREATE_MIGRATIONS_TABLE);
    },
    appliedRows: () =>
      session.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
      ),
    async applyOne(file) {
      const id = randomUUID();
      await session.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES (?, ?, ?, NOW(3), 0)`,
        [id, file.checksum, file.name],
      );
      try {
        await session.query(file.sql);
      } catch (error) {
        const message = (error as Error).message;
        await session.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [message, id]);
        throw new MigrationError(
          `migration ${file.name} failed: ${message}. MariaDB cannot roll back what it applied before the error: ` +
            'undo it by hand, then record the migration as rolled back (prisma migrate resolve --rolled-back)',
        );
      }
      await session.query('UPDATE _prisma_migrations SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?', [
        id,
      ]);
    },
  };
}
