import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { readConfig } from '@supergraph-lab/config';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { createSsrService, type SsrService } from '@supergraph-lab/ssr';
import { launchBenchBrowser, METRICS, VARIANT_NAMES } from '../src/browser/bench.ts';
import { percentile } from '../src/histogram.ts';
import type { BrowserBenchReport } from '../src/browser/report.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs `npm run browserbench -- ...args`; resolves with its exit code and output, whatever the code. */
async function browserbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', './scripts/preload.mjs', 'tools/bench/src/browser.ts', ...args],
      { cwd: ROOT, timeout: 240_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('bad options exit 2 with the reason', async () => {
  const cases: [string[], RegExp][] = [
    [['--variants', 'ssr,amp'], /--variants: unknown "amp"; choose from ssr, ssr-rest, spa, spa-rest/],
    [['--samples', '0'], /--samples must be a number > 0/],
    [['--samples', '2.5'], /--samples must be a whole number/],
    [['--background-rps', '0,-5'], /--background-rps: each rate must be a number of requests\/s from 0 to 10000/],
    [['--throttle', 'fast'], /--throttle must be a factor from 1x to 20x/],
    [['--network', '5g'], /--network: unknown profile "5g"; choose from slow-4g, fast-4g, 3g/],
    [['--id', 'abc'], /--id must be a number > 0/],
    [['--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, reason] of cases) {
    // --max-id: no gateway is asked, so only the options are on trial
    const { code, stderr } = await browserbench([...args, '--max-id', '10']);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, /^browserbench: /);
    assert.match(stderr, reason);
  }
});

test('percentile: nearest rank', () => {
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.equal(percentile([10, 20, 30, 40], 95), 40);
  assert.equal(percentile([10, 20, 30, 40], 50), 20);
  assert.ok(Number.isNaN(percentile([], 50)));
});

describe('browserbench against the real stack', { skip: skipWithout(CHROMIUM) }, () => {
  const stack = seededStack('browserbench', { items: 120, seed: 31 });
  let ssr: SsrService;
  let ssrUrl: string;
  let dir: string;
  before(async () => {
    ssr = createSsrService(readConfig({ LOG_LEVEL: 'silent' }), { gatewayUrl: stack.gatewayUrl });
    ssrUrl = await ssr.listen(0);
    dir = await mkdtemp(path.join(os.tmpdir(), 'sgl-browserbench-'));
  });
  after(async () => {
    await ssr?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('3 samples of every variant, with and without background load: every metric, none zero or NaN', async () => {
    const json = path.join(dir, 'run.json');
    const html = path.join(dir, 'run.html');
    const { code, stdout, stderr } = await browserbench([
      '--samples',
      '3',
      '--background-rps',
      '0,20',
      '--ssr',
      ssrUrl,
      '--gateway',
      stack.gatewayUrl,
      '--json',
      json,
      '--html',
      html,
    ]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(await readFile(json, 'utf8')) as BrowserBenchReport;
    assert.equal(report.results.length, VARIANT_NAMES.length * 2);
    for (const result of report.results) {
      assert.equal(result.loads.length, 3);
      for (const load of result.loads)
        for (const [name, value] of Object.entries(load))
          assert.ok(
            Number.isFinite(value) && value > 0,
            `${result.variant} at ${result.backgroundRate}/s: ${name} ${value}`,
          );
      for (const metric of METRICS) {
        const { p50, p95 } = result.summary[metric];
        assert.ok(p50 > 0 && p95 >= p50, `${result.variant} ${metric}: p50 ${p50}, p95 ${p95}`);
      }
      // the SPA's page is its shell, bundle and data calls (one for GraphQL, four for REST)
      if (result.variant === 'spa-rest')
        assert.ok(result.summary.requests >= 6, `spa-rest requests ${result.summary.requests}`);
    }
    const background = report.background.find((entry) => entry.rate === 20)!;
    assert.ok(background.step && background.step.ok > 0, 'the background load was answered');
    assert.ok(background.answeredPerSecond > 0);
    // the terminal table and the self-contained report
    for (const variant of VARIANT_NAMES) assert.match(stdout, new RegExp(`\\b${variant}\\b`));
    const page = await readFile(html, 'utf8');
    assert.match(page, /<svg/);
    assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no script, nothing fetched');
  });
});

test("the bench's browser reaches the stack's origins and nothing else", { skip: skipWithout(CHROMIUM) }, async () => {
  const hits: string[] = [];
  const listen = (server: Server, host: string) =>
    new Promise<number>((resolve) =>
      server.listen(0, host, () => resolve((server.address() as { port: number }).port)),
    );
  // an "internal" service on another loopback port, and a page whose photos point at it
  const internal = createServer((request, response) => {
    hits.push(`internal ${request.headers.host}${request.url}`);
    response.end('secret');
  });
  const internalPort = await listen(internal, '0.0.0.0');
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  const serve = (name: string) =>
    createServer((request, response) => {
      hits.push(`${name} ${request.url}`);
      response.setHeader('content-type', 'text/html');
      response.end(
        ['127.0.0.1', '127.0.0.2', 'localhost']
          .map((host) => `<img src="http://${host}:${internalPort}/photo.jpg">`)
          .concat(`<img src="${origin(gatewayPort)}/photo.jpg">`)
          .join(''),
      );
    });
  const ssr = serve('ssr');
  const gateway = serve('gateway');
  const [ssrPort, gatewayPort] = [await listen(ssr, '127.0.0.1'), await listen(gateway, '127.0.0.1')];
  const browser = await launchBenchBrowser({ ssr: origin(ssrPort), gateway: origin(gatewayPort) });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin(ssrPort)}/items/1`, { waitUntil: 'load' });
    assert.ok(hits.includes('ssr /items/1') && hits.includes('gateway /photo.jpg'), hits.join(', '));
    assert.deepEqual(
      hits.filter((hit) => hit.startsWith('internal')),
      [],
      'no request reached another port or host',
    );
  } finally {
    await browser.close();
    for (const server of [internal, ssr, gateway]) server.close();
  }
});
