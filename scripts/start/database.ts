// npm start's database: the one at DATABASE_URL, migrated and seeded when empty, or without it an
// embedded Postgres (PGlite) in this process, served on a local socket.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createCacheStore } from '@supergraph-lab/cache';
import { redactUrl, type ToolConfig } from '@supergraph-lab/config';
import { connect, databaseIdentity, migrate, migrateDatabase, shopCounts } from '@supergraph-lab/db';
import { loadShopData, loadShopDataIntoPGlite } from '@supergraph-lab/seed';
import { say } from './output.ts';
import { startPGliteServer } from './pglite-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A running embedded database: its URL, whether it was seeded just now, and how to stop it. */
export interface EmbeddedPostgres {
  url: string;
  seeded: boolean;
  close(): Promise<void>;
}

/**
 * Starts PGlite in this process, migrated and seeded, and serves it on a local socket, each
 * client connection as a session of its own (pglite-server.ts).
 */
export async function startEmbeddedPostgres(tools: ToolConfig): Promise<EmbeddedPostgres> {
  const dataDir = tools.embeddedDataDir ?? path.join(ROOT, '.data', 'pglite');
  mkdirSync(dataDir, { recursive: true });
  say(`no DATABASE_URL: embedded Postgres (PGlite) with its data in ${path.relative(ROOT, dataDir)}/`);
  const db = await PGlite.create({ dataDir });
  const url = `postgresql://postgres@127.0.0.1:${tools.embeddedPgPort}/postgres`;
  // migrate over the wire with the project's migrator, then seed in-process (COPY from a blob)
  const server = await startPGliteServer(db, { port: tools.embeddedPgPort });
  const client = await connect(url);
  const result = await migrate(client, { log: (line) => say(line) });
  await client.end();
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
  const seeded = rows[0]!.n === 0;
  if (seeded) {
    say(`empty database: seeding ${tools.seedItems} items with their reviews and photos`);
    const report = await loadShopDataIntoPGlite(db, { items: tools.seedItems, seed: 42 });
    say(
      `seeded ${report.tables.map((table) => `${table.rows} ${table.table}`).join(', ')} in ${report.totalSeconds.toFixed(1)} s`,
    );
  } else {
    say(`${rows[0]!.n} items already there (${result.applied.length} migration(s) applied)`);
  }
  return {
    url,
    seeded,
    async close() {
      await server.close();
      await db.close();
    },
  };
}

/**
 * Migrates a real server (Postgres, or MariaDB by a mysql:// URL) and seeds it when it has no
 * items; true when it seeded.
 */
export async function prepareDatabase(url: string, seedItems: number): Promise<boolean> {
  await migrateDatabase(url, { log: (line) => say(line) });
  const { items } = await shopCounts(url);
  if (items > 0) {
    say(`${items} items in the database`);
    return false;
  }
  say(`empty database: seeding ${seedItems} items`);
  await loadShopData({ url, items: seedItems, seed: 42 });
  return true;
}

/**
 * The cache namespace for this database when CACHE_NAMESPACE names none: `sgl-<database>-<hash>`,
 * the hash of its server, name and first migration. Two databases sharing one Redis (Postgres and
 * then MariaDB, or a database dropped and seeded again) never serve each other's entries: their
 * version tokens cannot tell, since no write of one database replaces the other's.
 */
export async function cacheNamespaceFor(url: string): Promise<string> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
    .replace(/[^\w.-]/g, '_')
    .slice(0, 40);
  const hash = createHash('sha256')
    .update(await databaseIdentity(url))
    .digest('hex')
    .slice(0, 8);
  return `sgl-${name || 'db'}-${hash}`;
}

/**
 * After a seed, a new epoch in each cache store for `namespace`: entries cached before it (a
 * database emptied by hand and seeded again keeps its namespace) are dead at once. A store that
 * does not answer is named, not fatal: the services start and degrade as with any cache outage.
 */
export async function retireCachedEntries(urls: readonly string[], namespace: string): Promise<void> {
  for (const url of urls) {
    const store = createCacheStore({ url, namespace });
    try {
      if (!(await store.newEpoch()))
        say(`the cache at ${redactUrl(url)} did not answer: entries from before the seed may be served`);
    } finally {
      await store.close();
    }
  }
}
