// db:migrate on MariaDB: prisma/mariadb/migrations applied to a database of the test's own on the
// server at MARIADB_URL (mysql://root@127.0.0.1:3306 unless told), recorded as Prisma records it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readToolConfig } from '@supergraph-lab/config';
import type { Connection } from 'mariadb';
import { connectMariaDb } from '../src/connection.ts';
import { checksumOf, MARIADB_MIGRATIONS_DIR, migrateMariaDb, readMigrations } from '../src/migrate.ts';
import { urlForDatabase } from '../src/testing.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SERVER = readToolConfig().mariadbUrl;

/** A skip reason when no MariaDB answers at MARIADB_URL (CI's machine runs one), else false. */
const unreachable = await connectMariaDb(SERVER, 2000).then(
  async (connection) => {
    await connection.end();
    return false as const;
  },
  (error: Error) => `no MariaDB at ${SERVER} (${error.message}): set MARIADB_URL to run this suite`,
);

const urlOf = (database: string) => urlForDatabase(SERVER, database);

describe('db:migrate on MariaDB', { skip: unreachable }, () => {
  const name = `sgl_test_mariadb_${randomBytes(4).toString('hex')}`;
  let admin: Connection;
  let db: Connection;
  before(async () => {
    admin = await connectMariaDb(SERVER);
    await admin.query(`CREATE DATABASE \`${name}\``);
    db = await connectMariaDb(urlOf(name));
  });
  after(async () => {
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin?.end();
  });

  test('applies every migration, records each as Prisma does, and a second run applies nothing', async () => {
    const files = readMigrations(MARIADB_MIGRATIONS_DIR, 'mysql');
    assert.ok(files.length > 0);
    const first = await migrateMariaDb(db);
    assert.deepEqual(
      first.applied,
      files.map((file) => file.name),
    );
    const rows = (await db.query(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    )) as { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[];
    assert.deepEqual(
      rows.map((row) => [row.migration_name, row.checksum, row.finished_at !== null, Number(row.applied_steps_count)]),
      files.map((file) => [file.name, checksumOf(file.sql), true, 1]),
    );
    const again = await migrateMariaDb(db);
    assert.deepEqual([again.applied, again.alreadyApplied], [[], files.map((file) => file.name)]);
  });

  test('the tables keep the rules Postgres keeps: CHECKs, case-sensitive SKUs, cascading deletes', async () => {
    const insertItem = (sku: string, currency = 'USD', priceCents = 100) =>
      db.query(
        'INSERT INTO items (sku, name, description, category, brand, price_cents, currency) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [sku, 'Lamp', '', 'home', 'Acme', priceCents, currency],
      );
    await insertItem('lamp-1');
    await insertItem('LAMP-1');
    await assert.rejects(insertItem('lamp-1'), /Duplicate entry/);
    await assert.rejects(insertItem('lamp-2', 'usd'), /items_currency_check/);
    await assert.rejects(insertItem('lamp-3', 'USD', -1), /items_price_cents_check/);
    const [item] = (await db.query("SELECT id FROM items WHERE sku = 'lamp-1'")) as { id: number }[];
    const review = (rating: number) =>
      db.query('INSERT INTO reviews (item_id, rating, title, body, author) VALUES (?, ?, ?, ?, ?)', [
        item!.id,
        rating,
        'Bright',
        'Good',
        'Ada',
      ]);
    await review(5);
    await assert.rejects(review(6), /reviews_rating_check/);
    await db.query('DELETE FROM items WHERE id = ?', [item!.id]);
    const [left] = (await db.query('SELECT COUNT(*) AS n FROM reviews WHERE item_id = ?', [item!.id])) as {
      n: bigint;
    }[];
    assert.equal(Number(left!.n), 0, 'the item took its reviews with it');
  });

  test('a migration changed after it was applied, or one that failed, stops the next run with the reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sgl-mariadb-migrations-'));
    cpSync(MARIADB_MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = readMigrations(dir, 'mysql');
    appendFileSync(path.join(dir, first!.name, 'migration.sql'), '\n-- changed\n');
    await assert.rejects(migrateMariaDb(db, { dir }), /was modified after it was applied/);

    cpSync(MARIADB_MIGRATIONS_DIR, dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, '29990101000000_broken'));
    writeFileSync(
      path.join(dir, '29990101000000_broken', 'migration.sql'),
      'CREATE TABLE broken_half (id INT);\nALTER TABLE no_such_table ADD COLUMN x INT;\n',
    );
    await assert.rejects(migrateMariaDb(db, { dir }), /29990101000000_broken failed: .*no_such_table.*roll back/s);
    const [failed] = (await db.query(
      "SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'",
    )) as { finished_at: Date | null; logs: string }[];
    assert.equal(failed!.finished_at, null, 'recorded as failed, as Prisma records it');
    assert.match(failed!.logs, /no_such_table/);
    await assert.rejects(migrateMariaDb(db, { dir }), /29990101000000_broken is recorded as failed/);
  });

  test('npm run db:migrate takes a mysql:// DATABASE_URL and reports a failed migration', () => {
    const migrated = spawnSync('npm', ['run', '--silent', 'db:migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: urlOf(name) },
      encoding: 'utf8',
    });
    assert.equal(migrated.status, 1, 'the broken migration of the test before is still recorded');
    assert.match(migrated.stderr, /29990101000000_broken is recorded as failed/);
  });
});
