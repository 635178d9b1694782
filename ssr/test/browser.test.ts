import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { readConfig } from '@supergraph-lab/config';
import { createPrismaClient } from '@supergraph-lab/db';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { startStack, type Stack } from '@supergraph-lab/stack';
import { launchChromium, offlinePage } from '@supergraph-lab/stack/browser';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { createSsrService, type SsrService } from '../src/service.tsx';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

describe('SSR item page in Chromium', { skip: skipWithout(CHROMIUM) }, () => {
  let db: TestDatabase;
  let stack: Stack;
  let ssr: SsrService;
  let url: string;
  let browser: Browser;
  let itemId: number;

  before(async () => {
    db = await createTestDatabase('ssr_browser');
    await loadShopData({ url: db.url, items: 60, seed: 31 });
    const prisma = createPrismaClient(db.url);
    const [busiest] = await prisma.review.groupBy({
      by: ['itemId'],
      _count: { id: true },
      orderBy: { _count: { id: 'desc' } },
      take: 1,
    });
    await prisma.$disconnect();
    itemId = busiest!.itemId;
    assert.ok(busiest!._count.id > 10, 'an item with more than two pages of reviews');
    stack = await startStack({ databaseUrl: db.url });
    ssr = createSsrService(readConfig({ LOG_LEVEL: 'silent' }), { gatewayUrl: stack.gatewayUrl });
    url = await ssr.listen(0);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await ssr?.close();
    await stack?.close();
    await db?.drop();
  });

  test('renders with no console error, hydrates, and "More reviews" loads the next page in place', async () => {
    const { page, problems, outside } = await offlinePage(browser, { warnings: true });
    await page.goto(`${url}/items/${itemId}`);
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
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${url}/items/${itemId}`);
    const firstTitles = await page.locator('.review-list h3').allTextContents();
    await page.click('a[rel="next"]');
    await page.waitForURL(/after=/);
    const nextTitles = await page.locator('.review-list h3').allTextContents();
    assert.equal(nextTitles.length > 0, true);
    assert.notDeepEqual(nextTitles, firstTitles);
    await context.close();
  });
});
