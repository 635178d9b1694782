import { Counter, Gauge, type Registry } from 'prom-client';

/** What a histogram is told: its name, help, label names and bucket bounds, and where it is scraped. */
export interface HistogramOptions<Label extends string> {
  name: string;
  help: string;
  labelNames: readonly Label[];
  buckets: readonly number[];
  registry: Registry;
}

/**
 * A histogram in `registry` whose `observe(value, ...labelValues)` costs a bucket search and three
 * additions on a series kept per combination of label values; prom-client's own `observe`, even a
 * labelled child's, builds and hashes a label object on every call (about 1.3% of the gateway's CPU
 * per page). Scraped as prom-client writes a histogram: each series' cumulative buckets, `+Inf`,
 * `_sum` and `_count`. For label sets the service bounds itself (routes, statuses, the operation
 * names it keeps).
 */
export function histogramMetric<Label extends string>(
  options: HistogramOptions<Label>,
): (value: number, ...labelValues: string[]) => void {
  const { name, help, labelNames, buckets } = options;
  const series = new Map<string, { labels: Record<string, string>; counts: number[]; sum: number; count: number }>();
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    // as prom-client's Histogram gives them: `le` as the value's labels, the series' as shared ones
    getForPromString() {
      const values: {
        labels: Record<string, string | number>;
        sharedLabels: Record<string, string>;
        value: number;
        metricName: string;
        exemplar?: null;
      }[] = [];
      for (const { labels, counts, sum, count } of series.values()) {
        let cumulative = 0;
        buckets.forEach((le, i) => {
          cumulative += counts[i]!;
          values.push({
            labels: { le },
            sharedLabels: labels,
            value: cumulative,
            metricName: `${name}_bucket`,
            exemplar: null,
          });
        });
        values.push({
          labels: { le: '+Inf' },
          sharedLabels: labels,
          value: count,
          metricName: `${name}_bucket`,
          exemplar: null,
        });
        values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum` });
        values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
    get() {
      const data = metric.getForPromString();
      const values = data.values.map(({ labels, sharedLabels, ...value }) => ({
        ...value,
        labels: { ...labels, ...sharedLabels },
      }));
      return { ...data, values };
    },
    reset() {
      series.clear();
    },
  };
  options.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  return (value, ...labelValues) => {
    const key = labelValues.join('\u0000');
    let entry = series.get(key);
    if (!entry) {
      const labels = Object.fromEntries(labelNames.map((label, i) => [label, labelValues[i] ?? '']));
      series.set(key, (entry = { labels, counts: new Array<number>(buckets.length).fill(0), sum: 0, count: 0 }));
    }
    let bucket = 0;
    while (bucket < buckets.length && value > buckets[bucket]!) bucket++;
    if (bucket < buckets.length) entry.counts[bucket]!++;
    entry.sum += value;
    entry.count++;
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
