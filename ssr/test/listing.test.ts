import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { SubgraphName } from '@supergraph-lab/config';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { ITEMS_PER_PAGE } from '../src/listing-data.ts';
import { formatPrice } from '../src/page.tsx';

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** The item ids a listing page links to, in page order. */
const listedIds = (html: string) =>
  [...html.matchAll(/<a href="\/items\/(\d+)" class="tile">/g)].map((m) => Number(m[1]));
/** The page's next-page link, as a path. */
const nextLink = (html: string) =>
  /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(html)?.[1]?.replace(/&amp;/g, '&');
const html = (text: string) => text.replace(/&/g, '&amp;').replace(/'/g, '&#x27;').replace(/"/g, '&quot;');

/** Enough items for one category to fill more than a page. */
const SHOP_ITEMS = 300;

describe('the shop listing (/)', () => {
  const statements: { subgraph: SubgraphName; sql: string }[] = [];
  // no cache: every listing reaches the database, so its statements can be counted
  const stack = seededStack('ssr_listing', {
    items: SHOP_ITEMS,
    seed: 7,
    env: { CACHE_MODE: 'off' },
    onQuery: (subgraph, sql) => statements.push({ subgraph, sql }),
    ssr: true,
  });
  let url: string;
  before(() => {
    url = stack.ssrUrl;
  });

  test('the first page lists the newest items, each linked to its page with name, price and primary photo', async () => {
    // a page first, so what a driver sends once per connection (MariaDB's SELECT VERSION()) is not counted
    await get(`${url}/`);
    statements.length = 0;
    const page = await get(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.html, /<title>All items \| supergraph shop<\/title>/);
    assert.doesNotMatch(page.html, /<script/, 'plain HTML: no hydration bundle, no page state');
    const newest = await stack.prisma.item.findMany({
      orderBy: { id: 'desc' },
      take: ITEMS_PER_PAGE,
      include: { photos: { orderBy: [{ position: 'asc' }, { id: 'asc' }], take: 1 } },
    });
    assert.deepEqual(
      listedIds(page.html),
      newest.map((item) => item.id),
    );
    for (const item of newest) {
      const tile = new RegExp(`<a href="/items/${item.id}" class="tile">(.*?)</a>`).exec(page.html)![1]!;
      assert.ok(tile.includes(`<span class="tile-name">${html(item.name)}</span>`), `name of ${item.id}`);
      assert.ok(tile.includes(formatPrice(item.priceCents, item.currency)), `price of ${item.id}`);
      const photo = item.photos[0];
      if (photo) {
        const file = photo.url
          .split('/')
          .at(-1)!
          .replace(/\.jpg$/, '.svg');
        assert.match(tile, new RegExp(`<img src="/images/[^"]*${file}"`), `primary photo of ${item.id}`);
      } else assert.ok(tile.includes('No photo yet'), `no photo for ${item.id}`);
    }
    assert.ok(
      newest.some((item) => item.photos.length) && newest.some((item) => !item.photos.length),
      'the page shows both kinds',
    );
    // one gateway query: one statement for the page of items, one for all their photos
    const bySubgraph = (name: SubgraphName) => statements.filter((one) => one.subgraph === name).length;
    assert.deepEqual([bySubgraph('items'), bySubgraph('photos'), bySubgraph('reviews')], [1, 1, 0]);
  });

  test('"Next page" leads to the following items with no overlap, to the end of the shop', async () => {
    const seen: number[] = [];
    let path: string | undefined = '/';
    let pages = 0;
    while (path) {
      const page = await get(`${url}${path}`);
      assert.equal(page.status, 200, path);
      const ids = listedIds(page.html);
      assert.ok(ids.length > 0 && ids.length <= ITEMS_PER_PAGE, `${path}: ${ids.length} items`);
      if (seen.length) assert.ok(ids[0]! < seen.at(-1)!, 'the next page starts below the last one');
      seen.push(...ids);
      if (pages > 0) assert.match(page.html, /<a href="\/">First page<\/a>/);
      path = nextLink(page.html);
      if (path) assert.match(path, /^\/\?after=[\w-]+$/);
      pages++;
    }
    assert.equal(pages, Math.ceil(SHOP_ITEMS / ITEMS_PER_PAGE));
    assert.equal(new Set(seen).size, seen.length, 'no item twice');
    const all = await stack.prisma.item.findMany({ select: { id: true }, orderBy: { id: 'desc' } });
    assert.deepEqual(
      seen,
      all.map((item) => item.id),
    );
  });

  test('?category= lists only that category, and its next page keeps it', async () => {
    const [biggest] = await stack.prisma.item.groupBy({
      by: ['category'],
      _count: { id: true },
      orderBy: { _count: { id: 'desc' } },
      take: 1,
    });
    const category = biggest!.category;
    const expected = await stack.prisma.item.findMany({
      where: { category },
      select: { id: true },
      orderBy: { id: 'desc' },
    });
    const page = await get(`${url}/?category=${encodeURIComponent(category)}`);
    assert.equal(page.status, 200);
    assert.ok(page.html.includes(`<h1>${html(category)}</h1>`));
    assert.deepEqual(
      listedIds(page.html),
      expected.slice(0, ITEMS_PER_PAGE).map((item) => item.id),
    );
    const next = nextLink(page.html);
    assert.ok(expected.length > ITEMS_PER_PAGE, `${expected.length} items in ${category}: more than a page`);
    assert.equal(new URL(next!, url).searchParams.get('category'), category);
    const second = await get(`${url}${next}`);
    assert.deepEqual(
      listedIds(second.html),
      expected.slice(ITEMS_PER_PAGE, 2 * ITEMS_PER_PAGE).map((item) => item.id),
    );
    // each tile links its category's listing
    assert.ok(page.html.includes(`<a href="/?${html(new URLSearchParams({ category }).toString())}">`));
    const none = await get(`${url}/?category=Nothing%20here`);
    assert.equal(none.status, 200);
    assert.match(none.html, /No items in Nothing here\./);
  });

  test('bad input gets a 400 page naming what was wrong (the gateway down: page.test.ts)', async () => {
    for (const [path, text] of [
      ['/?after=!!', 'after must be a cursor from a previous page, got &quot;!!&quot;'],
      ['/?after=bm90LWpzb24', 'after must be a cursor from a previous page'],
      ['/?after=eyJ4IjoxfQ', 'after is not a cursor for this list'],
      [`/?category=${'x'.repeat(101)}`, 'invalid category: must be at most 100 characters'],
      ['/?category=Books&category=Toys', 'category can be given once; it was given 2 times.'],
      ['/?after=a&after=b', 'after can be given once'],
    ] as const) {
      const page = await get(`${url}${path}`);
      assert.equal(page.status, 400, path);
      assert.match(page.html, /That address is not right/, path);
      assert.ok(page.html.includes(text), `${path}: ${/<main[\s\S]*<\/main>/.exec(page.html)?.[0]}`);
      assert.doesNotMatch(page.html, /at \w+ \(|\.ts:\d+/, 'no stack trace');
    }
  });

  test('an error page\'s "Back to the shop" leads to the listing', async () => {
    const missing = await get(`${url}/items/99999`);
    assert.equal(missing.status, 404);
    const back = /<a href="([^"]+)">Back to the shop<\/a>/.exec(missing.html)?.[1];
    assert.equal(back, '/');
    const shop = await get(new URL(back!, url).toString());
    assert.equal(shop.status, 200);
    assert.equal(listedIds(shop.html).length, ITEMS_PER_PAGE);
  });
});
