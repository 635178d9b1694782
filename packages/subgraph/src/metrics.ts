import type { SubgraphCache } from '@supergraph-lab/cache';
import { poolStats, type PrismaClient } from '@supergraph-lab/db';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';

/** A subgraph's own series in /metrics: its database pool, its entity cache's lookups (read at scrape time). */
export function registerSubgraphMetrics(app: FastifyInstance, prisma: PrismaClient, cache: SubgraphCache): void {
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
  new Counter({
    name: 'cache_requests_total',
    help: 'Entity cache lookups by result',
    labelNames: ['layer', 'result'] as const,
    registers: [app.metrics],
    collect() {
      this.reset();
      this.inc({ layer: 'entity', result: 'hit' }, cache.stats.hits);
      this.inc({ layer: 'entity', result: 'miss' }, cache.stats.misses);
    },
  });
}
