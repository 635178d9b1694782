import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '@supergraph-lab/testing';
import { Cancellation } from '@supergraph-lab/timing';
import { createPrismaClient, readRows, type PrismaClient } from '../src/client.ts';
import { createTestDatabase, databaseProxy, type DatabaseProxy, type TestDatabase } from '../src/testing.ts';

// A read that can be abandoned holds its connection out of the pool while its statement runs. The
// database going away then (a cut, a failover, a restart) must fail that read, not the process:
// under the chaos suite's Postgres cut, the subgraphs died of an unhandled 'error' event on such a
// connection, and the stack took seconds more to recover while the supervisor restarted them.

const SLOW = { name: 'connection_lost_slow', sql: { postgres: 'SELECT pg_sleep(5)', mariadb: 'SELECT sleep(5)' } };

let db: TestDatabase;
let proxy: DatabaseProxy;
let prisma: PrismaClient;

before(async () => {
  db = await createTestDatabase('connection_lost');
  proxy = await databaseProxy(db.url);
  prisma = createPrismaClient(proxy.url, { poolSize: 2 });
});

after(async () => {
  await prisma?.$disconnect().catch(() => {});
  await proxy?.close();
  await db?.drop();
});

test('a cancellable read whose connection is cut fails, and the process goes on', async () => {
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  try {
    proxy.holdNext('sleep(5)');
    const read = readRows(prisma, SLOW, [], new Cancellation()).then(
      () => null,
      (error: unknown) => error,
    );
    await eventually(() => proxy.holding(), 10_000, 'the statement to reach the proxy');
    proxy.cut();
    const error = await read;
    assert.ok(error instanceof Error, 'the read failed');
    // the 'error' event comes on its own tick, after the read's rejection
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', record);
    proxy.restore();
  }
  // the pool serves again once the database is back
  const [row] = await readRows<{ one: number }>(
    prisma,
    { name: 'connection_lost_one', sql: { postgres: 'SELECT 1 AS one', mariadb: 'SELECT 1 AS one' } },
    [],
    new Cancellation(),
  );
  assert.equal(Number(row?.one), 1);
});
