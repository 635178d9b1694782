import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, mkdirSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import type pg from 'pg';
import { connect } from '../src/connection.ts';
import { checksumOf, migrate, MIGRATIONS_DIR, readMigrations } from '../src/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A private copy of the migrations folder that a test may tamper with. */
function copyMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sgl-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('db:migrate', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('migrate', { migrated: false });
  });
  after(async () => {
    await db.drop();
  });

  test('applies every migration to an empty database and records it as Prisma does', async () => {
    const files = readMigrations();
    assert.ok(files.length >= 1);
    const result = await withClient(db.url, (client) => migrate(client));
    assert.deepEqual(
      result.applied,
      files.map((file) => file.name),
    );

    await withClient(db.url, async (client) => {
      const { rows } = await client.query(
        'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name',
      );
      assert.equal(rows.length, files.length);
      for (const [index, file] of files.entries()) {
        assert.equal(rows[index].migration_name, file.name);
        assert.equal(rows[index].checksum, checksumOf(file.sql));
        assert.match(rows[index].checksum, /^[0-9a-f]{64}$/);
        assert.ok(rows[index].finished_at instanceof Date);
        assert.equal(rows[index].applied_steps_count, 1);
        assert.equal(rows[index].rolled_back_at, null);
      }
      const { rows: tables } = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      assert.deepEqual(
        tables.map((row) => row.table_name),
        ['_prisma_migrations', 'cache_invalidations', 'idempotency_keys', 'items', 'lab_runs', 'photos', 'reviews'],
      );
    });
  });

  test('is idempotent: a second run applies nothing and changes nothing', async () => {
    const result = await withClient(db.url, (client) => migrate(client));
    assert.deepEqual(result.applied, []);
    assert.equal(result.alreadyApplied.length, readMigrations().length);
    const count = await withClient(
      db.url,
      async (client) => (await client.query('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0].n,
    );
    assert.equal(count, readMigrations().length);
  });

  test('the schema enforces its data rules', async () => {
    await withClient(db.url, async (client) => {
      const { rows } = await client.query(
        `INSERT INTO items (sku, name, description, category, brand, price_cents) VALUES ('S-1', 'n', 'd', 'c', 'b', 100) RETURNING id`,
      );
      const itemId = rows[0].id as number;
      const rejects = async (sql: string, params: unknown[], constraint: string) => {
        await assert.rejects(client.query(sql, params), (error: Error & { constraint?: string }) => {
          assert.equal(error.constraint, constraint);
          return true;
        });
      };
      const item = `INSERT INTO items (sku, name, description, category, brand, price_cents, stock, currency) VALUES ($1, 'n', 'd', 'c', 'b', $2, $3, $4)`;
      await rejects(item, ['S-2', -1, 0, 'USD'], 'items_price_cents_check');
      await rejects(item, ['S-2', 1, -1, 'USD'], 'items_stock_check');
      await rejects(item, ['S-2', 1, 0, 'usd'], 'items_currency_check');
      await rejects(item, ['S-1', 1, 0, 'USD'], 'items_sku_key');
      const review = `INSERT INTO reviews (item_id, rating, title, body, author, helpful_count) VALUES ($1, $2, 't', 'b', 'a', $3)`;
      await rejects(review, [itemId, 0, 0], 'reviews_rating_check');
      await rejects(review, [itemId, 6, 0], 'reviews_rating_check');
      await rejects(review, [itemId, 5, -1], 'reviews_helpful_count_check');
      await rejects(review, [itemId + 1000, 5, 0], 'reviews_item_id_fkey');
      const photo = `INSERT INTO photos (item_id, url, alt_text, width, height, position) VALUES ($1, 'u', 'a', $2, $3, $4)`;
      await rejects(photo, [itemId, 0, 10, 0], 'photos_width_check');
      await rejects(photo, [itemId, 10, 0, 0], 'photos_height_check');
      await rejects(photo, [itemId, 10, 10, -1], 'photos_position_check');

      // ON DELETE CASCADE: an item takes its reviews and photos with it
      await client.query(review, [itemId, 5, 0]);
      await client.query(photo, [itemId, 10, 10, 0]);
      await client.query('DELETE FROM items WHERE id = $1', [itemId]);
      const { rows: left } = await client.query(
        'SELECT (SELECT count(*) FROM reviews)::int AS reviews, (SELECT count(*) FROM photos)::int AS photos',
      );
      assert.deepEqual(left[0], { reviews: 0, photos: 0 });
    });
  });

  test('refuses a migration whose file changed after it was applied', async () => {
    const dir = copyMigrations();
    try {
      const first = readMigrations(dir)[0]!;
      appendFileSync(path.join(dir, first.name, 'migration.sql'), '\n-- edited later\n');
      await withClient(db.url, async (client) => {
        await assert.rejects(migrate(client, { dir }), /migration .* was modified after it was applied/);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('applies a new migration, and a failing one rolls back leaving no record', async () => {
    const dir = copyMigrations();
    try {
      mkdirSync(path.join(dir, '29990101000000_add_flag'));
      writeFileSync(
        path.join(dir, '29990101000000_add_flag', 'migration.sql'),
        'ALTER TABLE "items" ADD COLUMN "flag" BOOLEAN;\n',
      );
      mkdirSync(path.join(dir, '29990102000000_broken'));
      writeFileSync(
        path.join(dir, '29990102000000_broken', 'migration.sql'),
        'ALTER TABLE "items" ADD COLUMN "half" INTEGER;\nALTER TABLE "no_such_table" ADD COLUMN "x" INTEGER;\n',
      );
      await withClient(db.url, async (client) => {
        await assert.rejects(
          migrate(client, { dir }),
          /29990102000000_broken failed and was rolled back: .*no_such_table/,
        );
        const { rows } = await client.query(
          `SELECT column_name FROM information_schema.columns WHERE table_name = 'items' AND column_name IN ('flag', 'half') ORDER BY 1`,
        );
        assert.deepEqual(
          rows.map((row) => row.column_name),
          ['flag'],
          'the good one committed, the broken one left nothing',
        );
        const { rows: recorded } = await client.query(
          `SELECT migration_name FROM "_prisma_migrations" WHERE migration_name LIKE '2999%' ORDER BY 1`,
        );
        assert.deepEqual(
          recorded.map((row) => row.migration_name),
          ['29990101000000_add_flag'],
        );
        await client.query('ALTER TABLE "items" DROP COLUMN "flag"');
        await client.query(`DELETE FROM "_prisma_migrations" WHERE migration_name LIKE '2999%'`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two concurrent runs do not interleave: exactly one applies each migration', async () => {
    const fresh = await createTestDatabase('migrate_race', { migrated: false });
    try {
      const [a, b] = await Promise.all([
        withClient(fresh.url, (client) => migrate(client)),
        withClient(fresh.url, (client) => migrate(client)),
      ]);
      const files = readMigrations().map((file) => file.name);
      assert.deepEqual([...a.applied, ...b.applied].sort(), files);
      assert.deepEqual([...a.alreadyApplied, ...b.alreadyApplied].sort(), files);
    } finally {
      await fresh.drop();
    }
  });

  test('the CLI reports success, and fails in one line without DATABASE_URL or with a dead server', () => {
    const run = (env: Record<string, string | undefined>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'packages/db/src/cli/migrate.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
    const ok = run({ DATABASE_URL: db.url });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /database is up to date/);

    const missing = run({ DATABASE_URL: undefined });
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /^db:migrate: DATABASE_URL is not set/);

    const dead = run({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/test' });
    assert.notEqual(dead.status, 0);
    assert.equal(dead.stderr.trim().split('\n').length, 1);
    assert.match(dead.stderr, /cannot connect to postgresql:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
  });
});
