import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SubgraphName } from '@supergraph-lab/config';
import { connect, poolStats } from '@supergraph-lab/db';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { graphql } from '@supergraph-lab/stack';
import { seededStack, type SeededStack } from '@supergraph-lab/stack/fixture';
import { eventually } from '@supergraph-lab/testing';
import type { FastifyInstance } from 'fastify';

/** `requests_cancelled_total` of one service for `reason`. */
async function cancelled(app: FastifyInstance, reason: 'client_closed' | 'deadline'): Promise<number> {
  const metric = await app.metrics.getSingleMetric('requests_cancelled_total')!.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

/**
 * Holds an exclusive lock on `items` in a transaction of its own, so every statement that reads
 * the table waits: a request made slow exactly where the test wants it. `waiters()` counts the
 * statements waiting on it.
 */
async function lockItems(url: string): Promise<{ waiters(): Promise<number>; release(): Promise<void> }> {
  const holder = await connect(url);
  const observer = await connect(url);
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
  let released = false;
  return {
    async waiters() {
      const { rows } = await observer.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
        [(holder as unknown as { processID: number }).processID],
      );
      return rows[0]!.waiting;
    },
    async release() {
      if (released) return;
      released = true;
      await holder.query('COMMIT');
      await Promise.all([holder.end(), observer.end()]);
    },
  };
}

/** Starts a POST the test can abandon: aborting it closes its connection, as a client that gives up does. */
function abandonable(url: string, body: unknown, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const answer = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  }).then(
    (response) => response.status,
    () => 'aborted' as const,
  );
  return { answer, abandon: () => controller.abort() };
}

describe('abandoned work stops', () => {
  const statements: { subgraph: SubgraphName; sql: string }[] = [];
  const subgraphRequests: { subgraph: SubgraphName; requestId: string }[] = [];
  const stack: SeededStack = seededStack('gateway_cancellation', {
    items: 20,
    seed: 5,
    // one connection per subgraph: a second read waits for it in the pool; no fetch times out
    // while the test waits, so only a cancellation can end one
    env: { CACHE_MODE: 'off', DB_POOL_SIZE: '1', SUBGRAPH_TIMEOUT_MS: '60000' },
    onQuery: (subgraph, sql) => statements.push({ subgraph, sql }),
    onSubgraphRequest: (subgraph, headers) =>
      subgraphRequests.push({ subgraph, requestId: String(headers['x-request-id'] ?? '') }),
  });

  test('a client that leaves mid-page: the gateway sends no further subgraph fetch, and no statement runs for it after', async () => {
    const items = stack.subgraphs.items.app;
    const closedBefore = await cancelled(stack.gateway.app, 'client_closed');
    const itemsClosedBefore = await cancelled(items, 'client_closed');
    const lock = await lockItems(stack.db.url);
    try {
      const page = abandonable(
        `${stack.gatewayUrl}/graphql`,
        { query: ITEM_PAGE_QUERY, variables: itemPageVariables(3) },
        { 'x-request-id': 'abandoned-page' },
      );
      // the item's read is sent and waits on the lock: the page is mid-way
      await eventually(
        () => subgraphRequests.some((r) => r.subgraph === 'items' && r.requestId === 'abandoned-page'),
        10_000,
        'the items fetch',
      );
      await eventually(async () => (await lock.waiters()) === 1, 10_000, 'the item read to wait on the lock');
      page.abandon();
      assert.equal(await page.answer, 'aborted');
      await eventually(
        async () => (await cancelled(stack.gateway.app, 'client_closed')) > closedBefore,
        10_000,
        'the gateway to count the page as cancelled',
      );
      // the gateway cut its fetch: the items subgraph sees its client leave too
      await eventually(
        async () => (await cancelled(items, 'client_closed')) > itemsClosedBefore,
        10_000,
        'the items subgraph to count its request as cancelled',
      );
      const mark = statements.length;
      await lock.release();
      // a page asked after the release is answered in full: everything the abandoned one would
      // have done next, had it gone on, was due before this one's last fetch
      const next = await graphql(stack.gatewayUrl, ITEM_PAGE_QUERY, itemPageVariables(4));
      assert.equal(next.errors, undefined, JSON.stringify(next.errors));
      assert.equal(next.data!.item.id, '4');
      await eventually(() => poolStats(stack.subgraphs.items.prisma)?.waiting === 0, 10_000, 'the pool to settle');
      assert.deepEqual(
        subgraphRequests.filter((r) => r.requestId === 'abandoned-page').map((r) => r.subgraph),
        ['items'],
        'no reviews or photos fetch for the abandoned page',
      );
      // after the release, the next page's reads only: one statement in each subgraph
      assert.deepEqual(
        statements
          .slice(mark)
          .map((s) => s.subgraph)
          .sort(),
        ['items', 'photos', 'reviews'],
        JSON.stringify(statements.slice(mark)),
      );
    } finally {
      await lock.release();
    }
  });

  test('a read abandoned while it waits for a database connection is never sent', async () => {
    const items = stack.subgraphs.items;
    const url = `${stack.subgraphUrls.items}/graphql`;
    const query = { query: 'query ($id: ID!) { item(id: $id) { id name } }' };
    const lock = await lockItems(stack.db.url);
    try {
      // the first read takes the pool's one connection and waits on the lock
      const first = abandonable(url, { ...query, variables: { id: '1' } });
      await eventually(async () => (await lock.waiters()) === 1, 10_000, 'the first read to wait on the lock');
      // the second waits for the connection: abandoned there
      const second = abandonable(url, { ...query, variables: { id: '2' } });
      await eventually(() => poolStats(items.prisma)?.waiting === 1, 10_000, 'the second read to wait');
      const before = await cancelled(items.app, 'client_closed');
      second.abandon();
      await eventually(
        async () => (await cancelled(items.app, 'client_closed')) > before,
        10_000,
        'the subgraph to count the second read as cancelled',
      );
      const mark = statements.length;
      await lock.release();
      assert.equal(await first.answer, 200);
      // the second request got the connection and gave it back without a statement
      await eventually(
        () => {
          const pool = poolStats(items.prisma);
          return pool?.waiting === 0 && pool.idle === pool.total;
        },
        10_000,
        'the pool to be idle',
      );
      assert.deepEqual(statements.slice(mark), [], 'no statement after the abandoned read');
    } finally {
      await lock.release();
    }
  });
});

describe('past the deadline', () => {
  const stack: SeededStack = seededStack('gateway_deadline', {
    items: 5,
    seed: 6,
    env: { CACHE_MODE: 'off', REQUEST_TIMEOUT_MS: '800' },
  });

  test('a request past its deadline gets 503, counts as cancelled, and its statement is cancelled by Postgres', async () => {
    const lock = await lockItems(stack.db.url);
    try {
      const before = await cancelled(stack.subgraphs.items.app, 'deadline');
      const started = Date.now();
      const response = await fetch(`${stack.subgraphUrls.items}/api/items/1`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.match(((await response.json()) as { detail: string }).detail, /longer than 800 ms/);
      assert.ok(Date.now() - started < 5000);
      assert.equal(await cancelled(stack.subgraphs.items.app, 'deadline'), before + 1);
      // the read that waited on the lock is not left waiting: statement_timeout ends it while
      // the lock is still held
      await eventually(async () => (await lock.waiters()) === 0, 5000, 'the waiting statement to be cancelled');
    } finally {
      await lock.release();
    }
    const after = await fetch(`${stack.subgraphUrls.items}/api/items/1`);
    assert.equal(after.status, 200);
  });
});
