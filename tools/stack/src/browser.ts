// Debian's Chromium for the browser tests, never a browser a tool downloads itself.
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './tools.ts';

/** Headless Chromium from CHROMIUM_PATH or /usr/bin/chromium, with no background traffic. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM.path,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  });
}

/** What a page did that a test should see: console errors (and warnings if asked), page errors, requests off this machine. */
export interface PageWatch {
  problems: string[];
  /** URLs the page tried to fetch from anywhere but 127.0.0.1/localhost (they were refused). */
  outside: string[];
}

/** Opens a page that may only reach this machine, recording its console problems. */
export async function offlinePage(
  browser: Browser,
  options: { width?: number; height?: number; warnings?: boolean } = {},
): Promise<{ page: Page } & PageWatch> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  const watch: PageWatch = { problems: [], outside: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || (options.warnings && message.type() === 'warning'))
      watch.problems.push(message.text());
  });
  page.on('pageerror', (error) => watch.problems.push(error.message));
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    watch.outside.push(route.request().url());
    return route.abort();
  });
  return { page, ...watch };
}
