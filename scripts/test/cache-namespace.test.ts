import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createCacheStore, EPOCH_KEY } from '@supergraph-lab/cache';
import { migrateDatabase } from '@supergraph-lab/db';
import { createTestDatabase, runStatement, TEST_SERVER_URL } from '@supergraph-lab/db/testing';
import { cacheNamespaceFor, retireCachedEntries } from '../start/database.ts';

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

test('a seed retires what the namespace cached before it (a new epoch); a cache that does not answer is not fatal', async () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const namespace = `sgl-retire-${randomUUID().slice(0, 8)}`;
  const store = createCacheStore({ url, namespace });
  try {
    assert.ok(await store.newEpoch());
    const [before] = (await store.getMany<string>([EPOCH_KEY]))!;
    await retireCachedEntries([url], namespace);
    const [after] = (await store.getMany<string>([EPOCH_KEY]))!;
    assert.ok(before && after && after !== before, `epoch ${before} -> ${after}`);
    // nothing listens on port 9: named in the output, and npm start goes on
    await retireCachedEntries(['redis://127.0.0.1:9'], namespace);
  } finally {
    await (await store.redis())?.unlink(`${store.prefix}${EPOCH_KEY}`);
    await store.close();
  }
});
