import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { readConfig } from '@supergraph-lab/config';
import { createPrismaClient } from '@supergraph-lab/db';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { startStack, type Stack } from '@supergraph-lab/stack';
import { launchChromium } from '@supergraph-lab/stack/browser';
import { createSsrService, type SsrService } from '../src/service.tsx';

/** What the browser tests of a describe block run against, once its before() hook has run. */
export interface ChromiumStack {
  /** The SSR service's base URL. */
  url: string;
  browser: Browser;
  /** The item with the most reviews: more than two pages of them. */
  itemId: number;
}

/**
 * A database of its own (`name`, 60 items), the API and the SSR service started on it in this
 * process, and headless Chromium: made in a `before` hook of the enclosing describe block,
 * closed and dropped in an `after` hook.
 */
export function chromiumStack(name: string): ChromiumStack {
  let db: TestDatabase | undefined;
  let stack: Stack | undefined;
  let ssr: SsrService | undefined;
  const fixture = {} as ChromiumStack;
  before(async () => {
    db = await createTestDatabase(name);
    await loadShopData({ url: db.url, items: 60, seed: 31 });
    const prisma = createPrismaClient(db.url);
    const [busiest] = await prisma.review.groupBy({
      by: ['itemId'],
      _count: { id: true },
      orderBy: { _count: { id: 'desc' } },
      take: 1,
    });
    await prisma.$disconnect();
    fixture.itemId = busiest!.itemId;
    assert.ok(busiest!._count.id > 10, 'an item with more than two pages of reviews');
    stack = await startStack({ databaseUrl: db.url });
    ssr = createSsrService(readConfig({ LOG_LEVEL: 'silent' }), {
      gatewayUrl: stack.gatewayUrl,
    });
    fixture.url = await ssr.listen(0);
    fixture.browser = await launchChromium();
  });
  after(async () => {
    await fixture.browser?.close();
    await ssr?.close();
    await stack?.close();
    await db?.drop();
  });
  return fixture;
}
