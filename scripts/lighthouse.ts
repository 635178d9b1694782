// npm run lighthouse [-- --url http://localhost:3000/items/1]: Lighthouse on an item page, in
// Debian's Chromium. Without --url it starts the API and the SSR service on a scratch database
// (DATABASE_URL's server) seeded with 2,000 items, audits the newest item's page, and stops them.
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { readConfig, readToolConfig } from '@supergraph-lab/config';
import { databaseUrlFromEnv } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { loadShopData } from '@supergraph-lab/seed';
import { createSsrService } from '@supergraph-lab/ssr';
import { startStack } from '@supergraph-lab/stack';

const { values } = parseArgs({ options: { url: { type: 'string' } } });
const cleanups: (() => Promise<void>)[] = [];
try {
  let url = values.url;
  if (!url) {
    const database = await createTestDatabase('lighthouse', { serverUrl: databaseUrlFromEnv() });
    cleanups.push(() => database.drop());
    const dbUrl = database.url;
    await loadShopData({ url: dbUrl, items: 2000, seed: 42 });
    const stack = await startStack({ databaseUrl: dbUrl, env: { NODE_ENV: 'production' } });
    cleanups.unshift(() => stack.close());
    const ssr = createSsrService(readConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production' }), {
      gatewayUrl: stack.gatewayUrl,
    });
    const base = await ssr.listen(0);
    cleanups.unshift(() => ssr.close());
    url = `${base}/items/2000`;
  }
  const chrome = await chromeLauncher.launch({
    chromePath: readToolConfig().chromiumPath,
    chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  cleanups.unshift(async () => {
    chrome.kill();
  });
  const result = await lighthouse(url, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
  });
  if (!result) throw new Error('Lighthouse returned nothing');
  console.log(`Lighthouse ${result.lhr.lighthouseVersion} on ${url}`);
  for (const category of Object.values(result.lhr.categories)) {
    console.log(`  ${category.title.padEnd(16)} ${Math.round((category.score ?? 0) * 100)}`);
  }
  const failing = Object.values(result.lhr.audits).filter(
    (audit) =>
      audit.score !== null &&
      audit.score < 0.9 &&
      audit.scoreDisplayMode !== 'informative' &&
      audit.scoreDisplayMode !== 'manual',
  );
  if (failing.length)
    console.log(
      `  below 90: ${failing.map((audit) => `${audit.id} (${Math.round((audit.score ?? 0) * 100)})`).join(', ')}`,
    );
} catch (error) {
  console.error(`lighthouse: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
}
