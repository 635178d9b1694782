import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { databaseKindOf, readConfig } from '@supergraph-lab/config';
import { databaseOf, type PrismaClient } from './client.ts';
import { connect, connectMariaDb } from './connection.ts';
import { migrateDatabase } from './migrate.ts';

/**
 * The server tests run against: `DATABASE_URL` when set (CI sets it), else the local default.
 * A mysql:// URL runs them on MariaDB (CI's second database; see scripts/run-tests.mjs).
 */
export const TEST_SERVER_URL = readConfig().databaseUrl ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A database of its own for one test file. */
export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** Builds a connection URL for another database on the same server. */
export function urlForDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates a fresh database on the test server (or `serverUrl`), migrated with the project's own
 * migrator unless `migrated: false`. Each test file gets its own, so no test depends on another's
 * data; benchmarks use it for their scratch databases.
 */
export async function createTestDatabase(
  label: string,
  options: { migrated?: boolean; serverUrl?: string } = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? TEST_SERVER_URL;
  const name = `sgl_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = urlForDatabase(serverUrl, name);
  const server = databaseKindOf(serverUrl) === 'mariadb' ? mariaDbServer(serverUrl) : postgresServer(serverUrl);
  await server.run(`CREATE DATABASE ${server.quote(name)}`);
  if (options.migrated !== false) await migrateDatabase(url);
  return { url, name, drop: () => server.run(server.dropDatabase(name)) };
}

/** Runs one statement on the database at `url`, Postgres or MariaDB (DDL a test sets up and undoes). */
export function runStatement(url: string, sql: string): Promise<void> {
  return (databaseKindOf(url) === 'mariadb' ? mariaDbServer(url) : postgresServer(url)).run(sql);
}

/** How a test database is made and dropped on one kind of server. */
interface TestServer {
  run(sql: string): Promise<void>;
  quote(name: string): string;
  dropDatabase(name: string): string;
}

function postgresServer(serverUrl: string): TestServer {
  const run = async (url: string, work: (client: Awaited<ReturnType<typeof connect>>) => Promise<unknown>) => {
    const client = await connect(url);
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    run: (sql) => run(serverUrl, (client) => client.query(sql)),
    quote: (name) => `"${name}"`,
    // terminating leftover connections
    dropDatabase: (name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
  };
}

function mariaDbServer(serverUrl: string): TestServer {
  const run = async (url: string, work: (client: Awaited<ReturnType<typeof connectMariaDb>>) => Promise<unknown>) => {
    const connection = await connectMariaDb(url);
    try {
      await work(connection);
    } finally {
      await connection.end();
    }
  };
  return {
    run: (sql) => run(serverUrl, (connection) => connection.query(sql)),
    quote: (name) => `\`${name}\``,
    dropDatabase: (name) => `DROP DATABASE IF EXISTS \`${name}\``,
  };
}

/** A TCP proxy between a service and Postgres that a test controls (see {@link postgresProxy}). */
export interface PostgresProxy {
  /** `databaseUrl` with host and port pointing at the proxy. */
  url: string;
  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  /** Holds back the next chunk a client sends that contains `text` (e.g. `COMMIT`), until `release()`. */
  holdNext(text: string): void;
  /** Whether a chunk is held back now. */
  holding(): boolean;
  /** Sends the chunk held back, if any. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A proxy to the Postgres of `databaseUrl` on a free local port; with `delayMs`, every chunk
 * either way is held that long, so requests stay in flight (shutdown tests).
 */
export async function postgresProxy(databaseUrl: string, options: { delayMs?: number } = {}): Promise<PostgresProxy> {
  const target = new URL(databaseUrl);
  const delayMs = options.delayMs ?? 0;
  const sockets = new Set<Socket>();
  let open = true;
  let holdText: string | null = null;
  let held: (() => void) | null = null;
  const server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('error', () => undefined);
      from.on('data', (chunk: Buffer) => {
        if (from === client && holdText !== null && chunk.includes(holdText)) {
          holdText = null;
          held = () => to.write(chunk);
        } else if (delayMs) setTimeout(() => to.write(chunk), delayMs);
        else to.write(chunk);
      });
      from.on('close', () => {
        sockets.delete(from);
        if (delayMs) setTimeout(() => to.destroy(), delayMs);
        else to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    holdNext(text) {
      holdText = text;
    },
    holding: () => held !== null,
    release() {
      held?.();
      held = null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * How many statements on the client's database wait for a row lock now: how a test knows a
 * transaction it interleaves with another has reached its lock, without sleeping.
 */
export async function lockWaits(prisma: PrismaClient): Promise<number> {
  const [row] =
    databaseOf(prisma) === 'mariadb'
      ? await prisma.$queryRaw<{ waiting: bigint | number }[]>`
          SELECT COUNT(*) AS waiting FROM information_schema.INNODB_TRX t
          JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
          WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()`
      : await prisma.$queryRaw<{ waiting: number }[]>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return Number(row?.waiting ?? 0);
}
