import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { readConfig } from '@supergraph-lab/config';
import { dialectOfClient, type PrismaClient } from './client.ts';
import { dialectOf } from './dialects/index.ts';
import type { LockWaiter } from './dialects/dialect.ts';
import { migrateDatabase } from './migrate.ts';

/**
 * The server tests run against: `DATABASE_URL` when set (CI sets it), else the local default.
 * A mysql:// URL runs them on MariaDB (CI's second database; see scripts/run-tests.mjs).
 */
export const TEST_SERVER_URL = readConfig().databaseUrl ?? dialectOf(undefined).testing.localServer();

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
  const { testing } = dialectOf(serverUrl);
  await runStatement(serverUrl, testing.createDatabase(name));
  if (options.migrated !== false) await migrateDatabase(url);
  return { url, name, drop: () => runStatement(serverUrl, testing.dropDatabase(name)) };
}

/** Runs one statement on the database at `url`, on any database (DDL a test sets up and undoes). */
export async function runStatement(url: string, sql: string): Promise<void> {
  const session = await dialectOf(url).connect(url);
  try {
    await session.query(sql);
  } finally {
    await session.end();
  }
}

/**
 * Locks `table` of the database at `url` against reads from other sessions, from a connection of
 * its own; resolves to the unlock, which closes that connection.
 */
export async function lockTable(url: string, table: string): Promise<() => Promise<void>> {
  const dialect = dialectOf(url);
  const session = await dialect.connect(url);
  const unlock = await dialect.testing.lockTable(session, table).catch(async (error: unknown) => {
    await session.end();
    throw error;
  });
  return async () => {
    await unlock();
    await session.end();
  };
}

/**
 * Row locks taken in a transaction of the test's own (not through any proxy), and a second
 * session that watches who waits on them: how a test makes a transaction stop at a known point.
 */
export interface RowLock {
  /** The transaction waiting on the lock, or null while none does. */
  waiter(): Promise<LockWaiter | null>;
  /** Whether the server's session `id` is still connected. */
  alive(id: number): Promise<boolean>;
  /** Commits the lock's transaction: the waiter goes on. */
  release(): Promise<void>;
  /** Releases the lock if it still holds, and closes both connections. */
  close(): Promise<void>;
}

/** Locks the rows of `table` whose `column` is `value`, on the database at `url` (either database). */
export async function lockRows(url: string, table: string, column: string, value: number): Promise<RowLock> {
  const { connect, testing } = dialectOf(url);
  const holder = await connect(url);
  const observer = await connect(url);
  await testing.lockRows(holder, table, column, value);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await holder.query('COMMIT');
  };
  return {
    waiter: () => testing.lockWaiter(observer),
    alive: (id) => testing.sessionAlive(observer, id),
    release,
    async close() {
      await release();
      await Promise.all([holder.end(), observer.end()]);
    },
  };
}

/** A TCP proxy between a service and its database that a test controls (see {@link databaseProxy}). */
export interface DatabaseProxy {
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
 * A proxy to the database server of `databaseUrl` (any database) on a free local port; with
 * `delayMs`, every chunk either way is held that long, so requests stay in flight (shutdown tests).
 */
export async function databaseProxy(databaseUrl: string, options: { delayMs?: number } = {}): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl);
  const port = Number(target.port || dialectOf(databaseUrl).testing.defaultPort);
  const delayMs = options.delayMs ?? 0;
  const sockets = new Set<Socket>();
  let open = true;
  let holdText: string | null = null;
  let held: (() => void) | null = null;
  const server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = tcpConnect(port, target.hostname);
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

/** The name {@link databaseProxy} had when only Postgres was cut off. */
export const postgresProxy = databaseProxy;
export type PostgresProxy = DatabaseProxy;

/**
 * How many statements on the client's database wait for a row lock now: how a test knows a
 * transaction it interleaves with another has reached its lock, without sleeping. Poll it every
 * {@link LOCK_WAITS_POLL_MS} at the most often.
 */
export function lockWaits(prisma: PrismaClient): Promise<number> {
  return dialectOfClient(prisma).testing.lockWaits(prisma);
}

/**
 * How often to ask {@link lockWaits}: MariaDB's `information_schema.INNODB_TRX` is a cache that
 * is refreshed only when read more than 100 ms after its last refresh, so a poll every 50 ms
 * reads the same stale table for ever (a delete waiting on its lock was never seen, in CI).
 */
export const LOCK_WAITS_POLL_MS = 250;
