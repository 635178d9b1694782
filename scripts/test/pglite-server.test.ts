// The embedded database's server: many pools on PGlite's one session, each connection as if it
// had a session of its own (scripts/start/pglite-server.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { eventually } from '@supergraph-lab/testing';
import pg from 'pg';
import { startPGliteServer, type PGliteServer } from '../start/pglite-server.ts';

let db: PGlite;
let server: PGliteServer;
let url: string;

before(async () => {
  db = await PGlite.create();
  await db.exec('CREATE TABLE things (id int PRIMARY KEY, name text NOT NULL)');
  await db.exec(`INSERT INTO things SELECT i, 'thing ' || i FROM generate_series(1, 200) AS i`);
  server = await startPGliteServer(db, { port: 0, idleInTransactionMs: 300 });
  url = `postgresql://postgres@127.0.0.1:${server.port}/postgres`;
});

after(async () => {
  await server.close();
  await db.close();
});

const pool = (max: number) => {
  const made = new pg.Pool({ connectionString: url, max });
  made.on('error', () => {});
  return made;
};

test('pools preparing the same statement names concurrently each read their own rows', async () => {
  // two services' pools, one name, two texts: a shared session would run one pool's text for the other
  const pools = [pool(8), pool(8)];
  const texts = [
    'SELECT id, name FROM things WHERE id = $1',
    "SELECT id, 'other ' || id AS name FROM things WHERE id = $1",
  ];
  try {
    const reads = Array.from({ length: 400 }, (_, i) => {
      const which = i % 2;
      const id = 1 + (i % 200);
      return pools[which]!.query({ name: 'thing_by_id', text: texts[which]!, values: [id] }).then(({ rows }) => {
        assert.deepEqual(rows, [{ id, name: `${which ? 'other' : 'thing'} ${id}` }]);
      });
    });
    // unnamed statements (Prisma's, pg's plain queries) interleaved with them
    const plain = Array.from({ length: 200 }, (_, i) =>
      pools[i % 2]!.query('SELECT count(*)::int AS n FROM things WHERE id <= $1', [i + 1]).then(({ rows }) =>
        assert.equal(rows[0].n, i + 1),
      ),
    );
    await Promise.all([...reads, ...plain]);
  } finally {
    await Promise.all(pools.map((made) => made.end()));
  }
});

test('a failing statement mid-load fails alone: every other read, and later ones, succeed', async () => {
  const shared = pool(10);
  try {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        i % 10 === 0
          ? shared.query({ name: 'broken', text: 'SELECT no_such_column FROM things' })
          : shared.query({ name: 'by_id', text: 'SELECT name FROM things WHERE id = $1', values: [1 + (i % 200)] }),
      ),
    );
    outcomes.forEach((outcome, i) => {
      if (i % 10 === 0) {
        assert.equal(outcome.status, 'rejected');
        assert.match(String((outcome as PromiseRejectedResult).reason), /no_such_column/);
      } else assert.equal(outcome.status, 'fulfilled', String((outcome as PromiseRejectedResult).reason));
    });
    const { rows } = await shared.query({ name: 'by_id', text: 'SELECT name FROM things WHERE id = $1', values: [7] });
    assert.deepEqual(rows, [{ name: 'thing 7' }]);
  } finally {
    await shared.end();
  }
});

test('a transaction is its connection alone: others see its rows only after COMMIT, none after ROLLBACK', async () => {
  const writer = new pg.Client({ connectionString: url });
  const reader = new pg.Client({ connectionString: url });
  await Promise.all([writer.connect(), reader.connect()]);
  try {
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO things VALUES (1001, 'uncommitted')`);
    // the reader waits for the session; it must not run inside the writer's transaction
    let read: Promise<pg.QueryResult> | null = reader.query('SELECT count(*)::int AS n FROM things WHERE id = 1001');
    // polled often: the writer, idle in its transaction while the reader waits, is cut off after 300 ms
    await eventually(() => server.stats().waiting === 1, 5000, 'the reader to wait for the session', 5);
    await writer.query('ROLLBACK');
    assert.equal((await read).rows[0].n, 0);
    await writer.query('BEGIN');
    await writer.query(`INSERT INTO things VALUES (1002, 'committed')`);
    read = reader.query('SELECT count(*)::int AS n FROM things WHERE id = 1002');
    await writer.query('COMMIT');
    assert.equal((await read).rows[0].n, 1);
  } finally {
    await Promise.all([writer.end(), reader.end()]);
  }
});

test('a connection that dies inside a transaction leaves the session clean and unlocked', async () => {
  const doomed = new pg.Client({ connectionString: url });
  doomed.on('error', () => {});
  await doomed.connect();
  await doomed.query('BEGIN');
  await doomed.query(`INSERT INTO things VALUES (2001, 'never committed')`);
  await doomed.query({ name: 'kept', text: 'SELECT 1 AS one' });
  (doomed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  // its statement is dropped with it
  await eventually(async () => {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE '%kept'",
    );
    return rows[0]!.n === 0;
  }, 5000);
  const next = new pg.Client({ connectionString: url });
  await next.connect();
  try {
    const { rows } = await next.query('SELECT count(*)::int AS n FROM things WHERE id = 2001');
    assert.equal(rows[0].n, 0, 'the dead connection was rolled back');
    assert.deepEqual((await next.query({ name: 'kept', text: 'SELECT 2 AS two' })).rows, [{ two: 2 }]);
  } finally {
    await next.end();
  }
});

test('a connection idle in a transaction is closed once another waits for the session', async () => {
  const idle = new pg.Client({ connectionString: url });
  const lost = new Promise((resolve) => idle.on('error', resolve));
  await idle.connect();
  await idle.query('BEGIN');
  await idle.query(`INSERT INTO things VALUES (3001, 'abandoned')`);
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    // answered after the 300 ms limit closes the idle one, not never
    const { rows } = await other.query('SELECT count(*)::int AS n FROM things WHERE id = 3001');
    assert.equal(rows[0].n, 0);
    await lost;
  } finally {
    await other.end();
    await idle.end().catch(() => {});
  }
});
