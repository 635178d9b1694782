import { databaseUrlForms, databaseUrlPattern, redactUrl } from '@supergraph-lab/config';
import { ConnectionError } from './dialects/dialect.ts';
import { dialectOf } from './dialects/index.ts';

export { ConnectionError };
export { connect } from './dialects/postgres.ts';
export { connectMariaDb } from './dialects/mariadb.ts';

/**
 * `DATABASE_URL`, required by the command-line tools; a clear error when it is missing or
 * names no database: postgresql:// for Postgres, mysql:// (or mariadb://) for MariaDB.
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) throw new ConnectionError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)');
  if (!databaseUrlPattern().test(url)) {
    throw new ConnectionError(`DATABASE_URL must start with ${databaseUrlForms()}, got ${redactUrl(url)}`);
  }
  return url;
}

/** Rows in the shop's three tables. */
export interface ShopCounts {
  items: number;
  reviews: number;
  photos: number;
}

/** The one row `sql` answers, on any database, over a connection of its own. */
async function firstRow<Row>(url: string, sql: string): Promise<Row> {
  const session = await dialectOf(url).connect(url);
  const [row] = await session.query<Row>(sql).finally(() => session.end());
  return row!;
}

/** Counts the shop's rows on any database (the seed's `--if-empty`, the loader, tests). */
export async function shopCounts(url: string): Promise<ShopCounts> {
  const row = await firstRow<Record<keyof ShopCounts, number | string | bigint>>(
    url,
    'SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM reviews) AS reviews, (SELECT count(*) FROM photos) AS photos',
  );
  return { items: Number(row.items), reviews: Number(row.reviews), photos: Number(row.photos) };
}

/**
 * The oldest item with both photos and reviews (null when none has both), on any database:
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
