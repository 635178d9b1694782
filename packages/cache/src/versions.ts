import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { timed, type Cancellation, type RequestTiming } from '@supergraph-lab/timing';
import { CACHE_LAYERS, EPOCH_KEY } from './layers.ts';
import type { CacheStore } from './store.ts';

const V = CACHE_LAYERS.version;

/**
 * Version tokens: the invalidation scheme every layer shares (see docs/caching.md).
 *
 * Each piece of data depends on named versions, each a random token in the store. A write gives
 * new tokens to the versions it changes before it answers. A cached entry remembers the tokens
 * it was read under (the entity cache puts them in its key; the response caches keep them beside
 * the entry) and is served only while they are all still current. Tokens are read before the
 * data, so an entry can never claim tokens newer than its data: no race can store a stale entry
 * under current tokens. The epoch token is part of every entry's dependencies.
 */
export const versionKeys = {
  /** The item's own fields. */
  item: (id: number) => `${V}item:${id}`,
  /** Its reviews: pages, summary. */
  itemReviews: (id: number) => `${V}item:${id}:reviews`,
  /** Its photos. */
  itemPhotos: (id: number) => `${V}item:${id}:photos`,
  /** Which items exist and in what order: every items list. */
  itemList: () => `${V}items`,
  review: (id: number) => `${V}review:${id}`,
  photo: (id: number) => `${V}photo:${id}`,
  epoch: () => EPOCH_KEY,
};

/** The tokens a response was built from, version key to token. */
export type Dependencies = Record<string, string>;

/**
 * Token of a version never written yet, on a store that keeps every token (Redis here): an item
 * nobody changed costs no token in the store.
 *
 * On a store that evicts (memcached), an absent token may be one that was written and then
 * evicted, and reading it as INITIAL would make current again every entry read before that
 * write. There an absent token is given a new random one instead (as a write would), so an
 * absent token never matches what an entry remembers: an eviction costs misses, never a stale read.
 */
const INITIAL = '0';

/**
 * Per-request token reads: every version key asked for in one tick is read in one round trip,
 * each at most once per request, and every token read is recorded as a dependency. It also
 * carries the request's timing and cancellation to where the request waits on the cache and the
 * database.
 */
export class VersionReader {
  readonly dependencies: Dependencies = {};
  /** False once a read failed: the request's dependencies are then incomplete. */
  complete = true;
  // made on the first read: with CACHE_MODE=off a request reads no token
  private loader: DataLoader<string, string | null> | null = null;

  constructor(
    private readonly store: CacheStore,
    /** The request's Server-Timing, which its cache and database waits count to. */
    readonly timing: RequestTiming | null = null,
    /** Aborted when the request's answer stops mattering: its reads are then not sent. */
    readonly cancellation: Cancellation | null = null,
  ) {}

  /** Tokens for `keys` (always with the epoch), or null when the cache is unavailable. */
  async read(keys: readonly string[]): Promise<string[] | null> {
    const all = [EPOCH_KEY, ...keys];
    this.loader ??= new DataLoader(async (keys) => {
      const values = await this.store.getMany<string>(keys, this.timing);
      if (values === null) {
        this.complete = false;
        return keys.map(() => null);
      }
      if (!this.store.evicts) return values.map((value) => value ?? INITIAL);
      // tokens are read before the data: one set now is as safe as a write's new token
      const tokens = values.map((value) => value ?? randomUUID());
      // ttl 0: kept until evicted, as a write's tokens are
      const minted = keys.flatMap((key, index) =>
        values[index] === undefined ? [{ key, value: tokens[index]!, ttlSeconds: 0 }] : [],
      );
      if (minted.length && !(await this.store.setMany(minted, this.timing))) {
        this.complete = false;
        return keys.map(() => null);
      }
      return tokens;
    });
    const tokens = await this.loader.loadMany(all);
    if (tokens.some((token) => typeof token !== 'string')) return null;
    all.forEach((key, index) => (this.dependencies[key] = tokens[index] as string));
    return tokens.slice(1) as string[];
  }
}

/** Whether stored dependencies are all still current: one round trip. */
export async function dependenciesCurrent(
  store: CacheStore,
  dependencies: Dependencies,
  timing?: RequestTiming | null,
): Promise<boolean> {
  const keys = Object.keys(dependencies);
  if (!keys.includes(EPOCH_KEY)) return false;
  const tokens = await store.getMany<string>(keys, timing);
  if (tokens === null) return false;
  // on a store that evicts, an absent token is never current (see INITIAL)
  return keys.every((key, index) => (tokens[index] ?? (store.evicts ? undefined : INITIAL)) === dependencies[key]);
}

/** What a batched read-through needs to know about one kind of value. */
export interface CachedKind<K, V> {
  /** Name in keys and stats, e.g. `reviewSummary`. */
  name: string;
  /** Stable identity of a key, without versions: `42` or `42:NEWEST:10:-`. */
  id(key: K): string;
  /** The versions the value depends on. */
  versions(key: K): string[];
  /** The database read of `keys`; with a cancellation, it is not sent once that aborted. */
  load(keys: readonly K[], cancellation?: Cancellation | null): Promise<V[]>;
  ttlSeconds: number;
  /** For values read back from JSON: turns ISO strings into Dates where the type has them. */
  revive?(value: unknown): V;
}

/** Which parts of the cache a request uses (CACHE_MODE). */
export interface CachePolicy {
  /** Serve and fill the entity cache. */
  entities: boolean;
  /** Read tokens to report dependencies (the response layer needs them). */
  dependencies: boolean;
}

/** Counts per layer, for the inspector and /metrics. */
export interface LayerStats {
  hits: number;
  misses: number;
}

/** One kind's keys in a read-through. */
export interface BatchPart<K, V> {
  kind: CachedKind<K, V>;
  keys: readonly K[];
}

type KeysOf<P> = P extends BatchPart<infer K, unknown> ? readonly K[] : never;
type ValuesOf<P> = P extends BatchPart<unknown, infer V> ? V[] : never;

/** Where a read-through keeps its store, the request's reader, the policy and the counts. */
export interface BatchContext {
  store: CacheStore;
  reader: VersionReader | null;
  policy: CachePolicy;
  stats?: LayerStats;
}

/**
 * Read-through for a DataLoader batch: tokens of all keys in one round trip, cached values under
 * those tokens in a second, the misses from `load` in one call, written back in one more.
 * `load` is the database: its time is the request's "db" part, the store's its "cache" part.
 */
export function cachedBatch<K, V>(kind: CachedKind<K, V>, keys: readonly K[], context: BatchContext): Promise<V[]> {
  return cachedBatches(
    [{ kind, keys }] as const,
    ([missing], cancellation) => kind.load(missing, cancellation).then((values) => [values]),
    context,
  ).then(([values]) => values);
}

/**
 * The same read-through for several kinds at once, whose misses one `load` reads together (one
 * statement where `cachedBatch` per kind would take one each): the round trips to the store are
 * shared too. `load` gets each part's missing keys and returns each part's values, in order.
 * A batch of a request that was abandoned rejects with its reason before each round trip.
 */
export async function cachedBatches<const P extends readonly BatchPart<unknown, unknown>[]>(
  parts: P,
  load: (
    missing: { [I in keyof P]: KeysOf<P[I]> },
    cancellation: Cancellation | null,
  ) => Promise<{ [I in keyof P]: ValuesOf<P[I]> }>,
  context: BatchContext,
): Promise<{ [I in keyof P]: ValuesOf<P[I]> }> {
  type Results = { [I in keyof P]: ValuesOf<P[I]> };
  const { store, reader, policy } = context;
  const timing = reader?.timing;
  const cancellation = reader?.cancellation ?? null;
  cancellation?.throwIfAborted();
  const loadMissing = (missing: readonly (readonly unknown[])[]) =>
    timed(timing, 'db', () => load(missing as { [I in keyof P]: KeysOf<P[I]> }, cancellation));
  const everything = () => loadMissing(parts.map((part) => part.keys));
  if (!reader || (!policy.entities && !policy.dependencies)) return everything();
  const versionLists = parts.map(({ kind, keys }) => keys.map((key) => kind.versions(key)));
  const tokens = await reader.read(versionLists.flat(2));
  if (!tokens || !policy.entities) return everything();

  let offset = 0;
  const epoch = reader.dependencies[EPOCH_KEY]!;
  const cacheKeys = parts.map(({ kind, keys }, part) =>
    versionLists[part]!.map((list, index) => {
      const own = tokens.slice(offset, (offset += list.length));
      return `${CACHE_LAYERS.entity}${epoch}:${kind.name}:${kind.id(keys[index])}@${own.join('.')}`;
    }),
  );
  const cached = await store.getMany<{ v: unknown }>(cacheKeys.flat(), timing);
  const results = parts.map(({ keys }) => new Array<unknown>(keys.length));
  const missing = parts.map(() => [] as number[]);
  let at = 0;
  parts.forEach(({ kind, keys }, part) =>
    keys.forEach((_, index) => {
      const entry = cached?.[at++];
      if (entry !== undefined) results[part]![index] = kind.revive ? kind.revive(entry.v) : entry.v;
      else missing[part]!.push(index);
    }),
  );
  const misses = missing.reduce((sum, list) => sum + list.length, 0);
  if (context.stats) {
    context.stats.hits += at - misses;
    context.stats.misses += misses;
  }
  if (misses === 0) return results as Results;
  const loaded = await loadMissing(missing.map((list, part) => list.map((index) => parts[part]!.keys[index])));
  const entries: { key: string; value: { v: unknown }; ttlSeconds: number }[] = [];
  missing.forEach((list, part) =>
    list.forEach((index, position) => {
      const value = (loaded[part] as unknown[])[position];
      results[part]![index] = value;
      entries.push({ key: cacheKeys[part]![index]!, value: { v: value }, ttlSeconds: parts[part]!.kind.ttlSeconds });
    }),
  );
  if (cached !== null) await store.setMany(entries, timing);
  return results as Results;
}

/** ISO timestamp strings back to Dates, for rows read from JSON. */
export function reviveDates<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reviveDates) as T;
  if (value && typeof value === 'object') {
    const row = value as Record<string, unknown>;
    for (const field of ['createdAt', 'updatedAt']) {
      if (typeof row[field] === 'string') row[field] = new Date(row[field] as string);
    }
  }
  return value;
}
