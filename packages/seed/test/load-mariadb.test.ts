// The loader on MariaDB (LOAD DATA LOCAL INFILE from the generator's stream), on a database of the
// test's own on the server at MARIADB_URL (mysql://root@127.0.0.1:3306 unless told).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readToolConfig } from '@supergraph-lab/config';
import { connectMariaDb, shopCounts } from '@supergraph-lab/db';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { createShopGenerator } from '../src/generate.ts';
import { loadShopData } from '../src/loaders.ts';
import { ITEMS as ITEM_ROWS } from '../src/copy.ts';
import { textSegments } from '../src/mariadb.ts';
import { assertExactLoad } from './exact-load.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SERVER = readToolConfig().mariadbUrl;
const ITEMS = 3000;

/** A skip reason when no MariaDB answers at MARIADB_URL (CI's machine runs one), else false. */
const unreachable = await connectMariaDb(SERVER, 2000).then(
  async (connection) => {
    await connection.end();
    return false as const;
  },
  (error: Error) => `no MariaDB at ${SERVER} (${error.message}): set MARIADB_URL to run this suite`,
);

/** The indexes, keys and table options of the three tables (a load leaves them as migrated). */
async function schemaObjects(url: string): Promise<string[]> {
  const connection = await connectMariaDb(url);
  try {
    const rows = (await connection.query(
      `SELECT CONCAT(TABLE_NAME, '.', INDEX_NAME, '(', GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX), ')') AS def
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('items', 'reviews', 'photos')
        GROUP BY TABLE_NAME, INDEX_NAME
       UNION ALL
       SELECT CONCAT(TABLE_NAME, ' options: ', CREATE_OPTIONS) FROM information_schema.TABLES
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('items', 'reviews', 'photos')
       UNION ALL
       SELECT CONCAT(CONSTRAINT_NAME, ' ', CONSTRAINT_TYPE) FROM information_schema.TABLE_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME IN ('items', 'reviews', 'photos')
       ORDER BY 1`,
    )) as { def: string }[];
    return rows.map((row) => row.def);
  } finally {
    await connection.end();
  }
}

describe('loader on MariaDB', { skip: unreachable }, () => {
  let db: TestDatabase;
  let migratedSchema: string[];
  before(async () => {
    db = await createTestDatabase('load_mariadb', { serverUrl: SERVER });
    migratedSchema = await schemaObjects(db.url);
  });
  after(() => db?.drop());

  test('loads exact counts, and Prisma Client reads back exactly the generated rows', async () => {
    await assertExactLoad(db.url, ITEMS, 11);
    assert.deepEqual(await schemaObjects(db.url), migratedSchema, 'every index and key is there');
  });

  test('refuses a non-empty database without reset and changes nothing', async () => {
    const before = await shopCounts(db.url);
    await assert.rejects(
      loadShopData({ url: db.url, items: 10, seed: 1 }),
      /database is not empty \(3001 items, \d+ reviews, \d+ photos\); pass --reset to replace its data/,
    );
    assert.deepEqual(await shopCounts(db.url), before);
  });

  test('reset replaces the data with another seed; an aborted load leaves the tables empty, their indexes intact', async () => {
    await loadShopData({ url: db.url, items: 500, seed: 99, reset: true });
    const generator = createShopGenerator({ items: 500, seed: 99 });
    assert.deepEqual(await shopCounts(db.url), {
      items: 500,
      reviews: [...generator.reviews()].length,
      photos: [...generator.photos()].length,
    });
    const controller = new AbortController();
    await assert.rejects(
      loadShopData({
        url: db.url,
        items: 20_000,
        seed: 3,
        reset: true,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.phase === 'copy' && event.table === 'reviews') controller.abort();
        },
      }),
      /load aborted; rolled back, the tables are empty again/,
    );
    // TRUNCATE (the reset) commits at once on MariaDB; the load after it was rolled back whole
    assert.deepEqual(await shopCounts(db.url), { items: 0, reviews: 0, photos: 0 });
    assert.deepEqual(await schemaObjects(db.url), migratedSchema);
  });

  test('a table of more than 16 MB goes in whole: one LOAD DATA statement, split into packets the server takes', async () => {
    // the driver alone sends it in 16 MB packets the server joins and refuses (max_allowed_packet)
    const items = 60_000;
    let bytes = 0;
    const generator = createShopGenerator({ items, seed: 8 });
    for await (const segment of textSegments(generator.items(), ITEM_ROWS)) bytes += segment.text.length;
    assert.ok(bytes > 16 * 1024 * 1024, `the items' text is ${bytes} bytes, more than one packet`);
    await loadShopData({ url: db.url, items, seed: 8, reset: true });
    assert.equal((await shopCounts(db.url)).items, items);
    const connection = await connectMariaDb(db.url);
    try {
      const [last] = (await connection.query('SELECT id, sku FROM items ORDER BY id DESC LIMIT 1')) as {
        id: number;
        sku: string;
      }[];
      const expected = [...createShopGenerator({ items, seed: 8 }).items()].at(-1)!;
      assert.deepEqual({ id: Number(last!.id), sku: last!.sku }, { id: expected.id, sku: expected.sku });
    } finally {
      await connection.end();
    }
  });

  test('an unmigrated database is refused with the fix in the message', async () => {
    const bare = await createTestDatabase('load_mariadb_bare', { migrated: false, serverUrl: SERVER });
    try {
      await assert.rejects(
        loadShopData({ url: bare.url, items: 5, seed: 1 }),
        /table\(s\) items, reviews, photos missing: run npm run db:migrate first/,
      );
    } finally {
      await bare.drop();
    }
  });

  test('npm run db:seed takes a mysql:// DATABASE_URL', async () => {
    const fresh = await createTestDatabase('load_mariadb_cli', { serverUrl: SERVER });
    try {
      const run = (...args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'packages/seed/src/cli/seed.ts', ...args], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: fresh.url },
          encoding: 'utf8',
        });
      const ok = run('--items', '200', '--seed', '5');
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /^items +200 rows in [\d.]+ s/m);
      const again = run('--items', '10', '--if-empty');
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /already has 200 items: nothing to do/);
      assert.equal((await shopCounts(fresh.url)).items, 200);
    } finally {
      await fresh.drop();
    }
  });
});
