import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { portEnvironment, SERVICE_NAMES, type ServiceName } from '@supergraph-lab/config';
import { runLoadTest, type Endpoints } from '@supergraph-lab/loadtest';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { graphql, rest } from '@supergraph-lab/stack';
import { gatewayUnavailable } from '@supergraph-lab/stack/gateways';
import { eventually, freePort } from '@supergraph-lab/testing';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `npm start` as a newcomer runs it (no DATABASE_URL, REDIS_URL or CACHE_URL), on free ports. */
interface NpmStart {
  /** Every service's port (the registry's), the lab's and the embedded Postgres's. */
  ports: Record<ServiceName | 'lab' | 'pg', number>;
  output(): string;
  /** Ctrl-C to the whole group; resolves once npm start says it stopped (or 20 s passed). */
  stop(): Promise<void>;
}

async function npmStart(extraEnv: Record<string, string> = {}): Promise<NpmStart> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sgl-start-'));
  const names = [...SERVICE_NAMES, 'lab', 'pg'] as const;
  const free = await Promise.all(names.map(() => freePort()));
  const ports = Object.fromEntries(names.map((name, i) => [name, free[i]!])) as NpmStart['ports'];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...portEnvironment(ports),
    EMBEDDED_PG_PORT: String(ports.pg),
    LAB_PORT: String(ports.lab),
    EMBEDDED_DATA_DIR: dataDir,
    LAB_DATA_DIR: path.join(dataDir, 'lab'),
    SEED_ITEMS: '300',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.CACHE_URL;
  // its own process group, so Ctrl-C can be sent to all of it as a terminal would
  const child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    // Ctrl-C reaches the whole group; npm itself exits on the signal while the services drain,
    // so "stopped" and closed ports are the proof of a clean stop, not npm's exit status
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await eventually(() => /\[start\] +stopped/.test(output) || child.exitCode !== null, 20_000).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await eventually(
      () => {
        assert.equal(child.exitCode, null, `npm start exited early:\n${output}`);
        return output.includes('Ctrl-C stops everything');
      },
      90_000,
      'npm start to be ready',
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-3000)}`);
  }
  return { ports, output: () => output, stop };
}

test(
  'npm start on the embedded default answers a federated query and stops cleanly on Ctrl-C',
  { timeout: 120_000 },
  async () => {
    const started = await npmStart();
    const { gateway, ssr, lab: labPort } = started.ports;
    let output = started.output();
    try {
      assert.match(output, /embedded Postgres \(PGlite\)/);
      assert.match(output, /seeded 300 items, \d+ reviews, \d+ photos/);
      assert.match(output, new RegExp(`GraphQL Playground +http://localhost:${gateway}/graphql`));
      assert.match(output, new RegExp(`shop +http://localhost:${ssr}/\n`));
      // the banner's item: the one showcaseItemId picks (packages/db's tests check the choice)
      const showcase = new RegExp(`item page \\(SSR\\) +http://localhost:${ssr}/items/(\\d+)`).exec(output)?.[1];
      assert.ok(showcase, output);
      assert.match(output, new RegExp(`REST example +http://localhost:${gateway}/api/items/${showcase}  ·  `));

      const base = `http://127.0.0.1:${gateway}`;
      const result = await graphql(
        base,
        '{ item(id: "300") { name reviewSummary { count } photos { url } } items(first: 2) { edges { node { id } } } }',
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.equal(typeof result.data!.item.name, 'string');
      assert.deepEqual(
        result.data!.items.edges.map((edge: { node: { id: string } }) => edge.node.id),
        ['300', '299'],
      );
      const created = await rest(base, 'POST', '/api/items/300/reviews', {
        rating: 5,
        title: 'Embedded',
        body: 'Works.',
        author: 'CI',
      });
      assert.equal(created.status, 201);
      const page = await fetch(`http://127.0.0.1:${ssr}/items/300`);
      assert.equal(page.status, 200);
      assert.ok((await page.text()).includes('Embedded'), 'the page shows the review just written');
      // the lab works out of the box, in a process of its own: npm start gives it and the services
      // one admin token; the URL it prints carries the lab's token
      const labToken = new RegExp(`load lab +http://localhost:${labPort}/lab\\?token=([\\w-]+)`).exec(output)?.[1];
      assert.ok(labToken, 'the lab URL with its token is printed');
      const labUrl = `http://127.0.0.1:${labPort}`;
      assert.equal((await fetch(`${labUrl}/lab`)).status, 401, 'no way in without the token');
      const lab = { headers: { authorization: `Bearer ${labToken}` } };
      assert.equal((await fetch(`${labUrl}/lab`, lab)).status, 200);
      const state = (await rest(labUrl, 'GET', '/lab/api/state', undefined, lab)).body;
      assert.equal(state.settings.gateway?.cacheMode, 'all', JSON.stringify(state.settings));
      assert.equal(state.pageCacheMode, 'all', 'the SSR service answers the lab too');
      assert.deepEqual((await rest(labUrl, 'GET', '/lab/api/runs', undefined, lab)).body, { runs: [] });
      // the shop's "Load lab" link: the SSR service sends the browser there
      const link = await fetch(`http://localhost:${ssr}/lab`, { redirect: 'manual' });
      assert.equal(link.headers.get('location'), `http://localhost:${labPort}/lab`);
    } finally {
      await started.stop();
      output = started.output();
    }
    assert.match(output, /\[start\] +stopped/, output.slice(-2000));
    for (const name of SERVICE_NAMES) {
      assert.match(output, new RegExp(`\\[${name}\\] +info +SIG(INT|TERM): draining and shutting down`));
      assert.match(
        output,
        new RegExp(`\\[start\\] +${name} stopped \\(exit code 0\\)`),
        'drained and exited, not killed',
      );
    }
    for (const port of Object.values(started.ports)) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), `port ${port} is closed`);
    }
  },
);

test(
  'the embedded default serves GraphQL, REST and SSR concurrently with cache and batching off, without an error',
  { timeout: 180_000 },
  async () => {
    const started = await npmStart({ CACHE_MODE: 'off', BATCHING: 'off', LOG_LEVEL: 'warn' });
    const local = (port: number) => `http://127.0.0.1:${port}`;
    const { ports } = started;
    try {
      assert.match(started.output(), /CACHE_MODE=off/);
      const steps = await runLoadTest({
        targets: ['graphql', 'rest', 'ssr'],
        rates: [25],
        durationSeconds: 3,
        warmupSeconds: 0,
        // generous: a busy machine may make a page slow, only a failure fails this test
        timeoutMs: 15_000,
        connections: 64,
        endpoints: Object.fromEntries(SERVICE_NAMES.map((name) => [name, local(ports[name])])) as Endpoints,
        maxItemId: 300,
      });
      assert.deepEqual(
        steps.map((step) => [step.target, step.completed, step.errors]),
        steps.map((step) => [step.target, step.sent, 0]),
        JSON.stringify(steps.map((step) => ({ target: step.target, samples: step.errorSamples }))),
      );
      assert.doesNotMatch(started.output(), /already exists|unexpected error/);

      // a session held inside a transaction: nothing can read, and /readyz says so
      for (const port of [ports.items, ports.gateway]) assert.equal((await fetch(`${local(port)}/readyz`)).status, 200);
      const holder = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${ports.pg}/postgres` });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        assert.equal((await fetch(`${local(ports.items)}/readyz`)).status, 503);
        // the gateway asks its subgraphs' /healthz: one out of its own rotation does not take it out
        assert.equal((await fetch(`${local(ports.gateway)}/readyz`)).status, 200);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      await eventually(async () => (await fetch(`${local(ports.items)}/readyz`)).status === 200, 10_000);
    } finally {
      await started.stop();
    }
  },
);

test(
  'GATEWAY=grafbase: npm start puts Grafbase on the gateway port, the banner says what it lacks, the shop works',
  { timeout: 180_000, skip: gatewayUnavailable('grafbase') ?? false },
  async () => {
    const started = await npmStart({ GATEWAY: 'grafbase', LOG_LEVEL: 'warn' });
    const local = (port: number) => `http://127.0.0.1:${port}`;
    try {
      assert.match(started.output(), /GATEWAY=grafbase: Grafbase \(CLI dev server\)/);
      assert.match(started.output(), /it lacks the response cache, the REST compatibility routes/);
      const page = await graphql(local(started.ports.gateway), ITEM_PAGE_QUERY, itemPageVariables(2));
      assert.equal(page.errors, undefined);
      assert.equal((page.data?.item as { id: string }).id, '2');
      // the SSR service renders the page from Grafbase's answer
      const html = await (await fetch(`${local(started.ports.ssr)}/items/2`)).text();
      assert.match(html, /<h1[^>]*>[^<]+<\/h1>/);
    } finally {
      await started.stop();
    }
    assert.match(started.output(), /\[start\] +gateway stopped/);
  },
);

test('GATEWAY with another name: npm start refuses it, naming the four', { timeout: 60_000 }, async () => {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, GATEWAY: 'router' }, stdio: 'pipe' });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  assert.notEqual(code, 0);
  assert.match(output, /GATEWAY must be one of apollo, hive, hive-rust, grafbase, got "router"/);
});
