import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrateDatabase } from '@supergraph-lab/db';
import { createTestDatabase, runStatement, TEST_SERVER_URL } from '@supergraph-lab/db/testing';
import { cacheNamespaceFor } from '../start/database.ts';

// npm start keys its caches by database: two databases sharing one Redis must not share entries
test('the cache namespace names one database: stable for it, another for another database or a new life of it', async () => {
  const [first, second] = await Promise.all([
    createTestDatabase('ns_first', { migrated: true }),
    createTestDatabase('ns_second', { migrated: true }),
  ]);
  try {
    const namespace = await cacheNamespaceFor(first.url);
    assert.match(namespace, /^sgl-sgl_test_ns_first_[0-9a-f]{8}-[0-9a-f]{8}$/);
    assert.ok(namespace.length <= 64, 'within CACHE_NAMESPACE rules');
    assert.equal(await cacheNamespaceFor(first.url), namespace, 'the same database: the same namespace');
    assert.notEqual(await cacheNamespaceFor(second.url), namespace, 'another database');

    // dropped and made again under the same name: its old entries are not its new data's
    await first.drop();
    await runStatement(TEST_SERVER_URL, `CREATE DATABASE ${first.name}`);
    await migrateDatabase(first.url);
    assert.notEqual(await cacheNamespaceFor(first.url), namespace, 'the same name, made again');
  } finally {
    await Promise.all([first.drop(), second.drop()]);
  }
});
