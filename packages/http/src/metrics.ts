import { Counter, Gauge, type Histogram, type Registry } from 'prom-client';

/**
 * `observe(value, ...labelValues)` on a histogram, through one labelled child per combination of
 * label values, kept: prom-client hashes a label object on every plain `observe`. For label sets
 * the service bounds itself (routes, statuses, the operation names it keeps).
 */
export function histogramObserver<Label extends string>(
  histogram: Histogram<Label>,
): (value: number, ...labelValues: string[]) => void {
  const children = new Map<string, ReturnType<Histogram<Label>['labels']>>();
  return (value, ...labelValues) => {
    const key = labelValues.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = histogram.labels(...labelValues)));
    child.observe(value);
  };
}

/**
 * A counter in `registry` read at scrape time from plain counts its hot path keeps (a number's
 * increment costs nanoseconds; prom-client's labelled `inc` hashes its labels on every call):
 * `read` gives each series' label values and count so far.
 */
export function countsMetric<Label extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly Label[],
  read: () => Iterable<[Partial<Record<Label, string>>, number]>,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, count] of read()) this.inc(labels, count);
    },
  });
}

/**
 * `cache_requests_total{layer,result}` in a service's /metrics, read at scrape time from the
 * plain hit and miss counts its hot path keeps (a counter increment per lookup would cost more).
 */
export function cacheLookupsMetric(
  registry: Registry,
  help: string,
  layers: Record<string, { hits: number; misses: number }>,
): void {
  countsMetric(registry, 'cache_requests_total', help, ['layer', 'result'], () =>
    Object.entries(layers).flatMap(([layer, stats]) => [
      [{ layer, result: 'hit' }, stats.hits] as [Record<string, string>, number],
      [{ layer, result: 'miss' }, stats.misses] as [Record<string, string>, number],
    ]),
  );
}

/** A gauge in `registry` set from `read()` at scrape time: the hot path keeps plain numbers, not metrics. */
export function scrapeGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * `cache_memory_store_bytes` and `_entries`: what the in-memory cache store holds (no CACHE_URL or
 * REDIS_URL), bounded by CACHE_MEMORY_BYTES; 0 while a shared store serves.
 */
export function memoryStoreMetrics(registry: Registry, usage: () => { bytes: number; entries: number } | null): void {
  scrapeGauge(
    registry,
    'cache_memory_store_bytes',
    'Key plus serialized value bytes the in-memory cache store holds (bounded by CACHE_MEMORY_BYTES)',
    () => usage()?.bytes ?? 0,
  );
  scrapeGauge(
    registry,
    'cache_memory_store_entries',
    'Entries the in-memory cache store holds',
    () => usage()?.entries ?? 0,
  );
}
