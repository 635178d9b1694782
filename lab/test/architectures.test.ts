// The lab's architecture A/B: what can be compared, Apollo's query plan for the item page, and a
// short comparison of the page through the stack's gateway, the monolith and every peer gateway
// the lab starts itself over the stack's subgraphs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { rest } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { gatewayUnavailable, GATEWAYS } from '@supergraph-lab/stack/gateways';
import { eventually } from '@supergraph-lab/testing';
import type { ArchitectureState, ComparisonState } from '../src/protocol.ts';
import { createLabService, type LabService } from '../src/service.tsx';

const LAB_TOKEN = `lab-token-${randomUUID()}`;
const ADMIN_TOKEN = `lab-admin-${randomUUID()}`;
const api = (base: string, method: string, route: string, body?: unknown) =>
  rest(base, method, route, body, { headers: { authorization: `Bearer ${LAB_TOKEN}` } });

describe('the lab compares architectures', () => {
  const stack = seededStack('lab-architectures', { items: 30, seed: 5, env: { CACHE_MODE: 'entity', ADMIN_TOKEN } });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sgl-lab-arch-'));
  let lab: LabService;
  let url: string;
  before(async () => {
    const config = readConfig({
      LOG_LEVEL: 'silent',
      LAB_TOKEN,
      ADMIN_TOKEN,
      LAB_DATA_DIR: dataDir,
      DATABASE_URL: stack.db.url,
      ITEMS_URL: stack.subgraphUrls.items,
      REVIEWS_URL: stack.subgraphUrls.reviews,
      PHOTOS_URL: stack.subgraphUrls.photos,
    });
    lab = createLabService(config, { endpoints: { gateway: stack.gatewayUrl } });
    url = await lab.listen(0);
  });
  after(async () => {
    await lab?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("lists the choices with what each lacks, and shows Apollo's plan for the page: the item, then two fetches in parallel", async () => {
    const { status, body } = await api(url, 'GET', '/lab/api/architectures');
    assert.equal(status, 200);
    const state = body as ArchitectureState;
    assert.deepEqual(
      state.choices.map((choice) => choice.target),
      ['gateway', 'monolith', ...GATEWAYS.filter((kind) => kind !== 'apollo')],
    );
    for (const choice of state.choices.filter((one) => !['gateway', 'monolith'].includes(one.target)))
      assert.match(choice.lacks, /response cache.*REST.*limits.*Server-Timing/, choice.target);
    assert.match(state.queryPlan, /^QueryPlan \{\n\s+Sequence \{\n\s+Fetch\(service: "items"\)/);
    assert.match(
      state.queryPlan,
      /Parallel \{[\s\S]*Flatten\(path: "item"\)[\s\S]*service: "(reviews|photos)"[\s\S]*service: "(reviews|photos)"/,
    );
  });

  test(
    'a comparison measures every available target with no error, and a verdict against the gateway',
    { timeout: 180_000 },
    async () => {
      const { status, body } = await api(url, 'POST', '/lab/api/architectures/compare', { seconds: 1, connections: 2 });
      assert.equal(status, 202, JSON.stringify(body));
      assert.equal((body as ComparisonState).running, true);
      const again = await api(url, 'POST', '/lab/api/architectures/compare', { seconds: 1 });
      assert.equal(again.status, 409, 'one comparison at a time');
      const done = await eventually(
        async () => {
          const state = (await api(url, 'GET', '/lab/api/architectures')).body as ArchitectureState;
          return state.comparison.running ? null : state.comparison;
        },
        150_000,
        'the comparison to end',
        250,
      );
      assert.equal(done.error, null);
      // the stack's caches were off for the comparison, and are as they were after it
      const settings = await rest(stack.gatewayUrl, 'GET', '/admin/settings', undefined, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.equal((settings.body as { gateway: { cacheMode: string } }).gateway.cacheMode, 'entity');
      const comparison = done.result!;
      const expected = [
        'gateway',
        'monolith',
        ...GATEWAYS.filter((kind) => kind !== 'apollo' && !gatewayUnavailable(kind)),
      ];
      assert.deepEqual(
        comparison.rows.map((row) => row.target),
        expected,
      );
      for (const row of comparison.rows) {
        assert.equal(row.errors, 0, `${row.target}: ${row.firstError}`);
        assert.ok(row.pagesPerSecond > 0, row.target);
        assert.ok(row.cpuMsPerPage !== null && row.cpuMsPerPage > 0, `${row.target}: CPU per page read`);
      }
      assert.equal(comparison.verdict.length, expected.length - 1);
      assert.match(
        comparison.verdict[0]!,
        /^monolith \(no gateway\): \d+\.\d\dx the pages\/s of the stack's gateway at \d+\.\d\dx its CPU per page$/,
      );
    },
  );

  test('refuses a comparison out of bounds, saying which', async () => {
    const { status, body } = await api(url, 'POST', '/lab/api/architectures/compare', { seconds: 600 });
    assert.equal(status, 400);
    assert.match((body as { detail: string }).detail, /seconds must be a whole number from 1 to 60, got 600/);
  });
});
