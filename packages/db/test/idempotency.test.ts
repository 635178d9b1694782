// createUnderKey's lock lasts as long as its transaction, on Postgres and MariaDB: a request with
// the same key that arrives between the first's answer and its commit is told "in use" (then
// replayed), never a primary-key error; a unique violation on the key is "in use" too.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eventually } from '@supergraph-lab/testing';
import { createPrismaClient, createUnderKey, type PrismaClient, type StoredAnswer } from '../src/index.ts';
import { createTestDatabase, databaseProxy, LOCK_WAITS_POLL_MS, lockWaits, type TestDatabase } from '../src/testing.ts';

const answer = (body: string): StoredAnswer => ({ status: 201, headers: { location: '/x' }, body });

describe('createUnderKey', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  before(async () => {
    db = await createTestDatabase('idempotency_lock');
    prisma = createPrismaClient(db.url);
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  test('a repeat between the first answer and its commit is in use, then replayed; never a key error', async () => {
    // a TCP proxy, whatever the protocol: both databases' drivers send COMMIT as text
    const proxy = await databaseProxy(db.url);
    const first = createPrismaClient(proxy.url);
    try {
      const key = { key: randomUUID(), fingerprint: 'f' };
      proxy.holdNext('COMMIT');
      const one = createUnderKey(first, key, 3600, async () => ({ value: 1, answer: answer('{"b":1,"a":2}') }));
      // the first has answered and stored its answer; its COMMIT is on the wire, held
      await eventually(() => proxy.holding(), 10_000, 'the first COMMIT');
      const waitsBefore = await lockWaits(prisma);
      const repeat = createUnderKey(prisma, key, 3600, async () => ({ value: 2, answer: answer('{"c":3}') }));
      // settled at once (in use), or blocked on the first's row: either way, let the first commit
      await Promise.race([
        repeat.catch(() => undefined),
        eventually(
          async () => (await lockWaits(prisma)) > waitsBefore,
          10_000,
          'the repeat to wait',
          LOCK_WAITS_POLL_MS,
        ),
      ]);
      proxy.release();
      assert.deepEqual(await one, { kind: 'created', value: 1, answer: answer('{"b":1,"a":2}') });
      assert.deepEqual(await repeat, { kind: 'in-use' });
      const later = await createUnderKey(prisma, key, 3600, async () => ({ value: 3, answer: answer('{}') }));
      assert.deepEqual(later, { kind: 'replayed', answer: answer('{"b":1,"a":2}') }, 'the bytes stored, as sent');
    } finally {
      proxy.release();
      await first.$disconnect();
      await proxy.close();
    }
  });

  test('a unique violation on the key is in use, and the write rolls back', async (t) => {
    if (db.url.startsWith('mysql')) {
      // there the key's row, inserted first, is the lock: another insert of it waits for the transaction
      t.skip('MariaDB: no insert of the key can land inside the transaction');
      return;
    }
    const key = { key: randomUUID(), fingerprint: 'f' };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let writing!: () => void;
    const inWrite = new Promise<void>((resolve) => (writing = resolve));
    const outcome = createUnderKey(prisma, key, 3600, async (tx) => {
      await tx.cacheInvalidation.createMany({ data: [{ id: randomUUID(), versionKeys: ['rolled-back'] }] });
      writing();
      await released;
      return { value: 1, answer: answer('{}') };
    });
    await inWrite;
    // a row for the key that took no lock, committed while the create is in its transaction
    await prisma.idempotencyKey.create({ data: { key: key.key, fingerprint: 'g', status: 201, headers: {} } });
    release();
    assert.deepEqual(await outcome, { kind: 'in-use' });
    assert.equal(await prisma.cacheInvalidation.count(), 0, 'the write went with the transaction');
  });
});
