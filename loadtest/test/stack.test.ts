import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { seededStack } from '@supergraph-lab/stack/fixture';
import {
  discoverMaxItemId,
  renderHtmlReport,
  runLoadTest,
  TARGET_NAMES,
  type Endpoints,
  type LoadTestReport,
} from '../src/index.ts';
import { measuredStep } from './steps.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'loadtest');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = promisify(execFile);

describe('load tester against the real stack', () => {
  const env = { REDIS_URL, CACHE_NAMESPACE: `sgl-lt-${randomUUID().slice(0, 8)}`, CACHE_MODE: 'all' };
  const stack = seededStack('loadtest', { items: 300, seed: 5, env, ssr: true });
  let endpoints: Endpoints;

  before(async () => {
    endpoints = { gateway: stack.gatewayUrl, ssr: stack.ssrUrl, ...stack.subgraphUrls };
    await mkdir(ARTIFACTS, { recursive: true });
  });

  test('the newest item id is read from the gateway', async () => {
    assert.equal(await discoverMaxItemId(endpoints.gateway), 300);
  });

  test('every target runs without errors, and the write targets really write', async () => {
    const reviewsBefore = await stack.prisma.review.count();
    const steps = await runLoadTest({
      targets: TARGET_NAMES,
      rates: [20],
      durationSeconds: 1,
      warmupSeconds: 0.5,
      timeoutMs: 5000,
      connections: 32,
      endpoints,
      maxItemId: 300,
    });
    assert.deepEqual(
      steps.map((step) => step.target),
      TARGET_NAMES,
    );
    for (const step of steps) {
      assert.equal(step.errors, 0, `${step.target}: ${JSON.stringify(step.errorSamples)}`);
      assert.equal(step.completed, 20);
      assert.ok(step.latency.p50 > 0);
    }
    // rest-post and graphql-mutation: 20 measured + 10 warm-up reviews each
    assert.equal((await stack.prisma.review.count()) - reviewsBefore, 60);
    const ssrStep = steps.find((step) => step.target === 'ssr')!;
    assert.notEqual(ssrStep.cacheHitRatio, null, 'the SSR page cache says HIT or MISS');
  });

  test('npm run loadtest writes a table, JSON and a self-contained HTML report', async () => {
    const json = path.join(ARTIFACTS, 'run.json');
    const html = path.join(ARTIFACTS, 'run.html');
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'loadtest/src/cli/loadtest.ts',
        '--target',
        'graphql,rest',
        '--rps',
        '5,10',
        '--duration',
        '1',
        '--warmup',
        '0',
        '--gateway',
        endpoints.gateway,
        '--items',
        endpoints.items,
        '--reviews',
        endpoints.reviews,
        '--photos',
        endpoints.photos,
        '--ssr',
        endpoints.ssr,
        '--json',
        json,
        '--html',
        html,
      ],
      { cwd: ROOT },
    );
    assert.match(
      stdout,
      /^target\s+variant\s+offered\/s\s+achieved\/s\s+p50 ms\s+p90 ms\s+p99 ms\s+max ms\s+errors %/m,
    );
    assert.equal(stdout.match(/^(graphql|rest)\s+\S/gm)?.length, 4, stdout);
    const report = JSON.parse(await readFile(json, 'utf8')) as LoadTestReport;
    assert.equal(report.steps.length, 4);
    assert.equal(report.dataSet.maxItemId, 300);
    assert.equal(report.machine.node, process.version);
    const page = await readFile(html, 'utf8');
    assertSelfContained(page);
    assert.match(page, /<svg[^>]*aria-label="p99 latency vs offered rate"/);
    assert.match(page, /supergraph-lab load test: graphql, rest/);
  });

  test('the CLI refuses bad options with what was wrong', async () => {
    const attempt = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'loadtest/src/cli/loadtest.ts', ...args], { cwd: ROOT }).then(
        () => assert.fail('should exit non-zero'),
        (error: { code: number; stderr: string }) => error,
      );
    const unknown = await attempt(['--target', 'soap', '--max-id', '5']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /--target: unknown "soap"; choose from graphql, rest, rest-gateway, ssr, ssr-rest, rest-post, graphql-mutation, reads or all/,
    );
    assert.match((await attempt(['--rps', '10,abc', '--max-id', '5'])).stderr, /--rps: each rate must be a number/);
    assert.match(
      (await attempt(['--gateway', 'http://127.0.0.1:1'])).stderr,
      /cannot reach the gateway at http:\/\/127\.0\.0\.1:1 .*is the stack running/,
    );
  });

  test('--threshold: exit 0 when every threshold holds, 1 when one fails, 2 for a bad one', async () => {
    const json = path.join(ARTIFACTS, 'thresholds.json');
    const loadtest = (thresholds: string[], extra: string[] = []) =>
      run(
        process.execPath,
        [
          '--import',
          'tsx',
          'loadtest/src/cli/loadtest.ts',
          ...['--target', 'graphql', '--rps', '5', '--duration', '1', '--warmup', '0', '--timeout', '30000'],
          ...['--gateway', endpoints.gateway, '--ssr', endpoints.ssr],
          ...['--items', endpoints.items, '--reviews', endpoints.reviews, '--photos', endpoints.photos],
          ...thresholds.flatMap((threshold) => ['--threshold', threshold]),
          ...extra,
        ],
        { cwd: ROOT },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );

    // figures a working stack meets however busy the machine; statements>=0 and the like hold only
    // when the services' counters were read (a figure not measured fails)
    const held = await loadtest(['p99<60000', 'errors<50%', 'statements>=0,fetches>=0', 'cpu>=0'], ['--json', json]);
    assert.equal(held.code, 0, `${held.stdout}${held.stderr}`);
    assert.match(held.stdout, /^graphql @ 5\/s: pass$/m);
    assert.match(held.stdout, /^ {4}pass {2}p99<60000 +\d/m);
    assert.match(held.stdout, /^thresholds: all 5 held$/m);
    const report = JSON.parse(await readFile(json, 'utf8')) as LoadTestReport;
    assert.deepEqual(report.settings.thresholds, ['p99<60000', 'errors<50%', 'statements>=0', 'fetches>=0', 'cpu>=0']);
    assert.deepEqual(
      report.steps[0]!.thresholds!.map(({ threshold, passed }) => [threshold, passed]),
      report.settings.thresholds!.map((threshold) => [threshold, true]),
    );

    // no latency is below 0 ms: one threshold fails, the other still holds
    const html = path.join(ARTIFACTS, 'thresholds.html');
    const missed = await loadtest(['errors<50%', 'p50<0'], ['--html', html]);
    assert.equal(missed.code, 1, `${missed.stdout}${missed.stderr}`);
    assert.match(missed.stdout, /^graphql @ 5\/s: FAIL$/m);
    assert.match(missed.stdout, /^ {4}pass {2}errors<50%/m);
    assert.match(missed.stdout, /^ {4}FAIL {2}p50<0 +\d[\d.]* ms$/m);
    assert.match(missed.stdout, /^thresholds: 1 of 2 failed$/m);
    const page = await readFile(html, 'utf8');
    assert.match(page, /<th>errors&#60;50%<\/th><th>p50&#60;0<\/th>/);
    assert.match(page, /<td class="">pass [\d.]+%<\/td><td class="bad">FAIL \d[\d.]* ms<\/td>/);

    const bad = await loadtest(['p99<100', 'p99<<100']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^loadtest: threshold "p99<<100" is not <metric><operator><number>/m);
    assert.equal(bad.stdout, '', 'refused before anything ran');
    const unknown = await loadtest(['p95<100']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown metric "p95"; choose from p50, p90, p99, max, errors, rate/);
  });
});

/** Nothing in the page may be fetched: no script or stylesheet by URL, no remote images or fonts. */
export function assertSelfContained(html: string): void {
  assert.doesNotMatch(html, /<script\b/i, 'no script at all');
  assert.doesNotMatch(html, /<link\b/i);
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
  assert.doesNotMatch(html, /url\(|@import/i);
}

test('the HTML report of a synthetic run is self-contained and escapes what it shows', () => {
  const step = {
    target: 'graphql',
    variant: 'cache <all>',
    ...measuredStep({
      errorKinds: { graphql: 10 },
      errorSamples: [{ kind: 'graphql' as const, url: 'http://x/graphql', message: '<script>alert(1)</script>' }],
      serverTiming: { db: 1.2, total: 3 },
    }),
  };
  const report: LoadTestReport = {
    title: 'synthetic',
    startedAt: 'a',
    finishedAt: 'b',
    settings: {
      targets: ['graphql'],
      rates: [50],
      durationSeconds: 10,
      warmupSeconds: 0,
      timeoutMs: 100,
      connections: 1,
      variants: ['cache <all>'],
    },
    machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v20', platform: 'linux' },
    dataSet: { maxItemId: 10 },
    steps: [step],
  };
  const html = renderHtmlReport(report);
  assertSelfContained(html);
  assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  assert.match(html, /<th>db<\/th>/, 'the Server-Timing breakdown has a column per part');
  // what the services counted: statements, fetches and CPU per request, then CPU by service
  assert.match(html, /<td>3\.00<\/td><td>3\.00<\/td><td>4\.50<\/td><td>2\.00<\/td><td>1\.00<\/td>/);
  assert.match(html, /<th>gateway CPU ms\/req<\/th>/);
});

test('a report that has been through JSON (NaN became null) still renders: a cancelled step with no answers', () => {
  const empty = { count: 0, p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN };
  const step = {
    target: 'ssr',
    variant: null,
    offeredRate: 10,
    durationSeconds: 5,
    sent: 3,
    completed: 0,
    ok: 0,
    errors: 0,
    errorRate: 0,
    achievedRate: 0,
    saturated: true,
    cancelled: true,
    latency: empty,
    sendLagP99: Number.NaN,
    sendLagMax: Number.NaN,
    errorKinds: {},
    errorSamples: [],
    serverTiming: {},
    cacheHitRatio: null,
  };
  const report = JSON.parse(
    JSON.stringify({
      title: 'cancelled',
      startedAt: 'a',
      finishedAt: 'b',
      settings: {
        targets: ['ssr'],
        rates: [10],
        durationSeconds: 5,
        warmupSeconds: 0,
        timeoutMs: 100,
        connections: 1,
        variants: [],
      },
      machine: { cpus: 2, cpuModel: 'x', memoryGiB: 1, node: 'v20', platform: 'linux' },
      dataSet: { maxItemId: 10 },
      steps: [step],
    }),
  ) as LoadTestReport;
  assert.equal(report.steps[0]!.latency.p99, null);
  const html = renderHtmlReport(report);
  assert.match(html, /<td>ssr<\/td><td><\/td><td>10\.0<\/td><td>0\.00<\/td>\s*<td>-<\/td>/);
  assert.match(html, /saturated: 0\.00 of 10\.0\/s, cancelled/);
});
