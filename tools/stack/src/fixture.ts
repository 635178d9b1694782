import { after, before } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { startStack, type Stack, type StackOptions } from './index.ts';

/** The stack a describe block runs against, and the database under it. */
export interface SeededStack extends Stack {
  readonly db: TestDatabase;
}

/**
 * A database of its own (`name`), seeded with `items` items, and the whole API started on it in
 * this process: made in a `before` hook of the enclosing describe block, closed and dropped in
 * an `after` hook. The result reads like the Stack it stands for (`stack.gatewayUrl`) once the
 * hook has run; `stack.db` is the database.
 */
export function seededStack(
  name: string,
  options: { items: number; seed: number } & Omit<StackOptions, 'databaseUrl'>,
): SeededStack {
  let db: TestDatabase | undefined;
  let stack: Stack | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`seededStack("${name}") was used before its before() hook ran`);
    return value;
  };
  const { items, seed, ...stackOptions } = options;
  before(async () => {
    db = await createTestDatabase(name);
    await loadShopData({ url: db.url, items, seed });
    stack = await startStack({ ...stackOptions, databaseUrl: db.url });
  });
  after(async () => {
    await stack?.close();
    await db?.drop();
  });
  return {
    get db() {
      return ready(db);
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
