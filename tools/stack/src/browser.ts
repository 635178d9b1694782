// Debian's Chromium for the browser tests, never a browser a tool downloads itself.
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from './tools.ts';

/**
 * Headless Chromium from CHROMIUM_PATH or /usr/bin/chromium, with no background traffic. Its
 * sandbox stays on unless this process is root (Chromium refuses to start sandboxed as root).
 * With `onlyOrigins`, the browser reaches those origins and nothing else (see stackOnlyArgs).
 */
export function launchChromium(extraArgs: string[] = [], options: { onlyOrigins?: string[] } = {}): Promise<Browser> {
  const root = process.getuid?.() === 0;
  return chromium.launch({
    executablePath: CHROMIUM.path,
    // playwright-core adds --no-sandbox itself unless told the sandbox is wanted
    chromiumSandbox: !root,
    args: [
      '--headless',
      ...(root ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-background-networking',
      ...(options.onlyOrigins ? stackOnlyArgs(options.onlyOrigins) : []),
      ...extraArgs,
    ],
  });
}

/**
 * Chromium flags that let it reach `origins` only: every other request, to any host, any port,
 * loopback included, goes to a proxy that does not exist (port 9 on loopback) and fails there.
 * No request is intercepted, so page timings stay what they are; a photo URL naming an internal
 * address cannot make the server's browser fetch it.
 */
export function stackOnlyArgs(origins: readonly string[]): string[] {
  const hosts = origins.map((origin) => new URL(origin).host);
  // <-loopback> drops Chromium's implicit bypass of localhost and 127.0.0.1 (every port); it must
  // come first: after a host rule it removes that rule too
  return ['--proxy-server=http://127.0.0.1:9', `--proxy-bypass-list=${['<-loopback>', ...hosts].join(';')}`];
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
