import { randomBytes } from 'node:crypto';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { readConfig } from '@supergraph-lab/config';
import { connect } from './connection.ts';
import { migrate } from './migrate.ts';

/** The server tests run against: `DATABASE_URL` when set (CI sets it), else the local default. */
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
  const admin = await connect(serverUrl);
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = urlForDatabase(serverUrl, name);
  if (options.migrated !== false) {
    const client = await connect(url);
    try {
      await migrate(client);
    } finally {
      await client.end();
    }
  }
  return {
    url,
    name,
    async drop() {
      const client = await connect(serverUrl);
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A TCP proxy between a service and Postgres that a test controls (see {@link postgresProxy}). */
export interface PostgresProxy {
  /** `databaseUrl` with host and port pointing at the proxy. */
  url: string;
  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
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
  const server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('error', () => undefined);
      from.on('data', (chunk) => (delayMs ? setTimeout(() => to.write(chunk), delayMs) : to.write(chunk)));
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
