import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { createCacheStore, createSubgraphCache, type CacheStore, type SubgraphCache } from '@supergraph-lab/cache';
import { readConfig } from '@supergraph-lab/config';
import { createPrismaClient, type PrismaClient } from '@supergraph-lab/db';
import { createSsrService, type SsrService } from '@supergraph-lab/ssr';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { createWrites, type Writes } from '@supergraph-lab/subgraph';
import { startStack, type Stack, type StackOptions } from './index.ts';

/** The stack a describe block runs against, and the database under it. */
export interface SeededStack extends Stack {
  readonly db: TestDatabase;
  /** A Prisma client on that database, for what a test reads or writes behind the API's back. */
  readonly prisma: PrismaClient;
  /** The SSR service's address, on the stack's gateway (with `ssr: true`). */
  readonly ssrUrl: string;
}

/**
 * A database of its own (`name`), seeded with `items` items, and the whole API started on it in
 * this process (with `ssr: true` the SSR service too, on the same `env`): made in a `before` hook
 * of the enclosing describe block, closed and dropped in an `after` hook. The result reads like
 * the Stack it stands for (`stack.gatewayUrl`) once the hook has run; `stack.db` is the database.
 */
export function seededStack(
  name: string,
  options: { items: number; seed: number; ssr?: boolean } & Omit<StackOptions, 'databaseUrl'>,
): SeededStack {
  let db: TestDatabase | undefined;
  let stack: Stack | undefined;
  let prisma: PrismaClient | undefined;
  let ssr: { service: SsrService; url: string } | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`seededStack("${name}") was used before its before() hook ran`);
    return value;
  };
  const { items, seed, ssr: withSsr, ...stackOptions } = options;
  before(async () => {
    db = await createTestDatabase(name);
    await loadShopData({ url: db.url, items, seed });
    stack = await startStack({ ...stackOptions, databaseUrl: db.url });
    prisma = createPrismaClient(db.url);
    if (withSsr) {
      const service = createSsrService(readConfig({ ...stackOptions.env, LOG_LEVEL: 'silent' }), {
        gatewayUrl: stack.gatewayUrl,
      });
      ssr = { service, url: await service.listen(0) };
    }
  });
  after(async () => {
    await ssr?.service.close();
    await prisma?.$disconnect();
    await stack?.close();
    await db?.drop();
  });
  return {
    get db() {
      return ready(db);
    },
    get prisma() {
      return ready(prisma);
    },
    get ssrUrl() {
      if (!withSsr) throw new Error(`seededStack("${name}") has no SSR service: ask for it with ssr: true`);
      return ready(ssr).url;
    },
    get gatewayUrl() {
      return ready(stack).gatewayUrl;
    },
    get subgraphUrls() {
      return ready(stack).subgraphUrls;
    },
    get subgraphs() {
      return ready(stack).subgraphs;
    },
    get gateway() {
      return ready(stack).gateway;
    },
    close: () => ready(stack).close(),
  };
}

/** What a subgraph module is made from, on a seeded database of its own (tests of a module's rules without HTTP). */
export interface ModuleParts {
  readonly prisma: PrismaClient;
  readonly cache: SubgraphCache;
  readonly writes: Writes;
}

/**
 * A database of its own seeded with `items` items, and what `createXModule(prisma, cache,
 * writes)` takes, with an in-memory entity cache (CACHE_MODE=all): made in a `before` hook,
 * closed and dropped in an `after` hook.
 */
export function moduleParts(name: string, options: { items: number; seed: number }): ModuleParts {
  let parts: (ModuleParts & { db: TestDatabase; store: CacheStore }) | undefined;
  before(async () => {
    const db = await createTestDatabase(name);
    await loadShopData({ url: db.url, items: options.items, seed: options.seed });
    const prisma = createPrismaClient(db.url);
    const store = createCacheStore({ namespace: `sgl-${name}-${randomUUID().slice(0, 8)}` });
    const cache = createSubgraphCache(store, 'all');
    const writes = createWrites(prisma, cache, { idempotencyKeyTtlSeconds: 3600, replayIntervalMs: 0 });
    parts = { db, store, prisma, cache, writes };
  });
  after(async () => {
    await parts?.writes.close();
    await parts?.store.close();
    await parts?.prisma.$disconnect();
    await parts?.db.drop();
  });
  const ready = () => {
    if (!parts) throw new Error(`moduleParts("${name}") was used before its before() hook ran`);
    return parts;
  };
  return {
    get prisma() {
      return ready().prisma;
    },
    get cache() {
      return ready().cache;
    },
    get writes() {
      return ready().writes;
    },
  };
}
