// The in-memory cache store (no CACHE_URL or REDIS_URL): bounded by bytes, least recently used
// dropped first, an expired entry dropped when met. Time is an injected clock, not the wall's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCacheStore } from '../src/index.ts';
import { MemoryStore } from '../src/memory.ts';

test('past its byte bound the memory store drops the least recently used entries, and counts what it holds', async () => {
  const store = createCacheStore({ namespace: 'memory-test', memoryBytes: 4096 });
  try {
    const value = 'x'.repeat(400);
    await store.setMany([{ key: 'kept', value, ttlSeconds: 60 }]);
    for (let i = 0; i < 40; i++) {
      await store.setMany([{ key: `junk-${i}`, value, ttlSeconds: 60 }]);
      // read on every round: the most recently used, so never the one to go
      assert.deepEqual(await store.getMany(['kept']), [value], `kept after ${i} more`);
    }
    const usage = store.memoryUsage()!;
    assert.ok(usage.bytes <= 4096 && usage.bytes > 3000, `${usage.bytes} bytes`);
    assert.ok(usage.entries < 10, `${usage.entries} entries`);
    assert.deepEqual(
      await store.getMany(['junk-0', 'junk-39']),
      [undefined, value],
      'the oldest went, the newest stays',
    );
  } finally {
    await store.close();
  }
});

test('an expired entry is dropped when met, and a value larger than the bound is not kept', async () => {
  let now = 1_000_000;
  const store = createCacheStore({ namespace: 'memory-test', memoryBytes: 4096, now: () => now });
  try {
    await store.setMany([
      { key: 'short', value: 'a', ttlSeconds: 10 },
      { key: 'long', value: 'b', ttlSeconds: 100 },
      { key: 'forever', value: 'c', ttlSeconds: 0 },
      { key: 'huge', value: 'd'.repeat(5000), ttlSeconds: 100 },
    ]);
    assert.equal(store.memoryUsage()!.entries, 3, 'the huge one was not kept');
    now += 11_000;
    assert.deepEqual(await store.getMany(['short', 'long', 'forever', 'huge']), [undefined, 'b', 'c', undefined]);
    assert.equal(store.memoryUsage()!.entries, 2, 'the expired one went when read');
    now += 1_000_000;
    assert.deepEqual(await store.getMany(['long', 'forever']), [undefined, 'c']);
    assert.equal(store.memoryUsage()!.entries, 1);
  } finally {
    await store.close();
  }
});

test('the adapter keyv is given: sizes are key plus value lengths, a read makes an entry the most recent', () => {
  let now = 0;
  const memory = new MemoryStore({ maxBytes: 30, now: () => now });
  memory.set('a', '123456789'); // 10
  memory.set('b', '123456789', 1000); // 20
  assert.deepEqual(memory.usage(), { bytes: 20, entries: 2 });
  assert.equal(memory.get('a'), '123456789');
  memory.set('c', '123456789'); // 30
  memory.set('d', '123456789'); // 40: b, the least recently used, goes
  assert.deepEqual(
    ['a', 'b', 'c', 'd'].map((key) => memory.has(key)),
    [true, false, true, true],
  );
  assert.equal(memory.delete('a'), true);
  memory.set('e', '12345', 1000); // 26
  now = 1001;
  assert.equal(memory.get('e'), undefined);
  assert.deepEqual(memory.usage(), { bytes: 20, entries: 2 });
  memory.clear();
  assert.deepEqual(memory.usage(), { bytes: 0, entries: 0 });
});
