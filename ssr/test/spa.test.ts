import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { get } from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { offlinePage } from '@supergraph-lab/stack/browser';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { eventually } from '@supergraph-lab/testing';
import { chromiumStack } from './chromium-stack.ts';

/** The text a person sees in the page's main content, whitespace folded. */
async function visibleText(page: Page): Promise<string> {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ').trim();
}

/** Waits until the single-page app has rendered something other than its loading frame. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('main:not(.loading)', { timeout: 15_000 });
}

describe('the single-page app (/spa/items/:id) in Chromium', { skip: skipWithout(CHROMIUM) }, () => {
  const fixture = chromiumStack('ssr_spa');

  test('the shell carries no data and names one cached bundle of under 60 kB gzipped', async () => {
    const response = await fetch(`${fixture.url}/spa/items/${fixture.itemId}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const html = await response.text();
    assert.doesNotMatch(html, /page-state|Customer reviews/, 'no data in the shell');
    assert.equal(html, await (await fetch(`${fixture.url}/spa/items/1`)).text(), 'one shell for every item');
    const etag = response.headers.get('etag')!;
    assert.equal((await fetch(`${fixture.url}/spa/items/2`, { headers: { 'if-none-match': etag } })).status, 304);
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((match) => match[1]!);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]!, /^\/assets\/spa-[0-9a-f]{12}\.js$/);
    const bundle = await fetch(`${fixture.url}${scripts[0]}`);
    assert.equal(bundle.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    await bundle.arrayBuffer();
    // the same components on Preact's compatible runtime: under the SPA's 60 kB budget, and far less
    // than the server page's hydration bundle, which holds React (react-dom's client is 65 kB)
    const hydration = /<script src="(\/assets\/client-[0-9a-f]{12}\.js)"/.exec(
      await (await fetch(`${fixture.url}/items/${fixture.itemId}`)).text(),
    )![1]!;
    const gzipped = async (path: string) =>
      gzipSync(Buffer.from(await (await fetch(`${fixture.url}${path}`)).arrayBuffer())).length;
    const [spaBytes, hydrationBytes] = [await gzipped(scripts[0]!), await gzipped(hydration)];
    assert.ok(spaBytes < 60 * 1024, `the app's bundle is ${spaBytes} B gzipped`);
    assert.ok(spaBytes < hydrationBytes / 3, `the app's bundle ${spaBytes} B, the page's ${hydrationBytes} B gzipped`);
  });

  test('the bundles go out compressed once, as each browser accepts: brotli, else gzip, else as they are', async () => {
    const html = await (await fetch(`${fixture.url}/items/${fixture.itemId}`)).text();
    const path = /<script src="(\/assets\/client-[0-9a-f]{12}\.js)"/.exec(html)![1]!;
    const raw = (acceptEncoding: string) =>
      new Promise<{ encoding: string | undefined; vary: string | undefined; bytes: Buffer }>((resolve, reject) => {
        get(`${fixture.url}${path}`, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              encoding: response.headers['content-encoding'],
              vary: response.headers.vary,
              bytes: Buffer.concat(chunks),
            }),
          );
        }).on('error', reject);
      });
    const code = (await raw('identity')).bytes.toString();
    assert.match(code, /hydrateRoot|createRoot/, 'the bundle itself');
    // compressed once, off the event loop, from the first request on: wait for it (bounded)
    const br = await eventually(
      async () => {
        const answer = await raw('gzip, deflate, br');
        return answer.encoding === 'br' && answer;
      },
      10_000,
      'the brotli copy',
      100,
    );
    assert.equal(br.vary, 'accept-encoding');
    assert.equal(brotliDecompressSync(br.bytes).toString(), code);
    const gzip = await raw('br;q=0, gzip');
    assert.equal(gzip.encoding, 'gzip');
    assert.equal(gunzipSync(gzip.bytes).toString(), code);
    assert.ok(br.bytes.length < gzip.bytes.length, `brotli ${br.bytes.length} B, gzip ${gzip.bytes.length} B`);
    assert.equal((await raw('identity')).encoding, undefined);
  });

  for (const source of ['graphql', 'rest'] as const) {
    test(`over ${source}: the same visible text and title as the server-rendered page, with no console error`, async () => {
      const suffix = source === 'rest' ? '?source=rest' : '';
      const { page, problems, outside } = await offlinePage(fixture.browser, { warnings: true });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      await page.goto(`${fixture.url}/items/${fixture.itemId}${suffix}`);
      const server = { text: await visibleText(page), title: await page.title() };
      requests.length = 0;
      await page.goto(`${fixture.url}/spa/items/${fixture.itemId}${suffix}`);
      await settled(page);
      assert.equal(await visibleText(page), server.text);
      assert.equal(await page.title(), server.title);
      const api = requests.filter((path) => path === '/graphql' || path.startsWith('/api/'));
      assert.equal(api.length, source === 'rest' ? 4 : 1, `data calls: ${JSON.stringify(api)}`);
      // the page marks the moment the item is on the screen
      assert.equal(await page.evaluate("performance.getEntriesByName('item-visible').length"), 1);
      assert.deepEqual(problems, []);
      assert.deepEqual(outside, []);
      await page.close();
    });
  }

  test('sorting and "More reviews" work as on the server-rendered page', async () => {
    const { page, problems } = await offlinePage(fixture.browser);
    await page.goto(`${fixture.url}/spa/items/${fixture.itemId}`);
    await settled(page);
    assert.equal(await page.locator('.review-list li').count(), 5);
    await page.click('a[rel="next"]');
    await page.waitForFunction("document.querySelectorAll('.review-list li').length === 10", undefined, {
      timeout: 10_000,
    });
    await page.click('nav.sorts a:has-text("Lowest rated")');
    await page.waitForURL(/\/spa\/items\/\d+\?sort=LOWEST/);
    await settled(page);
    const spaSorted = await visibleText(page);
    await page.goto(`${fixture.url}/items/${fixture.itemId}?sort=LOWEST`);
    assert.equal(spaSorted, await visibleText(page));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('each error state has its page: 400, 404, and the gateway down', async () => {
    const { page } = await offlinePage(fixture.browser);
    const cases: [string, RegExp][] = [
      [`/spa/items/abc`, /That address is not right.*"abc" is not one/],
      [`/spa/items/${fixture.itemId}?sort=SIDEWAYS`, /That address is not right.*"SIDEWAYS" is not one of them/],
      [`/spa/items/99999999`, /We could not find that item.*no item 99999999/],
      [`/spa/items/99999999?source=rest`, /We could not find that item.*no item 99999999/],
    ];
    for (const [path, expected] of cases) {
      await page.goto(`${fixture.url}${path}`);
      await settled(page);
      assert.match(await visibleText(page), expected, path);
    }
    // the gateway unreachable: the app says so instead of loading forever
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await page.goto(`${fixture.url}/spa/items/${fixture.itemId}`);
    await settled(page);
    assert.match(await visibleText(page), /The shop is unavailable for a moment.*unavailable/);
    await page.unroute('**/graphql');
    await page.route('**/api/**', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 503, detail: 'the gateway is unavailable: ECONNREFUSED' }),
      }),
    );
    await page.goto(`${fixture.url}/spa/items/${fixture.itemId}?source=rest`);
    await settled(page);
    assert.match(await visibleText(page), /The shop is unavailable for a moment.*ECONNREFUSED/);
    assert.equal(await page.title(), 'Unavailable | supergraph shop');
    await page.close();
  });
});
