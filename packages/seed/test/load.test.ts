import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, shopCounts } from '@supergraph-lab/db';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { createShopGenerator } from '../src/generate.ts';
import { loadShopData } from '../src/loaders.ts';
import { assertExactLoad } from './exact-load.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ITEMS = 3000;

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = await connect(url);
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every index and constraint of the three tables, by name, with its definition. */
async function schemaObjects(url: string): Promise<string[]> {
  const rows = await query<{ def: string }>(
    url,
    `SELECT indexrelid::regclass || ': ' || pg_get_indexdef(indexrelid) AS def FROM pg_index
      WHERE indrelid IN ('items'::regclass, 'reviews'::regclass, 'photos'::regclass)
     UNION ALL
     SELECT conname || ': ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint
      WHERE conrelid IN ('items'::regclass, 'reviews'::regclass, 'photos'::regclass)
     ORDER BY 1`,
  );
  return rows.map((row) => row.def);
}

function runSeed(args: string[], env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'packages/seed/src/cli/seed.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('loader', () => {
  let db: TestDatabase;
  let migratedSchema: string[];
  before(async () => {
    db = await createTestDatabase('load');
    migratedSchema = await schemaObjects(db.url);
  });
  after(async () => {
    await db.drop();
  });

  test('loads exact counts, and Prisma Client reads back exactly the generated rows', async () => {
    await assertExactLoad(db.url, ITEMS, 11);
    assert.deepEqual(await schemaObjects(db.url), migratedSchema, 'every index and key is back, validated');
    // ANALYZE ran and FREEZE left the pages all-visible: index-only scans work at once
    const [stats] = await query<{ analyzed: number; frozen: boolean }>(
      db.url,
      `SELECT (SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('items', 'reviews', 'photos') AND last_analyze IS NOT NULL)::int AS analyzed,
              (SELECT relallvisible = relpages FROM pg_class WHERE relname = 'reviews') AS frozen`,
    );
    assert.deepEqual(stats, { analyzed: 3, frozen: true });
  });

  test('refuses a non-empty database without reset and changes nothing', async () => {
    const before = await shopCounts(db.url);
    await assert.rejects(
      loadShopData({ url: db.url, items: 10, seed: 1 }),
      /database is not empty \(3001 items, \d+ reviews, \d+ photos\); pass --reset to replace its data/,
    );
    assert.deepEqual(await shopCounts(db.url), before);
  });

  test('an aborted load rolls back: the previous data and every index survive', async () => {
    const before = await shopCounts(db.url);
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
      /load aborted; rolled back, the database is unchanged/,
    );
    assert.deepEqual(await shopCounts(db.url), before);
    assert.deepEqual(await schemaObjects(db.url), migratedSchema);
  });

  test('reset replaces the data with another seed', async () => {
    await loadShopData({ url: db.url, items: 500, seed: 99, reset: true });
    const generator = createShopGenerator({ items: 500, seed: 99 });
    assert.deepEqual(await shopCounts(db.url), {
      items: 500,
      reviews: [...generator.reviews()].length,
      photos: [...generator.photos()].length,
    });
    const [first] = await query<{ name: string }>(db.url, 'SELECT name FROM items WHERE id = 1');
    assert.equal(first!.name, generator.items().next().value!.name);
  });

  test('an unmigrated database is refused with the fix in the message', async () => {
    const bare = await createTestDatabase('load_bare', { migrated: false });
    try {
      await assert.rejects(
        loadShopData({ url: bare.url, items: 5, seed: 1 }),
        /table\(s\) items, reviews, photos missing: run npm run db:migrate first/,
      );
    } finally {
      await bare.drop();
    }
  });

  test('the CLI prints rows and rows/s per table, and fails in one line on bad input', async () => {
    const fresh = await createTestDatabase('load_cli');
    try {
      const ok = runSeed(['--items', '200', '--seed', '5'], { DATABASE_URL: fresh.url });
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /^items +200 rows in [\d.]+ s \([\d.]+k? rows\/s\)$/m);
      assert.match(ok.stdout, /^reviews +\d+ rows in /m);
      assert.match(ok.stdout, /^photos +\d+ rows in /m);
      assert.match(ok.stdout, /^total +[\d.]+k? rows in [\d.]+ s/m);
      assert.match(ok.stderr, /^items +\[#+\] 100%/m, 'plain progress lines when not a terminal');

      const failures: [string[], Record<string, string | undefined>, RegExp][] = [
        [['--items', 'abc'], { DATABASE_URL: fresh.url }, /^db:seed: --items must be a whole number >= 1, got "abc"$/],
        [['--items=-5'], { DATABASE_URL: fresh.url }, /^db:seed: --items must be a whole number >= 1, got "-5"$/],
        [
          ['--items', '-5'],
          { DATABASE_URL: fresh.url },
          /^db:seed: --items needs a value \(a negative number as --items=-N\)/,
        ],
        [['--items', '10', '--reset=yes'], { DATABASE_URL: fresh.url }, /^db:seed: --reset takes no value; usage: /],
        [['--items', '0'], { DATABASE_URL: fresh.url }, /^db:seed: --items must be a whole number >= 1, got "0"$/],
        [[], { DATABASE_URL: fresh.url }, /^db:seed: --items is required; usage: /],
        [['--items', '10', '--bogus'], { DATABASE_URL: fresh.url }, /^db:seed: unknown argument "--bogus"/],
        [
          ['--items', '10'],
          { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' },
          /^db:seed: cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:1\/none: .*ECONNREFUSED/,
        ],
        [['--items', '10'], { DATABASE_URL: fresh.url }, /^db:seed: database is not empty \(200 items, /],
      ];
      for (const [args, env, message] of failures) {
        const result = runSeed(args, env);
        assert.equal(result.status, 1, `${args.join(' ')}: ${result.stderr}`);
        assert.equal(result.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr.trim(), message);
      }
      assert.equal((await shopCounts(fresh.url)).items, 200, 'failed runs changed nothing');
    } finally {
      await fresh.drop();
    }
  });
});
