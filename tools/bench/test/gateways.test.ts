// npm run bench:gateways in CI size (seconds, a tiny data set): the real command, both modes,
// every row there (or its target skipped for the reason gatewayUnavailable gives), no errors,
// and CPU counted for every process a page touches.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gatewayUnavailable, GATEWAYS } from '@supergraph-lab/stack/gateways';
import type { GatewaysReport } from '../src/gateways.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TINY = ['--items', '40', '--connections', '4', '--warmup', '0.5', '--seconds', '1', '--rounds', '1'];

/** Runs the command with `args`, its report as JSON in a scratch file. */
function run(dir: string, args: string[]): GatewaysReport {
  const json = path.join(dir, `${args.join('')}.json`);
  const html = path.join(dir, `${args.join('')}.html`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      './scripts/preload.mjs',
      'tools/bench/src/gateways.ts',
      ...TINY,
      ...args,
      '--json',
      json,
      '--html',
      html,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
  );
  assert.equal(result.status, 0, `bench:gateways failed:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /\| target \| pages\/s \|/);
  // with real subgraphs and a monolith, the table says what no gateway can take off the page
  const floor = /the subgraphs alone, behind whichever gateway: [\d.]+-[\d.]+ ms a page, [\d.]+-[\d.]+x the monolith's/;
  assert.equal(floor.test(result.stdout), !args.includes('--stub-subgraphs'), result.stdout);
  assert.match(readFileSync(html, 'utf8'), /<table>/);
  return JSON.parse(readFileSync(json, 'utf8')) as GatewaysReport;
}

describe('npm run bench:gateways, CI-sized', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sgl-bench-gateways-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const peers = GATEWAYS.filter((kind) => !gatewayUnavailable(kind));

  test(
    'real subgraphs: a row for the monolith and every gateway, each with pages, CPU and no error',
    { timeout: 300_000 },
    () => {
      const report = run(dir, []);
      assert.deepEqual(
        report.rows.map((row) => row.target),
        ['monolith', ...peers],
      );
      assert.deepEqual(
        report.skipped.map((one) => one.target),
        GATEWAYS.filter((kind) => gatewayUnavailable(kind)),
      );
      for (const row of report.rows) {
        assert.equal(row.errors, 0, `${row.target}: ${row.firstError}`);
        assert.ok(row.pagesPerSecond > 0, row.target);
        assert.ok(row.p50 > 0 && row.p50 <= row.p95 && row.p95 <= row.p99, `${row.target}: percentiles in order`);
        assert.ok(row.servicesCpuMsPerPage > 0, `${row.target}: services CPU counted`);
        assert.ok(row.postgresCpuMsPerPage > 0, `${row.target}: Postgres CPU counted`);
        assert.ok(row.rssMb > 0, `${row.target}: RSS read`);
        if (row.target === 'monolith') assert.equal(row.gatewayCpuMsPerPage, null);
        else {
          assert.ok(row.gatewayCpuMsPerPage! > 0, `${row.target}: gateway CPU counted`);
          assert.ok(row.subgraphsCpuMsPerPage > 0, `${row.target}: subgraph CPU counted`);
        }
      }
    },
  );

  test('--stub-subgraphs: every gateway row, the subgraphs answering from memory only', { timeout: 300_000 }, () => {
    const report = run(dir, ['--stub-subgraphs']);
    assert.deepEqual(
      report.rows.map((row) => row.target),
      peers,
    );
    assert.match(report.skipped.find((one) => one.target === 'monolith')?.why ?? '', /no subgraphs to stub/);
    assert.ok(report.stubs!.hits > 0, 'the stubs answered');
    assert.equal(report.stubs!.misses, 0, 'every subgraph request of the measured windows came from memory');
    for (const row of report.rows) {
      assert.equal(row.errors, 0, `${row.target}: ${row.firstError}`);
      assert.ok(row.gatewayCpuMsPerPage! > 0, row.target);
    }
  });
});
