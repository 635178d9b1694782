import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { readToolConfig } from '@supergraph-lab/config';
import { eventually, startMemcached, startRedis, type OwnServer } from '@supergraph-lab/testing';
import {
  cachedBatch,
  cachedBatches,
  createCacheStore,
  dependenciesCurrent,
  VersionReader,
  versionKeys,
  type CacheStore,
} from '../src/index.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MEMCACHED_BIN = readToolConfig().memcachedBin;

/** A skip reason when memcached is not installed (CI installs it), else false. */
const withoutMemcached = (): string | false => {
  try {
    accessSync(MEMCACHED_BIN, constants.X_OK);
    return false;
  } catch {
    return `memcached not found at ${MEMCACHED_BIN}: apt-get install memcached (or set MEMCACHED_BIN) to run this suite`;
  }
};

for (const kind of ['memory', 'redis', 'memcached'] as const) {
  describe(`cache store (${kind})`, { skip: kind === 'memcached' && withoutMemcached() }, () => {
    // memcached: a throwaway one of this suite's own
    let memcached: OwnServer | null = null;
    before(async () => {
      if (kind === 'memcached') memcached = await startMemcached(MEMCACHED_BIN);
    });
    after(async () => {
      await memcached?.stop();
    });
    const make = () =>
      createCacheStore({
        namespace: `sgl-test-${randomUUID().slice(0, 8)}`,
        ...(kind === 'redis' ? { url: REDIS_URL } : kind === 'memcached' ? { url: memcached!.url } : {}),
      });

    test('reads back what it wrote, in key order, undefined where absent', async () => {
      const store = make();
      try {
        assert.equal(
          await store.setMany([
            { key: 'a', value: { n: 1 }, ttlSeconds: 60 },
            { key: 'c', value: 'three', ttlSeconds: 60 },
          ]),
          true,
        );
        assert.deepEqual(await store.getMany(['a', 'b', 'c']), [{ n: 1 }, undefined, 'three']);
      } finally {
        await store.close();
      }
    });

    test('read-through: a miss loads and fills, the next read hits; a new token makes it miss again', async () => {
      const store = make();
      const loads: number[][] = [];
      const kind = {
        name: 'square',
        id: (n: number) => String(n),
        versions: (n: number) => [versionKeys.item(n)],
        load: async (keys: readonly number[]) => {
          loads.push([...keys]);
          return keys.map((n) => n * n);
        },
        ttlSeconds: 60,
      };
      const policy = { entities: true, dependencies: true };
      const run = (keys: number[]) => {
        const stats = { hits: 0, misses: 0 };
        return cachedBatch(kind, keys, { store, reader: new VersionReader(store), policy, stats }).then((values) => ({
          values,
          stats,
        }));
      };
      try {
        assert.deepEqual(await run([2, 3]), { values: [4, 9], stats: { hits: 0, misses: 2 } });
        assert.deepEqual(await run([2, 3, 4]), { values: [4, 9, 16], stats: { hits: 2, misses: 1 } });
        await store.replaceTokens([versionKeys.item(3)]);
        assert.deepEqual(await run([2, 3]), { values: [4, 9], stats: { hits: 1, misses: 1 } });
        assert.deepEqual(loads, [[2, 3], [4], [3]]);

        const reader = new VersionReader(store);
        await reader.read([versionKeys.item(2)]);
        assert.equal(await dependenciesCurrent(store, reader.dependencies), true);
        await store.replaceTokens([versionKeys.item(2)]);
        assert.equal(
          await dependenciesCurrent(store, reader.dependencies),
          false,
          'a write invalidates what depended on it',
        );
        const again = new VersionReader(store);
        await again.read([versionKeys.item(2)]);
        await store.newEpoch();
        assert.equal(await dependenciesCurrent(store, again.dependencies), false, 'a new epoch invalidates everything');
      } finally {
        await store.close();
      }
    });

    test('read-through of two kinds: one load gets the misses of both, each kind kept apart', async () => {
      const store = make();
      const loads: [number[], string[]][] = [];
      const squares = {
        name: 'square',
        id: String,
        versions: (n: number) => [versionKeys.item(n)],
        load: async () => assert.fail('the joint load reads the misses'),
        ttlSeconds: 60,
      };
      const shouts = {
        name: 'shout',
        id: (word: string) => word,
        versions: () => [versionKeys.itemList()],
        load: async () => assert.fail('the joint load reads the misses'),
        ttlSeconds: 60,
      };
      const run = (numbers: number[], words: string[]) => {
        const stats = { hits: 0, misses: 0 };
        return cachedBatches(
          [
            { kind: squares, keys: numbers },
            { kind: shouts, keys: words },
          ] as const,
          async ([n, w]) => {
            loads.push([[...n], [...w]]);
            return [n.map((x) => x * x), w.map((x) => x.toUpperCase())] as const;
          },
          { store, reader: new VersionReader(store), policy: { entities: true, dependencies: true }, stats },
        ).then((values) => ({ values, stats }));
      };
      try {
        assert.deepEqual(await run([2, 3], ['a']), { values: [[4, 9], ['A']], stats: { hits: 0, misses: 3 } });
        // '2' of squares and '2' of shouts are different entries
        assert.deepEqual(await run([2], ['a', '2']), { values: [[4], ['A', '2']], stats: { hits: 2, misses: 1 } });
        await store.replaceTokens([versionKeys.itemList()]);
        assert.deepEqual(await run([3], ['a']), { values: [[9], ['A']], stats: { hits: 1, misses: 1 } });
        assert.deepEqual(await run([3], []), { values: [[9], []], stats: { hits: 1, misses: 0 } });
        assert.deepEqual(loads, [
          [[2, 3], ['a']],
          [[], ['2']],
          [[], ['a']],
        ]);
        // with the entity cache off, everything comes from the load, and nothing is stored
        const off = await cachedBatches(
          [{ kind: squares, keys: [5] }] as const,
          async ([n]) => [n.map((x) => -x)] as const,
          {
            store,
            reader: null,
            policy: { entities: false, dependencies: false },
          },
        );
        assert.deepEqual(off, [[-5]]);
      } finally {
        await store.close();
      }
    });
  });
}

for (const [name, start] of [
  ['Redis', (port?: number) => startRedis(port)],
  ['memcached', (port?: number) => startMemcached(MEMCACHED_BIN, port)],
] as const)
  describe(
    `cache store with ${name} going away and coming back`,
    { skip: name === 'memcached' && withoutMemcached() },
    () => {
      test('calls fail fast and quietly while it is down; on its return the epoch is replaced', async () => {
        let redis = await start();
        const port = redis.port;
        const errors: string[] = [];
        const store: CacheStore = createCacheStore({
          url: redis.url,
          namespace: 'sgl-outage',
          timeoutMs: 150,
          onError: (message) => errors.push(message),
        });
        try {
          const reader = new VersionReader(store);
          assert.ok(await reader.read([versionKeys.item(1)]));
          const before = { ...reader.dependencies };
          assert.equal(await dependenciesCurrent(store, before), true);

          await redis.stop();
          const started = performance.now();
          for (let i = 0; i < 20; i++) assert.equal(await store.getMany(['x']), null);
          assert.equal(
            await store.replaceTokens([versionKeys.item(1)]),
            false,
            `a write while ${name} is down cannot invalidate`,
          );
          assert.ok(performance.now() - started < 20 * 200, 'each call bounded by its timeout');
          assert.equal(errors.length, 1, `logged once, not per call: ${errors}`);

          redis = await start(port);
          // caching resumes without a restart; the epoch is new, so nothing from before is current
          await eventually(async () => (await store.getMany(['x'])) !== null, 5000, 'caching to resume');
          assert.match(errors.at(-1)!, /epoch replaced/);
          assert.equal(await dependenciesCurrent(store, before), false);
        } finally {
          await store.close();
          await redis.stop();
        }
      });
    },
  );

describe('cache store on memcached: what memcached cannot do, done another way', { skip: withoutMemcached() }, () => {
  test('an evicted token never makes an entry from before a write current again', async () => {
    const memcached = await startMemcached(MEMCACHED_BIN);
    const store = createCacheStore({ url: memcached.url, namespace: `sgl-evict-${randomUUID().slice(0, 8)}` });
    try {
      assert.equal(store.evicts, true);
      const first = new VersionReader(store);
      const [minted] = (await first.read([versionKeys.item(1)]))!;
      assert.notEqual(minted, '0', 'an absent token is given a fresh one, not the initial value');
      const again = new VersionReader(store);
      assert.deepEqual(await again.read([versionKeys.item(1)]), [minted], 'and kept: the next reader agrees');
      const before = { ...first.dependencies };
      assert.equal(await dependenciesCurrent(store, before), true);

      await store.replaceTokens([versionKeys.item(1)]);
      assert.equal(await dependenciesCurrent(store, before), false, 'a write makes it dead');
      // memcached evicts the write's token (LRU under memory pressure): here, deleted
      await store.delete([versionKeys.item(1)]);
      assert.equal(await dependenciesCurrent(store, before), false, 'still dead: absent is never current');
      const after = new VersionReader(store);
      const [fresh] = (await after.read([versionKeys.item(1)]))!;
      assert.ok(fresh !== minted && fresh !== '0');
    } finally {
      await store.close();
      await memcached.stop();
    }
  });

  test('a key memcached would refuse (long, or with a space) is kept under its hash; stats say what it holds', async () => {
    const memcached = await startMemcached(MEMCACHED_BIN);
    const store = createCacheStore({ url: memcached.url, namespace: 'sgl-keys' });
    try {
      const long = `rest:/api/items?category=${'x'.repeat(400)}`;
      const spaced = 'rest:GET /api/items/1';
      assert.equal(
        await store.setMany([
          { key: long, value: 'long', ttlSeconds: 60 },
          { key: spaced, value: 'spaced', ttlSeconds: 60 },
          { key: 'e:item:1', value: { id: 1 }, ttlSeconds: 60 },
        ]),
        true,
      );
      assert.deepEqual(await store.getMany([long, spaced, 'e:item:1', 'e:item:2']), [
        'long',
        'spaced',
        { id: 1 },
        undefined,
      ]);
      // values are read by their byte count: multi-byte text, and one larger than a socket read
      const big = 'x'.repeat(300_000);
      const text = 'Grüße, 東京 😀\r\nEND\r\n';
      assert.equal(
        await store.setMany([
          { key: 'r:text', value: text, ttlSeconds: 60 },
          { key: 'r:big', value: big, ttlSeconds: 60 },
        ]),
        true,
      );
      assert.deepEqual(await store.getMany(['r:text', 'r:big', 'r:none']), [text, big, undefined]);
      const stats = await store.memcachedStats();
      assert.equal(stats?.curr_items, '5');
      assert.equal(await store.redis(), null, 'no Redis client to list keys with');
      assert.equal(store.shared, true);
    } finally {
      await store.close();
      await memcached.stop();
    }
  });
});
