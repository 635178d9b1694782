import { randomBytes } from 'node:crypto';
import { connect } from './connection.ts';
import { migrate } from './migrate.ts';

/** The server tests run against: `DATABASE_URL` when set (CI sets it), else the local default. */
export const TEST_SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

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
export async function createTestDatabase(label: string, options: { migrated?: boolean; serverUrl?: string } = {}): Promise<TestDatabase> {
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
