import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CACHE_LAYERS } from '@supergraph-lab/cache';
import { readConfig } from '@supergraph-lab/config';
import { createPrismaClient, type PrismaClient } from '@supergraph-lab/db';
import { graphql, rest } from '@supergraph-lab/stack';
import { launchChromium, offlinePage } from '@supergraph-lab/stack/browser';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { eventually } from '@supergraph-lab/testing';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { createSsrService, type SsrService } from '../src/service.tsx';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/lab');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_TOKEN = `lab-test-${randomUUID()}`;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('load lab (server side)', () => {
  const sql: string[] = [];
  const env = { REDIS_URL, CACHE_NAMESPACE: `sgl-lab-${randomUUID().slice(0, 8)}`, CACHE_MODE: 'all', ADMIN_TOKEN };
  const stack = seededStack('lab', { items: 200, seed: 8, env, onQuery: (_subgraph, text) => sql.push(text) });
  let ssr: SsrService;
  let url: string;
  let prisma: PrismaClient;

  // the lab's REST target calls the subgraphs directly: tell it where this test started them
  const ssrEnv = () => ({
    ...env,
    DATABASE_URL: stack.db.url,
    LOG_LEVEL: 'silent',
    ITEMS_URL: stack.subgraphUrls.items,
    REVIEWS_URL: stack.subgraphUrls.reviews,
    PHOTOS_URL: stack.subgraphUrls.photos,
  });

  before(async () => {
    ssr = createSsrService(readConfig(ssrEnv()), { gatewayUrl: stack.gatewayUrl });
    url = await ssr.listen(0);
    prisma = createPrismaClient(stack.db.url);
  });
  after(async () => {
    await ssr?.close();
    await prisma?.$disconnect();
  });

  const startRun = (body: Record<string, unknown>) =>
    rest(url, 'POST', '/lab/api/runs', {
      targets: ['graphql', 'rest'],
      rates: [5],
      durationSeconds: 1,
      warmupSeconds: 0,
      cacheMode: 'off',
      batching: true,
      ...body,
    });
  const finished = (id: number) =>
    eventually(
      async () =>
        (await rest(url, 'GET', '/lab/api/runs')).body.runs.find(
          (run: { id: number; status: string }) => run.id === id && run.status !== 'running',
        ),
      30_000,
      `run ${id} to finish`,
    );

  test('bad run settings get 400 saying what was wrong, and start nothing', async () => {
    const answer = await startRun({ targets: ['soap'], rates: [0], durationSeconds: 1000 });
    assert.equal(answer.status, 400);
    assert.match(answer.body.detail, /targets\.0: must be one of graphql, rest/);
    assert.match(answer.body.detail, /rates\.0: must be at least 0\.1 requests\/s/);
    assert.match(answer.body.detail, /durationSeconds: must be 1 to 120 s/);
    const tooLong = await startRun({
      targets: ['graphql', 'rest', 'ssr'],
      rates: [1, 10, 100, 1000],
      durationSeconds: 120,
    });
    assert.match(tooLong.body.detail, /the run would take 24 min and the lab allows 15/);
    // this stack has Redis only (no CACHE_URL=memcached:// beside it)
    const noStore = await startRun({ cacheStore: 'memcached' });
    assert.equal(noStore.status, 400);
    assert.match(noStore.body.detail, /cacheStore memcached is not configured here \(redis is\)/);
    const state = (await rest(url, 'GET', '/lab/api/state')).body;
    assert.equal(state.run, null);
    // what takes a restart to change: shown, not offered
    assert.deepEqual(state.running, { database: 'postgres', balancer: null });
    assert.deepEqual([state.settings.gateway.cacheStore, state.settings.gateway.cacheStores], ['redis', ['redis']]);
  });

  test('bad browser run settings get 400 saying what was wrong, and start nothing', async () => {
    const answer = await rest(url, 'POST', '/lab/api/runs', {
      kind: 'browser',
      variants: ['amp'],
      samples: 0,
      backgroundRate: 5000,
      cacheMode: 'all',
    });
    assert.equal(answer.status, 400);
    assert.match(answer.body.detail, /variants\.0: must be one of ssr, ssr-rest, spa, spa-rest/);
    assert.match(answer.body.detail, /samples: must be 1 to 50/);
    assert.match(answer.body.detail, /backgroundRate: must be at most 1000 requests\/s/);
    const noKind = await rest(url, 'POST', '/lab/api/runs', { kind: 'soap', cacheMode: 'all' });
    assert.equal(noKind.status, 400);
    assert.match(noKind.body.detail, /kind must be "load" or "browser", got "soap"/);
    const mixed = await rest(url, 'POST', '/lab/api/runs', {
      kind: 'browser',
      variants: ['ssr'],
      targets: ['graphql'],
      cacheMode: 'all',
    });
    assert.equal(mixed.status, 400, 'a load run field on a browser run is refused, not ignored');
    assert.equal((await rest(url, 'GET', '/lab/api/state')).body.run, null);
  });

  test('a run switches the cache mode for its duration, refuses a second start as busy, stores its report and restores the mode', async () => {
    const started = await startRun({ who: 'ada', durationSeconds: 2 });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.run.id as number;
    const during = await rest(stack.gatewayUrl, 'GET', '/admin/settings', undefined, { headers: admin });
    assert.equal(during.body.gateway.cacheMode, 'off');
    assert.deepEqual(
      Object.values(during.body.subgraphs).map((one: any) => one.cacheMode),
      ['off', 'off', 'off'],
    );

    const busy = await startRun({ who: 'bob' });
    assert.equal(busy.status, 409);
    assert.match(busy.body.detail, new RegExp(`^busy: run ${id} by ada is (starting|running) \\(graphql, rest at 5/s`));
    assert.equal(busy.body.running.who, 'ada');

    const done = await finished(id);
    assert.equal(done.status, 'done');
    const report = (await rest(url, 'GET', `/lab/api/runs/${id}`)).body;
    assert.deepEqual(
      report.steps.map((step: any) => `${step.target}@${step.offeredRate}`),
      ['graphql@5', 'rest@5'],
    );
    for (const step of report.steps) assert.equal(step.errors, 0, JSON.stringify(step.errorSamples));
    // what the services counted, as the CLI's steps have it: the GraphQL page fans out to three
    // subgraph fetches; the REST page's four calls go straight to the services, none through the gateway
    const [graphqlStep, restStep] = report.steps;
    assert.equal(graphqlStep.mechanism.fetchesPerRequest, 3);
    assert.equal(restStep.mechanism.fetchesPerRequest, 0);
    for (const step of report.steps) {
      assert.ok(step.mechanism.statementsPerRequest > 0, JSON.stringify(step.mechanism));
      assert.ok(step.mechanism.cpuMsPerRequest > 0, JSON.stringify(step.mechanism));
    }
    const after = await rest(stack.gatewayUrl, 'GET', '/admin/settings', undefined, { headers: admin });
    assert.equal(after.body.gateway.cacheMode, 'all', 'restored after the run');

    const html = await rest(url, 'GET', `/lab/api/runs/${id}/report.html`);
    assert.equal(html.status, 200);
    assert.doesNotMatch(html.body, /<script\b|<link\b|(src|href)\s*=\s*["']?https?:/i);
    assert.match(html.body, /CACHE_MODE off, cache store redis, DataLoader batching on/);
  });

  test('a cancel stops a run within a second and keeps it in the history as cancelled', async () => {
    const started = await startRun({ targets: ['graphql'], rates: [5], durationSeconds: 60 });
    assert.equal(started.status, 202);
    const id = started.body.run.id as number;
    await eventually(
      async () => (await rest(url, 'GET', '/lab/api/state')).body.run?.phase,
      10_000,
      'the run to begin measuring',
    );
    const asked = performance.now();
    const cancelled = await rest(url, 'POST', '/lab/api/runs/current/cancel');
    assert.equal(cancelled.status, 200);
    assert.ok(performance.now() - asked < 1500, `cancel took ${performance.now() - asked} ms`);
    assert.equal((await rest(url, 'GET', '/lab/api/state')).body.run, null);
    assert.equal((await finished(id)).status, 'cancelled');
    assert.equal((await rest(url, 'POST', '/lab/api/runs/current/cancel')).status, 404);
  });

  test(
    'a browser run loads each variant in Chromium beside its background load, refuses a second start, and stores a browser report',
    { skip: skipWithout(CHROMIUM) },
    async () => {
      const started = await rest(url, 'POST', '/lab/api/runs', {
        kind: 'browser',
        variants: ['spa', 'ssr'],
        samples: 2,
        backgroundRate: 10,
        cacheMode: 'all',
        who: 'grace',
      });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const id = started.body.run.id as number;
      assert.deepEqual(started.body.run.settings.variants, ['ssr', 'spa'], 'in the bench order');
      const busy = await startRun({ who: 'bob' });
      assert.equal(busy.status, 409);
      assert.match(busy.body.detail, new RegExp(`^busy: run ${id} by grace is \\w+ \\(browser: ssr, spa beside 10/s`));

      const done = await finished(id);
      assert.equal(done.status, 'done', done.error);
      assert.equal(done.settings.kind, 'browser');
      const report = (await rest(url, 'GET', `/lab/api/runs/${id}`)).body;
      assert.deepEqual(
        report.results.map((result: any) => `${result.variant}x${result.loads.length}`),
        ['ssrx2', 'spax2'],
      );
      for (const result of report.results)
        for (const metric of ['ttfb', 'fcp', 'lcp', 'itemVisible'])
          assert.ok(result.summary[metric].p50 > 0 && Number.isFinite(result.summary[metric].p95), metric);
      const [background] = report.background;
      assert.equal(background.rate, 10);
      assert.ok(background.answeredPerSecond > 0, 'the background load ran');
      // no failed or wrong answer; a slow one (a timeout) only says the machine was busy beside Chromium
      assert.ok(
        background.step.errorSamples.every((sample: { kind: string }) => sample.kind === 'timeout'),
        JSON.stringify(background.step.errorSamples),
      );
      assert.ok(background.step.errors < background.step.sent, 'most background requests were answered');
      assert.match(report.title, /CACHE_MODE all/);

      const html = await rest(url, 'GET', `/lab/api/runs/${id}/report.html`);
      assert.equal(html.status, 200);
      assert.match(html.body, /item visible p50\/p95/);
      assert.match(html.body, /<svg/);
      assert.doesNotMatch(html.body, /<script\b|<link\b|(src|href)\s*=\s*["']?https?:/i);
    },
  );

  test('runs are kept in Postgres: another SSR process lists the same history', async () => {
    const rows = await prisma.labRun.findMany({ orderBy: { id: 'asc' } });
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((row) => row.status !== 'running'));
    const other = createSsrService(readConfig(ssrEnv()), { gatewayUrl: stack.gatewayUrl });
    try {
      const listed = (await rest(await other.listen(0), 'GET', '/lab/api/runs')).body.runs;
      assert.deepEqual(
        listed.map((run: { id: number }) => run.id),
        rows.map((row) => row.id).reverse(),
      );
    } finally {
      await other.close();
    }
    assert.equal((await rest(url, 'GET', '/lab/api/runs/999999')).status, 404);
    assert.equal((await rest(url, 'GET', '/lab/api/runs/abc')).status, 400);
  });

  test('batching off turns one batched statement into one per item (the N+1 the lab shows)', async () => {
    const query = '{ items(first: 20) { edges { node { reviewSummary { count } } } } }';
    const summaries = async () => {
      sql.length = 0;
      const answer = await graphql(stack.gatewayUrl, query);
      assert.equal(answer.errors, undefined);
      return sql.filter((text) => /FROM "?reviews"?/i.test(text) && /count/i.test(text)).length;
    };
    await rest(url, 'PUT', '/lab/api/settings', { cacheMode: 'off', batching: true });
    assert.equal(await summaries(), 1);
    const switched = await rest(url, 'PUT', '/lab/api/settings', { batching: false });
    assert.equal(switched.status, 200);
    assert.equal(await summaries(), 20);
    await rest(url, 'PUT', '/lab/api/settings', { cacheMode: 'all', batching: true });
    const bad = await rest(url, 'PUT', '/lab/api/settings', { cacheMode: 'sometimes' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /cacheMode: must be one of off, entity, response, all/);
  });

  test('the cache view lists entries with layer, TTL and size, and Flush empties it', async () => {
    await graphql(stack.gatewayUrl, '{ item(id: "3") { name reviewSummary { count } } }');
    // a page built, then served from this service's page cache
    for (let i = 0; i < 2; i++) await (await fetch(`${url}/items/3`)).text();
    const view = (await rest(url, 'GET', '/lab/api/cache')).body;
    assert.equal(view.mode, 'all');
    assert.ok(view.entries.length > 0);
    assert.deepEqual(Object.keys(view.layers).sort(), ['entity', 'page', 'response', 'rest']);
    assert.ok(view.layers.page.hits >= 1 && view.layers.page.misses >= 1, JSON.stringify(view.layers.page));
    for (const entry of view.entries) {
      assert.ok(Object.keys(CACHE_LAYERS).concat('other').includes(entry.layer), entry.layer);
      assert.equal(typeof entry.sizeBytes, 'number');
    }
    assert.ok(
      view.entries.some(
        (entry: { layer: string; ttlMs: number | null }) => entry.layer === 'entity' && entry.ttlMs! > 0,
      ),
    );
    const flushed = await rest(url, 'POST', '/lab/api/cache/flush');
    assert.equal(flushed.status, 200);
    assert.ok(flushed.body.deletedKeys > 0);
  });

  test('the inspector sends one sample of a target and shows request, response and Server-Timing', async () => {
    const answer = await rest(url, 'POST', '/lab/api/inspect', { target: 'graphql', itemId: 7 });
    assert.equal(answer.status, 200);
    const [one] = answer.body.exchanges;
    assert.equal(one.request.method, 'POST');
    assert.match(one.request.body, /query ItemPage/);
    assert.equal(one.response.status, 200);
    assert.match(one.response.body, /"item":\{"id":"7"/);
    assert.ok(one.outcome.serverTiming.total > 0);
    const restPage = await rest(url, 'POST', '/lab/api/inspect', { target: 'rest', itemId: 7 });
    assert.equal(restPage.body.exchanges.length, 4);
    assert.equal((await rest(url, 'POST', '/lab/api/inspect', { target: 'soap' })).status, 400);
  });

  describe('in Chromium', { skip: skipWithout(CHROMIUM) }, () => {
    let browser: Browser;
    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });

    test('configure, run, watch it live, read the results, cancel, flush, inspect: offline, labelled, 1280 px wide', async () => {
      const { page, problems, outside } = await offlinePage(browser, { height: 1000 });
      await page.goto(`${url}/lab`);
      await page.getByRole('heading', { name: 'Configure' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'GraphQL Playground' }).getAttribute('href'), '/graphql');

      // every control has an accessible name
      const unnamed = await page
        .locator('input, select, button')
        .evaluateAll((controls) =>
          controls
            .filter(
              (control: any) =>
                !control.labels?.length && !control.getAttribute('aria-label') && !control.textContent?.trim(),
            )
            .map((control: any) => control.outerHTML),
        );
      assert.deepEqual(unnamed, []);

      // a short run of two targets at one rate, started from the keyboard
      for (const name of ['ssr']) await page.locator(`input[name=target][value="${name}"]`).uncheck();
      await page.locator('input[name=rate][value="100"]').uncheck();
      await page.locator('input[name=duration]').fill('4');
      await page.locator('input[name=warmup]').fill('0');
      await page.locator('select[name=cache-mode]').selectOption('all');
      await page.locator('input[name=who]').fill('browser test');
      await page.getByRole('button', { name: 'Start run' }).focus();
      await page.keyboard.press('Enter');

      const progress = page.getByRole('progressbar', { name: 'run progress' });
      await progress.waitFor();
      const chart = page.locator('[aria-label="successful requests per second over time, per target"]');
      await page.waitForFunction(
        () =>
          Number(
            (globalThis as any).document
              .querySelector('[aria-label="successful requests per second over time, per target"]')
              ?.getAttribute('data-points'),
          ) >= 2,
      );
      const first = Number(await progress.getAttribute('value'));
      const drawn = Number(await chart.getAttribute('data-points'));
      await page.waitForFunction(
        ([value, points]) =>
          Number((globalThis as any).document.querySelector('progress')?.getAttribute('value')) > value &&
          Number(
            (globalThis as any).document
              .querySelector('[aria-label^="successful requests"]')
              ?.getAttribute('data-points'),
          ) > points,
        [first, drawn] as const,
      );
      await page.screenshot({ path: path.join(ARTIFACTS, 'lab-running.png'), fullPage: true });

      await page.getByText(/^Run \d+ done\.$/).waitFor({ timeout: 30_000 });
      const results = page.locator('table.results');
      await results.waitFor();
      assert.deepEqual(
        await results
          .locator('thead th')
          .allTextContents()
          .then((cells) => cells.map((cell) => cell.trim())),
        ['offered/s', 'graphql', 'rest'],
      );
      assert.equal(await results.locator('tbody tr').count(), 1);
      assert.equal(await results.locator('td.winner').count(), 1, 'the fastest passing target is highlighted');
      await page.getByRole('heading', { name: 'History' }).scrollIntoViewIfNeeded();
      assert.ok((await page.locator('table.history tbody tr').count()) >= 1);
      await page.screenshot({ path: path.join(ARTIFACTS, 'lab-results.png'), fullPage: true });

      // a long run, cancelled from the page
      await page.locator('input[name=duration]').fill('60');
      await page.getByRole('button', { name: 'Start run' }).click();
      await progress.waitFor();
      const cancelAt = Date.now();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByText(/^Run \d+ cancelled\.$/).waitFor({ timeout: 5000 });
      assert.ok(Date.now() - cancelAt < 3000, `cancelled after ${Date.now() - cancelAt} ms`);

      // the cache view and its Flush button
      await page.locator('table.entries tbody tr').first().waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Flush cache' }).click();
      await page.getByText(/^Cache flushed: \d+ keys removed\.$/).waitFor();

      // the request inspector
      await page.locator('select[name=inspect-target]').selectOption('rest');
      await page.locator('input[name=inspect-item]').fill('9');
      await page.getByRole('button', { name: 'Send sample request' }).click();
      await page.locator('details.exchange').nth(3).waitFor();
      assert.equal(await page.locator('details.exchange').count(), 4);
      assert.match(
        (await page.locator('details.exchange summary').first().textContent()) ?? '',
        /GET http:\/\/127\.0\.0\.1:\d+\/api\/items\/9 → 200 in/,
      );
      await page.locator('select[name=inspect-target]').selectOption('ssr');
      await page.getByRole('button', { name: 'Send sample request' }).click();
      await page.locator('iframe[title="response preview"]').waitFor();
      await page.getByRole('heading', { name: 'Server-Timing' }).first().waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, 'lab-inspector.png'), fullPage: true });

      assert.ok(
        await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= 1280),
        'no sideways scrolling at 1,280 px',
      );
      assert.deepEqual(outside, []);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('page load in a browser: pick variants and a background rate, watch the chart fill, read the table, cancel', async () => {
      const { page, problems, outside } = await offlinePage(browser, { height: 1000 });
      await page.goto(`${url}/lab`);
      const panel = page.locator('section[aria-labelledby="browser-title"]');
      await panel.getByRole('heading', { name: 'Page load in a browser' }).waitFor();
      for (const name of ['ssr-rest', 'spa'])
        await panel.locator(`input[name=browser-variant][value="${name}"]`).uncheck();
      await panel.locator('select[name=background-rate]').selectOption('10');
      await panel.locator('input[name=samples]').fill('3');
      await panel.getByRole('button', { name: 'Start browser run' }).click();

      await panel.getByRole('progressbar', { name: 'browser run progress' }).waitFor();
      // the chart is drawn from the first page load on, and grows with each
      await page.waitForFunction(
        () => Number((globalThis as any).document.querySelector('.browser-chart')?.getAttribute('data-loads')) >= 1,
      );
      const running = page.getByRole('link', { name: 'Page load in a browser' });
      assert.equal(await running.count(), 1, 'the load run panel points to this one while it runs');
      await page.screenshot({ path: path.join(ARTIFACTS, 'lab-browser-running.png'), fullPage: true });

      await page.getByText(/^Run \d+ done\.$/).waitFor({ timeout: 60_000 });
      const table = panel.locator('table.browser-results');
      assert.deepEqual(await table.locator('tbody th').allTextContents(), ['SSR over GraphQL', 'SPA over REST']);
      assert.deepEqual(await table.locator('tbody td:nth-of-type(1)').allTextContents(), ['3', '3']);
      assert.equal((await panel.locator('.browser-chart svg rect[fill]').count()) >= 6, true, 'three bars per variant');
      await panel.getByText(/^Background 10\/s offered: [\d.]+ answered\/s/).waitFor();
      const row = page.locator('table.history tbody tr').first();
      assert.match((await row.textContent()) ?? '', /browser: ssr, spa-rest/);
      assert.equal(await row.getByRole('checkbox').isDisabled(), true, 'a browser run has no p99 curve to compare');
      await page.screenshot({ path: path.join(ARTIFACTS, 'lab-browser-results.png'), fullPage: true });

      // a long one, cancelled from the panel: the page loads it made are kept
      await panel.locator('input[name=samples]').fill('50');
      await panel.getByRole('button', { name: 'Start browser run' }).click();
      await page.waitForFunction(
        () => Number((globalThis as any).document.querySelector('.browser-chart')?.getAttribute('data-loads')) >= 1,
      );
      const cancelAt = Date.now();
      await panel.getByRole('button', { name: 'Cancel browser run' }).click();
      await page.getByText(/^Run \d+ cancelled\.$/).waitFor({ timeout: 10_000 });
      assert.ok(Date.now() - cancelAt < 5000, `cancelled after ${Date.now() - cancelAt} ms`);
      assert.equal(await panel.getByRole('button', { name: 'Start browser run' }).isEnabled(), true);
      assert.deepEqual(outside, []);
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
});
