import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { offlinePage } from '@supergraph-lab/stack/browser';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { chromiumStack } from './chromium-stack.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

/** Whether React holds the page's #app: hydrated (the server's page) or rendered (the SPA). */
const HYDRATED =
  "document.querySelector('#app') && Object.keys(document.querySelector('#app')).some((key) => key.startsWith('__reactContainer'))";

/** Whether React owns the variant badge's node: hydration (or the SPA's render) has committed. */
const BADGE_OWNED =
  "[...document.querySelectorAll('.variant .badge')].some((node) => Object.keys(node).some((key) => key.startsWith('__reactFiber')))";

/** Each link `selector` finds on the page, as "href text". */
const linksOf = (page: Page, selector: string): Promise<string[]> =>
  page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].map((a) => a.getAttribute('href') + ' ' + a.textContent)`,
  );

describe('SSR item page in Chromium', { skip: skipWithout(CHROMIUM) }, () => {
  const fixture = chromiumStack('ssr_browser');

  test('renders with no console error, hydrates, and "More reviews" loads the next page in place', async () => {
    const { page, problems, outside } = await offlinePage(fixture.browser, { warnings: true });
    await page.goto(`${fixture.url}/items/${fixture.itemId}`);
    assert.equal(await page.locator('h1').count(), 1);
    assert.equal(await page.locator('.review-list li').count(), 5);
    const address = page.url();
    // the bundle hydrates: the link's click is then handled in place
    await page.waitForFunction(HYDRATED, undefined, { timeout: 10_000 });
    await page.click('a[rel="next"]');
    await page.waitForFunction("document.querySelectorAll('.review-list li').length === 10", undefined, {
      timeout: 10_000,
    });
    assert.equal(page.url(), address, 'no navigation');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ssr-item-page.png'), fullPage: true });
    assert.deepEqual(problems, []);
    assert.deepEqual(outside, []);
    await page.close();
  });

  test('the header links the listing and the lab; each of the four item pages names its variant', async () => {
    const id = fixture.itemId;
    const variants = [
      [`/items/${id}`, 'SSR · GraphQL'],
      [`/items/${id}?source=rest`, 'SSR · REST'],
      [`/spa/items/${id}`, 'SPA · GraphQL'],
      [`/spa/items/${id}?source=rest`, 'SPA · REST'],
    ] as const;
    for (const [address, badge] of variants) {
      const { page, problems, outside } = await offlinePage(fixture.browser, { warnings: true });
      await page.goto(`${fixture.url}${address}`);
      await page.waitForSelector('main.item:not(.loading)', { timeout: 10_000 });
      // the server's page: React's nodes under the badge once hydration has committed (or, on a
      // mismatch, rendered again and reported); the SPA (on Preact) rendered the badge itself
      if (address.startsWith('/items/')) await page.waitForFunction(BADGE_OWNED, undefined, { timeout: 10_000 });
      assert.equal(await page.locator('.variant .badge').innerText(), badge, address);
      const links = await linksOf(page, 'header.site a');
      assert.deepEqual(
        links,
        ['/ supergraph shop', '/ All items', '/lab Load lab', '/graphql GraphQL Playground'],
        address,
      );
      assert.deepEqual(problems, [], `${address}: no console error or warning (no hydration mismatch)`);
      assert.deepEqual(outside, []);
      await page.close();
    }
  });

  test('the listing: tiles lead to item pages, "Next page" to the following items, the header back', async () => {
    const { page, problems, outside } = await offlinePage(fixture.browser, { warnings: true });
    await page.goto(`${fixture.url}/`);
    const firstPage = (await linksOf(page, 'a.tile')).map((link) => link.split(' ')[0]);
    assert.equal(firstPage.length, 24);
    assert.ok(
      firstPage.every((href) => /^\/items\/\d+$/.test(href ?? '')),
      JSON.stringify(firstPage),
    );
    assert.equal(await page.locator('script').count(), 0, 'no script on the listing');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'shop-listing.png'), fullPage: true });
    await page.click('a[rel="next"]');
    await page.waitForURL(/\?after=/);
    const secondPage = (await linksOf(page, 'a.tile')).map((link) => link.split(' ')[0]);
    assert.ok(secondPage.length > 0);
    assert.deepEqual(
      secondPage.filter((href) => firstPage.includes(href)),
      [],
      'no item on both pages',
    );
    const name = (await page.locator('a.tile .tile-name').first().innerText()).trim();
    await page.locator('a.tile').first().click();
    await page.waitForURL(/\/items\/\d+$/);
    assert.equal((await page.locator('h1').innerText()).trim(), name);
    await page.click('header.site a:has-text("All items")');
    await page.waitForURL(`${fixture.url}/`);
    assert.deepEqual(problems, []);
    assert.deepEqual(outside, []);
    await page.close();
  });

  test('without JavaScript the same link goes to the next page', async () => {
    const context = await fixture.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${fixture.url}/items/${fixture.itemId}`);
    const firstTitles = await page.locator('.review-list h3').allTextContents();
    await page.click('a[rel="next"]');
    await page.waitForURL(/after=/);
    const nextTitles = await page.locator('.review-list h3').allTextContents();
    assert.equal(nextTitles.length > 0, true);
    assert.notDeepEqual(nextTitles, firstTitles);
    await context.close();
  });
});
