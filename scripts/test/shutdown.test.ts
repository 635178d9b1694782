// SIGTERM with requests in flight: the service drains them, refuses new connections, exits 0.
// WORKERS=2: two processes share the port, and a settings change reaches both.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, databaseProxy, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { serviceCommand } from '@supergraph-lab/stack/processes';
import { eventually, freePort } from '@supergraph-lab/testing';

const TOKEN = 'shutdown-test-token-0123456789';

function startItems(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const [command, ...args] = serviceCommand('subgraphs/items/src/main.ts');
  const child = spawn(command, args, {
    env: { ...process.env, LOG_LEVEL: 'info', ADMIN_TOKEN: TOKEN, CACHE_MODE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

const ready = (url: string) =>
  eventually(
    () =>
      fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => false,
      ),
    30_000,
    `${url} to answer`,
  );

/** A gauge of the service's /metrics, e.g. `db_pool_connections{state="in_use"`. */
async function gauge(url: string, series: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(series));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('shutdown', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('shutdown');
    await loadShopData({ url: db.url, items: 20, seed: 1 });
  });
  after(async () => {
    await db?.drop();
  });

  test(
    'SIGTERM drains requests in flight (each answered), refuses new connections, exits 0',
    { timeout: 60_000 },
    async () => {
      const proxy = await databaseProxy(db.url, { delayMs: 400 });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const { child, output } = startItems({
        DATABASE_URL: proxy.url,
        ITEMS_PORT: String(port),
        SHUTDOWN_DRAIN_MS: '300',
      });
      try {
        await ready(url);
        // five reads, each a few slow round trips to the database
        const inFlight = [1, 2, 3, 4, 5].map((id) =>
          fetch(`${url}/api/items/${id}`).then(async (response) => ({
            status: response.status,
            connection: response.headers.get('connection'),
          })),
        );
        // every one of them holds a database connection: in flight when the signal comes
        await eventually(
          async () => (await gauge(url, 'db_pool_connections{state="in_use"')) >= 5,
          10_000,
          'the five reads to reach the database',
        );
        child.kill('SIGTERM');
        const answers = await Promise.all(inFlight);
        assert.deepEqual(
          answers.map((answer) => answer.status),
          [200, 200, 200, 200, 200],
        );
        assert.equal(await exited(child), 0, output());
        assert.match(output(), /SIGTERM: draining and shutting down/);
        await assert.rejects(fetch(`${url}/healthz`), 'closed after the drain');
      } finally {
        child.kill('SIGKILL');
        await proxy.close();
      }
    },
  );

  test(
    'WORKERS=2: two processes on one port, settings changes reach both, SIGTERM stops all',
    { timeout: 60_000 },
    async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const { child, output } = startItems({ DATABASE_URL: db.url, ITEMS_PORT: String(port), WORKERS: '2' });
      try {
        await ready(url);
        await eventually(
          () => (output().match(/items subgraph listening at .*, worker \d/g) ?? []).length === 2,
          20_000,
          `both workers to listen: ${output()}`,
        );
        const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
        const changed = await fetch(`${url}/admin/settings`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ batching: false }),
        });
        assert.equal(changed.status, 200);
        // new connections are spread over the workers: once the change has reached the sibling,
        // twelve in a row all say batching is off
        await eventually(
          async () => {
            for (let i = 0; i < 12; i++) {
              const seen = await fetch(`${url}/admin/settings`, { headers: { ...headers, connection: 'close' } }).then(
                (response) => response.json() as Promise<{ batching: boolean }>,
              );
              if (seen.batching) return false;
            }
            return true;
          },
          10_000,
          'both workers to have batching off',
        );
        child.kill('SIGTERM');
        assert.equal(await exited(child), 0, output());
        assert.equal((output().match(/SIGTERM: draining and shutting down/g) ?? []).length, 2, output());
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});
