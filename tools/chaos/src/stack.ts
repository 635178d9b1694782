// The chaos suite's stack: start:scaled on a seeded database of its own, reached through a TCP
// proxy (so a cut is real), with a redis-server of its own (so stopping it harms no one else).
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createPrismaClient } from '@supergraph-lab/db';
import { createTestDatabase, postgresProxy, type PostgresProxy, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import type { Balancer } from '@supergraph-lab/stack/balancer';
import { startScaledStack, type ScaledStack } from '@supergraph-lab/stack/scaled';
import { startRedis, type OwnRedis } from '@supergraph-lab/testing';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface ChaosStack {
  scaled: ScaledStack;
  db: TestDatabase;
  proxy: PostgresProxy;
  /** The redis-server the services use now (a new process after each restart, on the same port). */
  redis(): OwnRedis;
  stopRedis(): Promise<void>;
  startRedis(): Promise<void>;
  maxItemId: number;
  /** Where start:scaled's output goes. */
  logFile: string;
  close(): Promise<void>;
}

/**
 * Seeds `items` items into a database of its own, and starts start:scaled behind `balancer` on
 * it through the proxy, with every cache layer on (CACHE_MODE=all) in its own Redis.
 */
export async function startChaosStack(options: { balancer: Balancer; items: number }): Promise<ChaosStack> {
  const db = await createTestDatabase('chaos');
  const opened: { close(): Promise<void> }[] = [{ close: () => db.drop() }];
  const closeAll = async () => {
    for (const one of opened.reverse()) await one.close().catch(() => undefined);
  };
  try {
    await loadShopData({ url: db.url, items: options.items, seed: 30 });
    const proxy = await postgresProxy(db.url);
    opened.push(proxy);
    let redis = await startRedis();
    opened.push({ close: () => redis.stop() });
    const logDir = path.join(ROOT, '.data', 'chaos');
    mkdirSync(logDir, { recursive: true });
    const logFile = path.join(logDir, `${db.name}.log`);
    const log = createWriteStream(logFile);
    opened.push({ close: () => new Promise<void>((resolve) => log.end(resolve)) });
    const start = () =>
      startScaledStack({
        databaseUrl: proxy.url,
        balancer: options.balancer,
        env: { REDIS_URL: redis.url, CACHE_URL: redis.url, CACHE_MODE: 'all', LOG_LEVEL: 'warn' },
        onLine: (line) => log.write(`${new Date().toISOString()} ${line}\n`),
      });
    // start:scaled gives each service a minute to be ready: on a machine busy enough to miss it, once more
    const scaled = await start().catch((error: Error) => {
      log.write(`${new Date().toISOString()} [chaos] ${error.message.split('\n')[0]}: starting it again\n`);
      return start();
    });
    opened.push({ close: () => scaled.stop() });
    const prisma = createPrismaClient(db.url);
    const maxItemId = (await prisma.item.aggregate({ _max: { id: true } }))._max.id ?? 0;
    await prisma.$disconnect();
    return {
      scaled,
      db,
      proxy,
      redis: () => redis,
      stopRedis: () => redis.stop(),
      async startRedis() {
        redis = await startRedis(redis.port);
      },
      maxItemId,
      logFile,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
