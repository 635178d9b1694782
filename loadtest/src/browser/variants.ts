// What the browser bench measures and how it sums it up: the variants, the metrics, the summary.
// No browser or Node dependencies, so the lab's page shows the same numbers as the CLI.
import { median, percentile } from '@supergraph-lab/timing/stats';

/** The four ways to build the item page (docs/contract.md, "SSR"). */
export const BROWSER_VARIANTS = {
  ssr: { label: 'SSR over GraphQL', path: (id: number) => `/items/${id}` },
  'ssr-rest': { label: 'SSR over REST', path: (id: number) => `/items/${id}?source=rest` },
  spa: { label: 'SPA over GraphQL', path: (id: number) => `/spa/items/${id}` },
  'spa-rest': { label: 'SPA over REST', path: (id: number) => `/spa/items/${id}?source=rest` },
} as const;
export type BrowserVariant = keyof typeof BROWSER_VARIANTS;
export const VARIANT_NAMES = Object.keys(BROWSER_VARIANTS) as BrowserVariant[];

/** Chrome DevTools' network presets (its throttling menu's numbers). */
export const NETWORK_PROFILES = {
  'slow-4g': { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 },
  'fast-4g': { latency: 60, downloadThroughput: (9 * 1024 * 1024) / 8, uploadThroughput: (1.5 * 1024 * 1024) / 8 },
  '3g': { latency: 300, downloadThroughput: (700 * 1024) / 8, uploadThroughput: (700 * 1024) / 8 },
} as const;
export type NetworkProfile = keyof typeof NETWORK_PROFILES;

/** One page load's numbers, in ms from the navigation's start (bytes and requests: what went over the wire). */
export interface PageLoad {
  ttfb: number;
  fcp: number;
  lcp: number;
  itemVisible: number;
  bytes: number;
  requests: number;
}
export const METRICS = ['ttfb', 'fcp', 'lcp', 'itemVisible'] as const;
export type Metric = (typeof METRICS)[number];

/** What one variant showed at one background rate. */
export interface VariantResult {
  variant: BrowserVariant;
  backgroundRate: number;
  loads: PageLoad[];
  /** p50 and p95 of each metric; medians of bytes and requests. */
  summary: Record<Metric, { p50: number; p95: number }> & { bytes: number; requests: number };
}

export function summarize(loads: readonly PageLoad[]): VariantResult['summary'] {
  const of = (metric: Metric) => {
    const values = loads.map((load) => load[metric]);
    return { p50: percentile(values, 50), p95: percentile(values, 95) };
  };
  return {
    ttfb: of('ttfb'),
    fcp: of('fcp'),
    lcp: of('lcp'),
    itemVisible: of('itemVisible'),
    bytes: median(loads.map((load) => load.bytes)),
    requests: median(loads.map((load) => load.requests)),
  };
}

/** One variant's loads at one background rate, summed up; null when it has none yet. */
export function variantResult(
  variant: BrowserVariant,
  backgroundRate: number,
  loads: PageLoad[],
): VariantResult | null {
  return loads.length ? { variant, backgroundRate, loads, summary: summarize(loads) } : null;
}
