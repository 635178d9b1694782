import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { graphql, rest } from '@supergraph-lab/stack';
import { freePort } from '@supergraph-lab/testing';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A port nothing listens on right now. */

test(
  'npm start on the embedded default answers a federated query and stops cleanly on Ctrl-C',
  { timeout: 120_000 },
  async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sgl-start-'));
    const [gateway, items, reviews, photos, pg, ssr] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GATEWAY_PORT: String(gateway),
      ITEMS_PORT: String(items),
      REVIEWS_PORT: String(reviews),
      PHOTOS_PORT: String(photos),
      EMBEDDED_PG_PORT: String(pg),
      SSR_PORT: String(ssr),
      EMBEDDED_DATA_DIR: dataDir,
      SEED_ITEMS: '300',
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    // its own process group, so Ctrl-C can be sent to all of it as a terminal would
    const child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 90_000;
      while (!output.includes('Ctrl-C stops everything')) {
        assert.ok(Date.now() < deadline, `npm start was not ready in time:\n${output}`);
        assert.equal(child.exitCode, null, `npm start exited early:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
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
      // the lab works out of the box: npm start gives the services one admin token
      assert.match(output, new RegExp(`load lab +http://localhost:${ssr}/lab`));
      assert.equal((await fetch(`http://127.0.0.1:${ssr}/lab`)).status, 200);
      const state = (await rest(`http://127.0.0.1:${ssr}`, 'GET', '/lab/api/state')).body;
      assert.equal(state.settings.gateway?.cacheMode, 'all', JSON.stringify(state.settings));
      assert.deepEqual((await rest(`http://127.0.0.1:${ssr}`, 'GET', '/lab/api/runs')).body, { runs: [] });
    } finally {
      // Ctrl-C reaches the whole group; npm itself exits on the signal while the services drain,
      // so "stopped" and closed ports are the proof of a clean stop, not npm's exit status
      process.kill(-child.pid!, 'SIGINT');
      const deadline = Date.now() + 20_000;
      while (!/\[start\] +stopped/.test(output) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      rmSync(dataDir, { recursive: true, force: true });
    }
    assert.match(output, /\[start\] +stopped/, output.slice(-2000));
    for (const name of ['items', 'reviews', 'photos', 'gateway', 'ssr']) {
      assert.match(output, new RegExp(`\\[${name}\\] +info +SIG(INT|TERM): draining and shutting down`));
      assert.match(
        output,
        new RegExp(`\\[start\\] +${name} stopped \\(exit code 0\\)`),
        'drained and exited, not killed',
      );
    }
    for (const port of [gateway, items, reviews, photos, pg, ssr]) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), `port ${port} is closed`);
    }
  },
);
