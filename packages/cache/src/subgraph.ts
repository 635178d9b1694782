import type { CacheMode } from '@supergraph-lab/config';
import type { Cancellation, RequestTiming } from '@supergraph-lab/timing';
import { policyFor } from './policy.ts';
import type { CacheStore } from './store.ts';
import {
  cachedBatch,
  cachedBatches,
  VersionReader,
  type BatchPart,
  type CachedKind,
  type CachePolicy,
  type Dependencies,
  type LayerStats,
} from './versions.ts';

/** A subgraph's cache: the shared store, the current mode, its entity-layer counts. */
export interface SubgraphCache {
  readonly store: CacheStore;
  /** The current CACHE_MODE; can change at run time. */
  mode: CacheMode;
  readonly policy: CachePolicy;
  readonly stats: LayerStats;
  /** A reader for one request, carrying its timing and cancellation; it reads tokens only where the mode says so. */
  readerForRequest(timing?: RequestTiming | null, cancellation?: Cancellation | null): VersionReader;
  /** Read-through of one DataLoader batch under the current mode. */
  load<K, V>(kind: CachedKind<K, V>, keys: readonly K[], reader: VersionReader | null): Promise<V[]>;
  /** Read-through of two kinds' batches whose misses `load` reads together (one statement for both). */
  loadTogether<KA, VA, KB, VB>(
    a: BatchPart<KA, VA>,
    b: BatchPart<KB, VB>,
    load: (
      missing: readonly [readonly KA[], readonly KB[]],
      cancellation: Cancellation | null,
    ) => Promise<readonly [VA[], VB[]]>,
    reader: VersionReader | null,
  ): Promise<readonly [VA[], VB[]]>;
  /**
   * After a committed write: new tokens for every version it changed, before the write answers;
   * false when the store did not take them (the write's outbox row then stays, to be replayed).
   */
  invalidate(versionKeys: readonly string[]): Promise<boolean>;
}

export function createSubgraphCache(store: CacheStore, initialMode: CacheMode): SubgraphCache {
  const stats: LayerStats = { hits: 0, misses: 0 };
  let mode = initialMode;
  return {
    store,
    stats,
    get mode() {
      return mode;
    },
    set mode(next: CacheMode) {
      mode = next;
    },
    get policy() {
      return policyFor(mode);
    },
    readerForRequest(timing, cancellation) {
      return new VersionReader(store, timing, cancellation);
    },
    load(kind, keys, reader) {
      return cachedBatch(kind, keys, { store, reader, policy: policyFor(mode), stats });
    },
    loadTogether(a, b, load, reader) {
      return cachedBatches([a, b] as const, load, { store, reader, policy: policyFor(mode), stats });
    },
    invalidate(versionKeys) {
      // always, whatever the mode: entries written under another mode must not outlive the write
      return store.replaceTokens([...new Set(versionKeys)]);
    },
  };
}

/** The header a subgraph's REST answers carry their dependencies in (base64url JSON). */
export const DEPENDENCIES_HEADER = 'x-cache-dependencies';

/**
 * The request header (value `1`) by which a caller of the gateway, the SSR page cache, asks for
 * the dependencies of an answer: in DEPENDENCIES_HEADER for REST, in the `cacheDependencies`
 * extension for GraphQL.
 */
export const WANT_DEPENDENCIES_HEADER = 'x-want-cache-dependencies';

export function encodeDependencies(dependencies: Dependencies): string {
  return Buffer.from(JSON.stringify(dependencies)).toString('base64url');
}

export function decodeDependencies(header: string | string[] | undefined): Dependencies | null {
  if (typeof header !== 'string') return null;
  try {
    const value = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Dependencies) : null;
  } catch {
    return null;
  }
}
