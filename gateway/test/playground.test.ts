import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { launchChromium, offlinePage } from '@supergraph-lab/stack/browser';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { eventually } from '@supergraph-lab/testing';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

describe('GraphQL Playground', { skip: skipWithout(CHROMIUM) }, () => {
  const stack = seededStack('playground', { items: 20, seed: 1 });
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test('GET /graphql from a browser is the Playground page, with no external URL', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const html = await response.text();
    assert.match(html, /GraphQL Playground/);
    assert.doesNotMatch(
      html,
      /(src|href)=["']?(https?:)?\/\/|fonts\.googleapis|cdn\.jsdelivr/,
      'nothing from outside this server',
    );
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(assets.length >= 3, `assets: ${assets}`);
    for (const asset of assets) {
      assert.ok(asset.startsWith('/playground/'), asset);
      assert.equal((await fetch(`${stack.gatewayUrl}${asset}`)).status, 200, asset);
    }
    const script = await fetch(
      `${stack.gatewayUrl}/playground/@apollographql/graphql-playground-react/build/static/js/middleware.js`,
    );
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const escape = await fetch(
      `${stack.gatewayUrl}/playground/@apollographql/graphql-playground-react/build/%2e%2e/package.json`,
    );
    assert.equal(escape.status, 404, 'no path escapes the bundle folder');
    // a GraphQL client's GET still reaches GraphQL
    const query = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ item(id: "1") { id } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    assert.deepEqual(await query.json(), { data: { item: { id: '1' } } });
  });

  test('renders in Chromium offline, loads the schema and runs a query', async () => {
    const { page, outside, problems: consoleErrors } = await offlinePage(browser);
    const graphqlStatuses: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/graphql') && response.request().method() === 'POST')
        graphqlStatuses.push(response.status());
    });
    await page.goto(`${stack.gatewayUrl}/graphql`);
    await page.waitForSelector('.playground', { timeout: 20_000 });
    // the Playground introspects its endpoint on load: the schema reached it through the gateway
    await eventually(
      () => graphqlStatuses.includes(200),
      15_000,
      () => `introspection to be answered 200: ${graphqlStatuses}`,
      100,
    );

    // type a query into the editor and run it
    await page.click('.CodeMirror');
    await page.keyboard.press('Control+A');
    // insertText, not typing: the editor would auto-close every bracket typed
    await page.keyboard.insertText('{ item(id: "2") { name reviewSummary { count } } }');
    await page.click('[title="Execute Query (Ctrl-Enter)"]');
    // the response pane shows JSON, with quoted keys the editor's query does not have
    await page.waitForFunction('document.body.innerText.includes(\'"reviewSummary"\')', undefined, { timeout: 15_000 });
    assert.match(await page.innerText('body'), /"name": "[^"]+"/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground.png') });
    assert.deepEqual(outside, [], 'no request left this machine');
    assert.deepEqual(consoleErrors, []);
    await page.close();
  });

  test('opens on tabs a newcomer can run at once: the item page on the newest item, a listing, createReview', async () => {
    const html = await (await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } })).text();
    // the seed made items 1..20: the tabs are filled with the newest
    assert.match(html, /\\"id\\": \\"20\\"|"id": "20"|\\"itemId\\": \\"20\\"/, 'the newest item id is in the tabs');

    const { page, outside, problems } = await offlinePage(browser);
    await page.goto(`${stack.gatewayUrl}/graphql`);
    await page.waitForSelector('.playground', { timeout: 20_000 });
    for (const name of ['Item page', 'Items, paginated', 'createReview'])
      await page.getByText(name, { exact: true }).first().waitFor({ timeout: 10_000 });
    // the first tab runs as it is: the item page of item 20
    await page.getByText('Item page', { exact: true }).first().click();
    await page.click('[title="Execute Query (Ctrl-Enter)"]');
    // the response pane draws only its visible lines: the item's first fields
    await page.waitForFunction('document.body.innerText.includes(\'"priceCents"\')', undefined, { timeout: 15_000 });
    const shown = await page.innerText('body');
    assert.match(shown, /"id": "20"/);
    assert.doesNotMatch(shown, /"errors"/);
    assert.deepEqual(outside, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
