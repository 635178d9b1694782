import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { offlinePage } from '@supergraph-lab/stack/browser';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { chromiumStack } from './chromium-stack.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

describe('SSR item page in Chromium', { skip: skipWithout(CHROMIUM) }, () => {
  const fixture = chromiumStack('ssr_browser');

  test('renders with no console error, hydrates, and "More reviews" loads the next page in place', async () => {
    const { page, problems, outside } = await offlinePage(fixture.browser, { warnings: true });
    await page.goto(`${fixture.url}/items/${fixture.itemId}`);
    assert.equal(await page.locator('h1').count(), 1);
    assert.equal(await page.locator('.review-list li').count(), 5);
    const address = page.url();
    // the bundle hydrates: the link's click is then handled in place
    await page.waitForFunction(
      "document.querySelector('#app') && Object.keys(document.querySelector('#app')).some((key) => key.startsWith('__reactContainer'))",
      undefined,
      { timeout: 10_000 },
    );
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
