// Whose CPU a benchmark's Postgres column counts: the backends of its own database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDatabase, TEST_SERVER_URL, urlForDatabase } from '@supergraph-lab/db/testing';
import { dialectOf, type Session } from '@supergraph-lab/db';
import { postgresBackendsOf } from '../src/index.ts';

const POSTGRES = /^postgres(ql)?:/.test(TEST_SERVER_URL);

test(
  "postgresBackendsOf finds a database's backends and no other database's",
  { skip: POSTGRES ? false : 'the test server is not Postgres' },
  async () => {
    const database = await createTestDatabase('cpu_backends', { migrated: false });
    const [ours, theirs] = await Promise.all([database.url, TEST_SERVER_URL].map((url) => dialectOf(url).connect(url)));
    try {
      const pidOf = async (session: Session) =>
        Number((await session.query<{ pid: number }>('select pg_backend_pid() as pid'))[0]!.pid);
      const [mine, other] = [await pidOf(ours!), await pidOf(theirs!)];
      const found = postgresBackendsOf(database.url);
      assert.ok(found.includes(mine), `backend ${mine} of ${database.name} among ${found.join(', ')}`);
      assert.ok(!found.includes(other), `backend ${other} of another database left out`);
      // the cluster's own processes (checkpointer, walwriter...) serve every database: not counted
      assert.deepEqual(postgresBackendsOf(urlForDatabase(TEST_SERVER_URL, 'no_such_database')), []);
    } finally {
      await Promise.allSettled([ours!.end(), theirs!.end()]);
      await database.drop();
    }
  },
);
