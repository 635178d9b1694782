import { PrismaPg } from '@prisma/adapter-pg';
import type { Cancellation } from '@supergraph-lab/timing';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export { PrismaClient };
export type { Item, LabRun, Photo, Review } from './generated/prisma/client.ts';

/** Options for {@link createPrismaClient}. */
export interface PrismaOptions {
  /** Connections in the pool (node-postgres `max`). */
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
   * Postgres cancels any statement that runs longer (`statement_timeout` on every connection):
   * the services pass their request deadline, so no statement outlives its request by more.
   */
  statementTimeoutMs?: number;
  /** Called with the SQL of every statement sent: how tests count what reaches Postgres. */
  onQuery?: (sql: string) => void;
}

/** Prisma Client on the node-postgres driver adapter: no query-engine binary involved. */
export function createPrismaClient(url: string, options: PrismaOptions = {}): PrismaClient {
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
  pools.set(client, pool);
  return client;
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** A read the API runs on every page: its SQL and the name it is prepared under on each connection. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * Runs a hot read on the node-postgres pool under the client's driver adapter: the same
 * connections, one round trip, and a statement Postgres prepares once per connection (the name)
 * instead of parsing and planning it on every page. Prisma's `$queryRaw` on the same statement
 * costs about 0.15 ms more CPU per call in its query engine (README, "CPU per page"); the
 * writes and the filtered listing stay on Prisma's query builder.
 *
 * With the request's `cancellation`, the read of a request that was abandoned is not sent, even
 * when it was abandoned while waiting for a connection: it rejects with the cancellation's
 * reason. A statement already running is left to finish (these take about a millisecond; a
 * cancel request costs Postgres a new process), bounded by the pool's `statement_timeout`.
 */
export async function readRows<Row>(
  client: PrismaClient,
  statement: Statement,
  values: unknown[],
  cancellation?: Cancellation | null,
): Promise<Row[]> {
  const pool = pools.get(client);
  if (!pool) throw new Error("readRows needs a client made by createPrismaClient (it runs on that client's pool)");
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
}

/** Connections of a client's pool: open, idle, and requests waiting for one (for /metrics). */
export function poolStats(client: PrismaClient): { total: number; idle: number; waiting: number } | null {
  const pool = pools.get(client);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}
