// The services' histograms, kept without prom-client's per-observation label hashing, scrape as
// prom-client's own Histogram scrapes the same observations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { histogramMetric } from '../src/metrics.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

test("a histogram's scrape is prom-client's, for any observations and label values", async () => {
  const observation = fc.tuple(
    fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(...BUCKETS)),
    fc.constantFrom('GET', 'POST'),
    fc.constantFrom('/graphql', '/api/items/:id', 'unmatched'),
    fc.constantFrom('200', '404', '503'),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
      const ours = new Registry();
      const theirs = new Registry();
      for (const registry of [ours, theirs]) registry.setDefaultLabels({ service: 'gateway' });
      const options = {
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration by route and status',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: BUCKETS,
      };
      const observe = histogramMetric({ ...options, registry: ours });
      const histogram = new Histogram({ ...options, buckets: [...BUCKETS], registers: [theirs] });
      for (const [value, ...labels] of observations) {
        observe(value, ...labels);
        histogram.labels(...labels).observe(value);
      }
      assert.equal(await ours.metrics(), await theirs.metrics());
      // as JSON (prom-client's leaves an `exemplar: undefined` on some values, which JSON drops)
      const json = async (registry: Registry) =>
        JSON.parse(JSON.stringify(await registry.getMetricsAsJSON())) as unknown;
      assert.deepEqual(await json(ours), await json(theirs));
    }),
    { numRuns: 200 },
  );
});
