// SIGTERM with requests in flight: the service drains them, refuses new connections, exits 0.
// WORKERS=2: two processes share the port, and a settings change reaches both.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, postgresProxy, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { freePort, serviceCommand } from '@supergraph-lab/stack/processes';

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

async function ready(url: string) {
  for (let tries = 0; tries < 300; tries++) {
    if (
      await fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never answered`);
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
      const proxy = await postgresProxy(db.url, { delayMs: 400 });
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
        await new Promise((resolve) => setTimeout(resolve, 150));
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
        for (let tries = 0; (output().match(/items subgraph listening at .*, worker \d/g) ?? []).length < 2; tries++) {
          assert.ok(tries < 200, output());
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
        const changed = await fetch(`${url}/admin/settings`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ batching: false }),
        });
        assert.equal(changed.status, 200);
        await new Promise((resolve) => setTimeout(resolve, 300));
        // new connections are spread over the workers: every one of them must say batching is off
        for (let i = 0; i < 12; i++) {
          const seen = await fetch(`${url}/admin/settings`, { headers: { ...headers, connection: 'close' } }).then(
            (response) => response.json() as Promise<{ batching: boolean }>,
          );
          assert.equal(seen.batching, false);
        }
        child.kill('SIGTERM');
        assert.equal(await exited(child), 0, output());
        assert.equal((output().match(/SIGTERM: draining and shutting down/g) ?? []).length, 2, output());
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});
