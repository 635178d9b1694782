import mariadb from 'mariadb';
import pg from 'pg';
import { databaseKindOf, redactUrl } from '@supergraph-lab/config';

/** A failure to reach the database, with a one-line message that names where and why. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/**
 * `DATABASE_URL`, required by the command-line tools; a clear error when it is missing or
 * names neither database: postgresql:// for Postgres, mysql:// (or mariadb://) for MariaDB.
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) throw new ConnectionError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)');
  if (!/^(postgres(ql)?|mysql|mariadb):\/\//.test(url)) {
    throw new ConnectionError(`DATABASE_URL must start with postgresql:// or mysql://, got ${redactUrl(url)}`);
  }
  return url;
}

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

/**
 * A mysql:// (or mariadb://) URL as the mariadb driver's settings. Sessions run in UTC, so
 * DATETIME columns (no zone of their own) mean what Postgres's timestamptz do.
 */
export function mariaDbOptions(url: string): mariadb.ConnectionConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
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

/** Rows in the shop's three tables. */
export interface ShopCounts {
  items: number;
  reviews: number;
  photos: number;
}

/** The one row `sql` answers, on either database, over a connection of its own. */
async function firstRow<Row>(url: string, sql: string): Promise<Row> {
  if (databaseKindOf(url) === 'mariadb') {
    const connection = await connectMariaDb(url);
    const [row] = (await connection.query(sql).finally(() => connection.end())) as Row[];
    return row!;
  }
  const client = await connect(url);
  return (await client.query(sql).finally(() => client.end())).rows[0] as Row;
}

/** Counts the shop's rows on either database (the seed's `--if-empty`, the loader, tests). */
export async function shopCounts(url: string): Promise<ShopCounts> {
  const row = await firstRow<Record<keyof ShopCounts, number | string | bigint>>(
    url,
    'SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM reviews) AS reviews, (SELECT count(*) FROM photos) AS photos',
  );
  return { items: Number(row.items), reviews: Number(row.reviews), photos: Number(row.photos) };
}

/**
 * The oldest item with both photos and reviews (null when none has both), on either database:
 * the item whose page shows every part, for npm start's banner. One statement that walks the
 * three tables' item-id indexes in step and stops at the first match, however large the shop.
 */
export async function showcaseItemId(url: string): Promise<number | null> {
  const row = await firstRow<{ id: number | string | bigint } | undefined>(
    url,
    'SELECT i.id FROM items i WHERE EXISTS (SELECT 1 FROM photos p WHERE p.item_id = i.id) ' +
      'AND EXISTS (SELECT 1 FROM reviews r WHERE r.item_id = i.id) ORDER BY i.id LIMIT 1',
  );
  return row ? Number(row.id) : null;
}

/**
 * Names one database, and this life of it: its server, its name and when its first migration
 * was applied, so a database dropped and made again under the same name is another database.
 * (What keeps caches of two databases apart when they share one Redis.)
 */
export async function databaseIdentity(url: string): Promise<string> {
  const { created } = await firstRow<{ created: unknown }>(
    url,
    'SELECT min(started_at) AS created FROM _prisma_migrations',
  );
  const { host, pathname } = new URL(url);
  return `${host}${pathname}@${created instanceof Date ? created.toISOString() : String(created)}`;
}
