import type { SubgraphCache } from '@supergraph-lab/cache';
import { poolStats, type PrismaClient } from '@supergraph-lab/db';
import type { FastifyInstance } from 'fastify';
import { cacheLookupsMetric, countsMetric, memoryStoreMetrics } from '@supergraph-lab/http';
import { Gauge } from 'prom-client';

/**
 * A subgraph's own series in /metrics, read at scrape time: its database pool, the SQL
 * statements it sent (when it counts them), its entity cache's lookups and memory store.
 */
export function registerSubgraphMetrics(
  app: FastifyInstance,
  prisma: PrismaClient,
  cache: SubgraphCache,
  statements: { count: number } | null,
): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state (waiting: requests queued for a connection)',
    labelNames: ['state'] as const,
    registers: [app.metrics],
    collect() {
      const stats = poolStats(prisma);
      if (!stats) return;
      this.set({ state: 'open' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'in_use' }, stats.total - stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  if (statements)
    countsMetric(app.metrics, 'db_statements_total', 'SQL statements sent to the database', [], () => [
      [{}, statements.count],
    ]);
  cacheLookupsMetric(app.metrics, 'Entity cache lookups by result', { entity: cache.stats });
  memoryStoreMetrics(app.metrics, () => cache.store.memoryUsage());
}
