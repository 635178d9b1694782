import type { DatabaseKind } from '@supergraph-lab/config';
import type { Cancellation } from '@supergraph-lab/timing';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * What one database does its own way, behind one interface: `postgres.ts` and `mariadb.ts`
 * implement it, `index.ts` chooses one by DATABASE_URL's scheme (`dialectOf`), and the shared
 * files (client, connection, migrate, testing) call it instead of asking which database it is.
 * Two differences stay outside, each a table typed by DatabaseKind so a new database cannot be
 * forgotten: the read statements' text (`queries.ts`, both texts of a statement side by side)
 * and the driver's error codes (`errors.ts`, which packages/http reads without the drivers).
 */
export interface Dialect {
  /** Its name in config's DATABASES, which a URL's scheme picks. */
  kind: DatabaseKind;
  /** Prisma Client on a pool of the database's driver, and how its hot reads reach that pool. */
  createClient(url: string, options: PrismaOptions): { client: PrismaClient; reader: Reader };
  /** One connection of its own, failing within `timeoutMs` with a one-line `ConnectionError`. */
  connect(url: string, timeoutMs?: number): Promise<Session>;
  /** Its migrations (Prisma's layout) and the migrator's statements. */
  migrations: {
    dir: string;
    /** The provider its `migration_lock.toml` names. */
    provider: 'postgresql' | 'mysql';
    /** The migrator's lock, Prisma's table, and applying one file with its record, on `session`. */
    on(session: Session): Migrator;
  };
  /** The statements of `createUnderKey` (packages/db/src/idempotency.ts): the key's lock, its answer. */
  idempotency: KeySql;
  /** Writes out what a bulk load left in memory, so it does not land in a benchmark's first step. */
  checkpoint(session: Session): Promise<void>;
  /** What tests and benchmarks need of a server. */
  testing: {
    /** The server when no URL names one: the local default, or the tools' setting for it. */
    localServer(): string;
    /** The port a URL without one means. */
    defaultPort: number;
    createDatabase(name: string): string;
    /** Drops a database, ending the connections left on it where the database can. */
    dropDatabase(name: string): string;
    /** Locks `table` against reads from other sessions; resolves to the unlock. */
    lockTable(session: Session, table: string): Promise<() => Promise<void>>;
    /** How many statements on the client's database wait for a row lock now. */
    lockWaits(prisma: PrismaClient): Promise<number>;
    /** Begins a transaction on `session` and locks the rows of `table` whose `column` is `value`. */
    lockRows(session: Session, table: string, column: string, value: number): Promise<void>;
    /** A transaction of this database waiting for a row lock, as `observer` sees it; null while none does. */
    lockWaiter(observer: Session): Promise<LockWaiter | null>;
    /** Whether the server's session `id` (a LockWaiter's) is still connected. */
    sessionAlive(observer: Session, id: number): Promise<boolean>;
  };
}

/** A transaction waiting for a row lock, as the database describes it. */
export interface LockWaiter {
  /** Its session's id on the server, to see it end. */
  session: number;
  /** The statement that waits. */
  statement: string;
  /** Whether its transaction has written already (Postgres: it holds a transaction id; InnoDB counts rows). */
  wrote: boolean;
}

/** One connection, as the shared code uses it: statements in the database's own SQL, rows back. */
export interface Session {
  query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>;
  end(): Promise<void>;
}

/** How a client's hot reads reach its pool, and the pool's counts. */
export interface Reader {
  read<Row>(statement: Statement, values: unknown[], cancellation?: Cancellation | null): Promise<Row[]>;
  stats(): { total: number; idle: number; waiting: number };
}

/**
 * A read the API runs on every page: the name a database prepares it under on each connection,
 * and its text in each database's SQL, all with Postgres's numbered parameters (`$1`, `$2`, a
 * number used as often as needed), so the texts of one statement take the same values.
 */
export interface Statement {
  name: string;
  sql: Record<DatabaseKind, string>;
}

/**
 * The answer a create gave, as stored under its key and replayed to a repeat: its body is the
 * exact bytes sent (JSON text), so the replay is byte for byte the first answer.
 */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A create's key and the fingerprint of the request it came with. */
export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

/** Prisma's client inside an interactive transaction. */
export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** A stored answer as read back, and whether it is younger than the key's time to live. */
export type StoredRow = Omit<StoredAnswer, 'headers'> & {
  headers: Record<string, string> | string;
  fingerprint: string;
  live: boolean | number;
};

/** The statements of `createUnderKey` in a database's SQL, and the errors its lock can raise. */
export interface KeySql {
  /** Takes the key's lock until the transaction ends; false when another transaction holds it. */
  lock(tx: TransactionClient, key: string): Promise<boolean>;
  /** The key's stored answer, if any. */
  stored(tx: TransactionClient, key: string, ttlSeconds: number): Promise<StoredRow[]>;
  /** Stores the answer under the key, in place of an expired one when `expired`. */
  store(tx: TransactionClient, idempotency: IdempotencyKey, answer: StoredAnswer, expired: boolean): Promise<unknown>;
  expire(prisma: PrismaClient, ttlSeconds: number): Promise<number>;
  /**
   * What the database throws when another transaction has the key (beside Prisma's P2002): its
   * codes, and its message where the driver gives none.
   */
  conflict: { codes: readonly string[]; message?: RegExp };
}

/** What the migrator asks of a database for a run (packages/db/src/migrate.ts). */
export interface Migrator {
  lock(log: (line: string) => void): Promise<void>;
  unlock(): Promise<void>;
  createTable(): Promise<void>;
  appliedRows(): Promise<AppliedRow[]>;
  applyOne(file: MigrationFile): Promise<void>;
}

/** One folder of `prisma/migrations`, as Prisma lays it out: `<timestamp>_<name>/migration.sql`. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of the file, hex: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

/** A row of `_prisma_migrations`, as much of it as a run reads. */
export interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Options for `createPrismaClient`. */
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

/** A failure to reach the database, with a one-line message that names where and why. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** Raised for every condition that stops a migration run; its message is meant for the terminal as is. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}
