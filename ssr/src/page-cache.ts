// Whole item pages, cached like the gateway's responses (packages/cache's read-through): kept
// with the version tokens their data was built from, served while those are current. Only with a
// store every writer shares (Redis); its mode is switched at runtime by the load lab.
import {
  currentEntry,
  keepEntry,
  layerKey,
  type CacheStore,
  type Dependencies,
  type LayerStats,
} from '@supergraph-lab/cache';
import type { CacheMode } from '@supergraph-lab/config';
import type { RequestTiming } from '@supergraph-lab/timing';
import type { PageRequest } from './page-data.ts';

export interface PageCache {
  /** CACHE_MODE for pages: `response` and `all` cache them. */
  mode: CacheMode;
  /** Lookups since start (the lab and /metrics read them). */
  readonly stats: LayerStats;
  /** Whether pages are served from the cache now. */
  enabled(): boolean;
  /** The cached page for this request, or null (counted as a hit or a miss). */
  read(key: string, timing: RequestTiming | null): Promise<string | null>;
  /** Keeps a page built from `dependencies`, in the background. */
  keep(key: string, html: string, dependencies: Dependencies): void;
}

/** The page's key: its source, item, sort and review page. */
export const pageKey = (source: 'graphql' | 'rest', page: PageRequest) =>
  layerKey('page', `${source}:${page.id}:${page.sort}:${page.after ?? ''}`);

export function createPageCache(store: CacheStore, mode: CacheMode, ttlSeconds: number): PageCache {
  const stats: LayerStats = { hits: 0, misses: 0 };
  const cache: PageCache = {
    mode,
    stats,
    enabled: () => (cache.mode === 'response' || cache.mode === 'all') && store.shared,
    async read(key, timing) {
      const entry = await currentEntry<{ html: string }>(store, key, timing);
      if (entry) stats.hits++;
      else stats.misses++;
      return entry?.html ?? null;
    },
    keep(key, html, dependencies) {
      void keepEntry<{ html: string }>(store, key, { html, dependencies }, ttlSeconds);
    },
  };
  return cache;
}
