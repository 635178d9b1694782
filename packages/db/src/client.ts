import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaPg } from '@prisma/adapter-pg';
import { databaseKindOf, type DatabaseKind } from '@supergraph-lab/config';
import type { Cancellation } from '@supergraph-lab/timing';
import mariadb from 'mariadb';
import pg from 'pg';
import { PrismaClient as MariaDbPrismaClient } from './generated/mariadb/client.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { mariaDbOptions } from './connection.ts';

export { PrismaClient };
export type { Item, Photo, Review } from './generated/prisma/client.ts';

/** Options for {@link createPrismaClient}. */
export interface PrismaOptions {
  /** Connections in the pool (node-postgres `max`, mariadb `connectionLimit`). */
  poolSize?: number;
  /** Give up on opening a connection after this long, so a down database fails fast. */
  connectTimeoutMs?: number;
  /**
   * Close a connection idle this long (0: keep it); node-postgres's 10 s when not given. The
   * services keep theirs for DB_POOL_IDLE_SECONDS: every pool closing its idle connections at
   * once, 10 s after a burst, stalled each service's next requests by up to 200 ms.
   */
  idleTimeoutMs?: number;
  /**
   * The database cancels any statement that runs longer (Postgres's `statement_timeout`,
   * MariaDB's `max_statement_time`, on every connection): the services pass their request
   * deadline, so no statement outlives its request by more.
   */
  statementTimeoutMs?: number;
  /** Called with the SQL of every statement sent: how tests count what reaches the database. */
  onQuery?: (sql: string) => void;
}

/**
 * Prisma Client on the database DATABASE_URL names, by its scheme: node-postgres's driver
 * adapter for postgresql://, MariaDB's for mysql:// (no query-engine binary either way).
 *
 * Both are typed as the Postgres schema's client. The MariaDB schema (prisma/mariadb) declares
 * the same models field for field, so its generated client has the same model API; the one cast
 * is here, and `packages/db/test/queries.test.ts` runs the API's reads and writes on both.
 */
export function createPrismaClient(url: string, options: PrismaOptions = {}): PrismaClient {
  return databaseKindOf(url) === 'mariadb' ? createMariaDbClient(url, options) : createPostgresClient(url, options);
}

function createPostgresClient(url: string, options: PrismaOptions): PrismaClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMillis: options.idleTimeoutMs } : {}),
    // idle connections do not keep a process alive; $disconnect() closes them (disposeExternalPool)
    allowExitOnIdle: true,
  });
  // an idle client dropped by the server must not crash the process; the next query reports it
  pool.on('error', () => {});
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
  readers.set(client, postgresReader(pool));
  return client;
}

function createMariaDbClient(url: string, options: PrismaOptions): PrismaClient {
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
  if (options.onQuery) observeMariaDb(pool, options.onQuery);
  // unheard, the pool's 'error' event (it gave up opening a connection) would end the process
  (pool as unknown as NodeJS.EventEmitter).on('error', () => {});
  // the same models as the Postgres client (see createPrismaClient)
  const client = new MariaDbPrismaClient({ adapter: new PrismaMariaDb(pool) }) as unknown as PrismaClient;
  // The pool opens a connection as it is made, and Prisma disposes of its adapter only once it
  // has connected it: a client never used would keep that connection (and the process) alive.
  const disconnect = client.$disconnect.bind(client);
  client.$disconnect = async () => {
    await disconnect();
    await pool.end().catch(() => {});
  };
  readers.set(client, mariaDbReader(pool));
  return client;
}

/**
 * Reports the SQL of every statement sent through a mariadb pool: its own `query`/`execute` and
 * those of every connection it hands out (the hot reads under a cancellation, Prisma's
 * transactions).
 */
function observeMariaDb(pool: mariadb.Pool, onQuery: (sql: string) => void): void {
  const observe = (target: object) => {
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
  observe(pool);
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => {
    const connection = await getConnection();
    if (!observed.has(connection)) {
      observed.add(connection);
      observe(connection);
    }
    return connection;
  };
}

const observed = new WeakSet<object>();

/** How a client's hot reads reach its pool, and the pool's counts. */
interface Reader {
  kind: DatabaseKind;
  read<Row>(statement: Statement, values: unknown[], cancellation?: Cancellation | null): Promise<Row[]>;
  stats(): { total: number; idle: number; waiting: number };
}

const readers = new WeakMap<PrismaClient, Reader>();

/**
 * A read the API runs on every page, in each database's SQL: the name Postgres prepares it under
 * on each connection, its Postgres text, and its MariaDB text (built by {@link mariaDbSql}).
 */
export interface Statement {
  name: string;
  text: string;
  mariadb: MariaDbSql;
}

/** A MariaDB statement and, for each of its `?`, the index of the value it takes. */
export interface MariaDbSql {
  text: string;
  values: readonly number[];
}

/**
 * MariaDB SQL written with Postgres's numbered parameters (`$1`, `$2`, a number used as often as
 * needed), so a statement's two texts take the same values: each `$n` becomes a `?` bound to
 * value n. An array value is sent as JSON, for `JSON_TABLE($1, '$[*]' COLUMNS (...))`.
 */
export function mariaDbSql(text: string): MariaDbSql {
  const values: number[] = [];
  return { text: text.replace(/\$(\d+)/g, (_, n: string) => (values.push(Number(n) - 1), '?')), values };
}

/**
 * Runs a hot read on the pool under the client's driver adapter: the same connections, one
 * round trip, and a statement the database prepares once per connection instead of parsing and
 * planning it on every page. Prisma's `$queryRaw` on the same statement costs about 0.15 ms more
 * CPU per call in its query engine (docs/benchmarks.md, "CPU per page"); the writes and the filtered listing
 * stay on Prisma's query builder.
 *
 * With the request's `cancellation`, the read of a request that was abandoned is not sent, even
 * when it was abandoned while waiting for a connection: it rejects with the cancellation's
 * reason. A statement already running is left to finish (these take about a millisecond; a
 * cancel costs the server a new connection), bounded by the pool's statement timeout.
 */
export function readRows<Row>(
  client: PrismaClient,
  statement: Statement,
  values: unknown[],
  cancellation?: Cancellation | null,
): Promise<Row[]> {
  const reader = readers.get(client);
  if (!reader) throw new Error("readRows needs a client made by createPrismaClient (it runs on that client's pool)");
  return reader.read<Row>(statement, values, cancellation);
}

/** The database a client made by {@link createPrismaClient} runs on. */
export function databaseOf(client: PrismaClient): DatabaseKind {
  return readers.get(client)?.kind ?? 'postgres';
}

function postgresReader(pool: pg.Pool): Reader {
  return {
    kind: 'postgres',
    async read<Row>(statement: Statement, values: unknown[], cancellation?: Cancellation | null) {
      const query = { name: statement.name, text: statement.text, values };
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

function mariaDbReader(pool: mariadb.Pool): Reader {
  const bind = (sql: MariaDbSql, values: unknown[]) =>
    sql.values.map((index) => {
      const value = values[index];
      return Array.isArray(value) ? JSON.stringify(value) : value;
    });
  return {
    kind: 'mariadb',
    async read<Row>(statement: Statement, values: unknown[], cancellation?: Cancellation | null) {
      // COUNT(*) is a BIGINT: a number here, as Postgres's ::int
      const query = { sql: statement.mariadb.text, bigIntAsNumber: true };
      const args = bind(statement.mariadb, values);
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

/** Connections of a client's pool: open, idle, and requests waiting for one (for /metrics). */
export function poolStats(client: PrismaClient): { total: number; idle: number; waiting: number } | null {
  return readers.get(client)?.stats() ?? null;
}
