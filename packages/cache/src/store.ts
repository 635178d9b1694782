import { randomUUID } from 'node:crypto';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { cacheStoreKindOf, type CacheStoreKind } from '@supergraph-lab/config';
import { timed, type RequestTiming } from '@supergraph-lab/timing';
import { EPOCH_KEY } from './layers.ts';
import { MemcachedConnection, MemcachedStore } from './memcached.ts';
import { MemoryStore, type MemoryUsage } from './memory.ts';

/**
 * The store every cache layer shares: keyv on Redis or on memcached (shared by all processes, so
 * invalidation reaches every instance; CACHE_URL, else REDIS_URL), or keyv in memory when there
 * is neither.
 *
 * Every call is bounded by a short timeout and never throws: a cache that is down or slow is a
 * miss, and the API goes on from Postgres. Failures are logged once per interval. When new
 * tokens cannot be written (a write's invalidation failed), the process serves nothing cached
 * until it has replaced the epoch token every entry depends on, which it retries until Redis
 * answers: whatever that write could not invalidate is dead from then on. That flag lives in
 * this process only; what makes a write's invalidation outlive the process is its outbox row
 * (packages/subgraph, writes.ts), which any subgraph replays.
 */

/** One entry to write. */
export interface CacheEntry {
  key: string;
  value: unknown;
  ttlSeconds: number;
}

export interface CacheStore {
  readonly kind: CacheStoreKind;
  /**
   * Shared by every process (Redis, memcached): the gateway's whole-answer layers run only on a
   * shared store, where a write's invalidation reaches every instance.
   */
  readonly shared: boolean;
  /**
   * Whether it may drop a key before its TTL under memory pressure (memcached's LRU): an absent
   * version token then cannot mean "never written" (see versions.ts, INITIAL).
   */
  readonly evicts: boolean;
  /**
   * Values for `keys` in order (undefined where absent), or null when the cache is unavailable.
   * Every call takes the request's timing, if any: the time it waits is its "cache" part.
   */
  getMany<T>(keys: readonly string[], timing?: RequestTiming | null): Promise<(T | undefined)[] | null>;
  /** Writes entries (ttlSeconds 0: no TTL); false when the cache is unavailable. */
  setMany(entries: readonly CacheEntry[], timing?: RequestTiming | null): Promise<boolean>;
  /** Deletes keys; false when the cache is unavailable. */
  delete(keys: readonly string[], timing?: RequestTiming | null): Promise<boolean>;
  /** Gives each version key a new random token: every entry that depended on it is dead. */
  replaceTokens(versionKeys: readonly string[], timing?: RequestTiming | null): Promise<boolean>;
  /** Replaces the epoch token: every entry of every layer is dead. */
  newEpoch(): Promise<boolean>;
  /** The Redis client (redis only), for the inspector. */
  redis(): Promise<RedisLike | null>;
  /** memcached's own counters (`stats`: items, bytes, hits, evictions...), memcached only; null when it does not answer. */
  memcachedStats(): Promise<Record<string, string> | null>;
  /** What the in-memory store holds (bytes, entries); null for Redis and memcached. */
  memoryUsage(): MemoryUsage | null;
  /** Prefix of every key this store writes in Redis or memcached. */
  readonly prefix: string;
  close(): Promise<void>;
}

/** The few raw Redis commands the inspector uses. */
export interface RedisLike {
  dbSize(): Promise<number>;
  info(section?: string): Promise<string>;
  pTTL(key: string): Promise<number>;
  strLen(key: string): Promise<number>;
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string | string[]>;
  unlink(keys: string | string[]): Promise<number>;
}

export interface CacheStoreOptions {
  /** redis://, rediss:// or memcached://host:port; none: memory. */
  url?: string;
  /** Key prefix in Redis or memcached. */
  namespace?: string;
  /** Bound on each cache call. */
  timeoutMs?: number;
  /** Where failures are reported (at most once per `logIntervalMs`). */
  onError?: (message: string) => void;
  logIntervalMs?: number;
  /** The in-memory store's bound: keys plus serialized values, in bytes (32 MiB unless told). */
  memoryBytes?: number;
  /** The in-memory store's clock (Date.now unless told), for tests of expiry. */
  now?: () => number;
}

/** Creates the store: Redis or memcached by the URL's scheme, memory without one. */
export function createCacheStore(options: CacheStoreOptions): CacheStore {
  const namespace = options.namespace ?? 'sgl';
  const timeoutMs = options.timeoutMs ?? 500;
  const logIntervalMs = options.logIntervalMs ?? 10_000;
  const kind = cacheStoreKindOf(options.url);
  let adapter: KeyvRedis<unknown> | undefined;
  let memcached: MemcachedConnection | undefined;
  let memory: MemoryStore | undefined;
  let keyv: Keyv;
  if (kind === 'memcached') {
    const url = new URL(options.url!);
    memcached = new MemcachedConnection(url.hostname, Number(url.port || 11211), timeoutMs * 2);
    keyv = new Keyv({ store: new MemcachedStore(memcached), namespace, useKeyPrefix: false, throwOnErrors: true });
  } else if (kind === 'redis') {
    adapter = new KeyvRedis(
      {
        url: options.url,
        // fail at once while disconnected instead of queueing: the API must not wait for Redis
        disableOfflineQueue: true,
        socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
      },
      { namespace, throwOnConnectError: false, throwOnErrors: true, connectionTimeout: 1000 },
    );
    keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: false, throwOnErrors: true });
  } else {
    memory = new MemoryStore({ maxBytes: options.memoryBytes ?? 32 * 1024 * 1024, now: options.now });
    keyv = new Keyv({ store: memory, namespace });
  }
  keyv.on('error', () => {}); // reported through the calls' own results
  // connect now rather than on the first request; calls wait for it (within their timeout)
  const connected: Promise<unknown> = adapter ? adapter.getClient().catch(() => null) : Promise.resolve();

  let lastLogged = 0;
  const report = (message: string) => {
    const now = Date.now();
    if (now - lastLogged < logIntervalMs) return;
    lastLogged = now;
    options.onError?.(message);
  };

  async function bounded<T>(work: () => Promise<T>, timing?: RequestTiming | null): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        // the request's Server-Timing "cache": time with a Redis call in flight
        timed(timing, 'cache', () => connected.then(work)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      // a read or fill that fails is only a miss: entries are checked against tokens anyway
      report(`cache unavailable, serving from the database: ${(error as Error)?.message ?? error}`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  // Set when new tokens could not be written: entries that depended on the old ones may still be
  // in Redis. Until the epoch is replaced, this process serves nothing from the cache.
  let epochPending = false;
  let recovering: Promise<boolean> | null = null;
  let retry: NodeJS.Timeout | undefined;
  function recovered(): Promise<boolean> {
    if (!epochPending) return Promise.resolve(true);
    recovering ??= (async () => {
      const ok = (await bounded(() => keyv.set(EPOCH_KEY, randomUUID()))) !== null;
      if (ok) {
        epochPending = false;
        clearInterval(retry);
        retry = undefined;
        options.onError?.(
          'cache reachable again: epoch replaced, every entry from before the failed invalidation is dead',
        );
      }
      return ok;
    })().finally(() => {
      recovering = null;
    });
    return recovering;
  }
  function invalidationFailed(): void {
    epochPending = true;
    // try on a timer too, so other processes stop seeing the old entries soon, even if idle here
    retry ??= setInterval(() => void recovered(), 500).unref();
  }

  return {
    kind,
    shared: kind !== 'memory',
    evicts: kind === 'memcached',
    prefix: kind === 'memcached' ? `${namespace}:` : `${namespace}::`,
    async getMany<T>(keys: readonly string[], timing?: RequestTiming | null) {
      if (keys.length === 0) return [];
      if (!(await recovered())) return null;
      return (await bounded(() => keyv.getMany<T>([...keys]), timing)) as (T | undefined)[] | null;
    },
    async setMany(entries, timing) {
      if (entries.length === 0) return true;
      if (!(await recovered())) return false;
      const result = await bounded(
        () =>
          keyv.setMany(entries.map((entry) => ({ key: entry.key, value: entry.value, ttl: entry.ttlSeconds * 1000 }))),
        timing,
      );
      return result !== null;
    },
    async delete(keys, timing) {
      if (keys.length === 0) return true;
      return (await bounded(() => keyv.deleteMany([...keys]), timing)) !== null;
    },
    async replaceTokens(versionKeys, timing) {
      if (versionKeys.length === 0) return true;
      const result = await bounded(
        () => keyv.setMany(versionKeys.map((key) => ({ key, value: randomUUID() }))),
        timing,
      );
      if (result === null) invalidationFailed();
      return result !== null;
    },
    async newEpoch() {
      const result = await bounded(() => keyv.set(EPOCH_KEY, randomUUID()));
      return result !== null;
    },
    async redis() {
      if (!adapter) return null;
      return (await bounded(() => adapter!.getClient())) as unknown as RedisLike | null;
    },
    async memcachedStats() {
      if (!memcached) return null;
      return bounded(() => memcached!.stats());
    },
    memoryUsage: () => memory?.usage() ?? null,
    async close() {
      clearInterval(retry);
      await keyv.disconnect().catch(() => {});
    },
  };
}
