import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { rest, busiestItem } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { formatPrice } from '../src/page.tsx';
import { createSsrService } from '../src/service.tsx';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

/** The page's <main>, with the links that only differ by `source=rest` made equal. */
function mainOf(html: string): string {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
  return main.replace(/(\?|&amp;)source=rest/g, '').replace(/\?&amp;/g, '?');
}

describe('SSR item pages', () => {
  const env = { REDIS_URL, CACHE_NAMESPACE: `sgl-ssr-${randomUUID().slice(0, 8)}`, CACHE_MODE: 'all' };
  const stack = seededStack('ssr', { items: 80, seed: 12, env, ssr: true });
  let url: string;
  before(() => {
    url = stack.ssrUrl;
  });

  test('the page links to GraphQL Playground; /graphql here sends a browser to the gateway on the same host', async () => {
    const page = await get(`${url}/items/1`);
    assert.match(page.html, /<a href="\/graphql" class="playground-link">GraphQL Playground<\/a>/);
    // the header's "Load lab": the lab's own process, on the host the browser used (token and all)
    const lab = await fetch(`${url.replace('127.0.0.1', 'localhost')}/lab?token=t`, { redirect: 'manual' });
    assert.equal(lab.status, 302);
    assert.equal(lab.headers.get('location'), 'http://localhost:3100/lab?token=t');
    const response = await fetch(`${url.replace('127.0.0.1', 'localhost')}/graphql`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), `http://localhost:${new URL(stack.gatewayUrl).port}/graphql`);
    const playground = await fetch(response.headers.get('location')!, { headers: { accept: 'text/html' } });
    assert.match(await playground.text(), /GraphQL Playground/);
  });

  test('a seeded item page shows the item, its gallery, review summary and first reviews', async () => {
    const busiest = await busiestItem(stack.prisma, { withPhotos: true });
    const id = busiest.id;
    const item = (await stack.prisma.item.findUniqueOrThrow({ where: { id } }))!;
    const page = await get(`${url}/items/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.html, /^<!DOCTYPE html><html lang="en">/);
    assert.ok(
      page.html.includes(`<title>${item.name.replace(/&/g, '&amp;')} | ${item.brand} | supergraph shop</title>`),
      'title',
    );
    assert.match(page.html, /<meta name="description" content="[^"]{20,}"\/>/);
    assert.ok(page.html.includes(`<h1 id="item-name">${item.name.replace(/&/g, '&amp;')}</h1>`));
    assert.ok(page.html.includes(formatPrice(item.priceCents, item.currency)), 'price in its currency');
    const photos = await stack.prisma.photo.findMany({
      where: { itemId: id },
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
    });
    assert.ok(photos.length > 0, 'the item has photos');
    assert.ok(page.html.includes(`class="primary" src="/images/`), 'primary photo, served locally');
    assert.ok(
      page.html.includes(`alt="${photos[0]!.altText.replace(/&/g, '&amp;')}"`),
      "the primary photo is the item's first",
    );
    const reviews = await stack.prisma.review.findMany({ where: { itemId: id }, orderBy: { id: 'desc' }, take: 5 });
    for (const review of reviews) assert.ok(page.html.includes(review.title), `review "${review.title}"`);
    assert.match(page.html, new RegExp(`${busiest.reviews} reviews`));
    assert.match(page.html, /<table class="histogram"/);
    assert.match(page.html, /<a href="\/items\/\d+\?sort=HIGHEST#reviews">Highest rated<\/a>/);
    // the page's data (for hydration) keeps the API's photo URLs; every image the page loads is served here
    assert.doesNotMatch(
      page.html,
      /(src|srcset|href)="[^"]*https?:\/\/images\.supergraph-shop\.example/,
      'no image from outside',
    );
  });

  test('the REST-built page is the same page', async () => {
    for (const id of [3, 17, 80]) {
      const viaGraphql = await get(`${url}/items/${id}?sort=HIGHEST`);
      const viaRest = await get(`${url}/items/${id}?sort=HIGHEST&source=rest`);
      assert.equal(viaRest.status, 200);
      assert.equal(mainOf(viaRest.html), mainOf(viaGraphql.html), `item ${id}`);
      assert.ok(mainOf(viaRest.html).length > 500);
    }
  });

  test('sort and "more reviews" links work without JavaScript', async () => {
    const busiest = await busiestItem(stack.prisma, { withPhotos: true });
    const id = busiest.id;
    const first = await get(`${url}/items/${id}?sort=LOWEST`);
    const next = /<a href="([^"]+)" rel="next"[^>]*>More reviews<\/a>/.exec(first.html)?.[1];
    assert.ok(next, 'a next-page link');
    const second = await get(`${url}${next!.replace(/&amp;/g, '&')}`);
    assert.equal(second.status, 200);
    const titles = (html: string) =>
      [...html.matchAll(/<article><h3>[\s\S]*?<\/span><\/span> ([^<]+)<\/h3>/g)].map((match) => match[1]);
    const ids = (html: string) => [...html.matchAll(/<time dateTime="([^"]+)"/g)].map((match) => match[1]);
    assert.equal(ids(first.html).length, 5);
    assert.ok(ids(second.html).length > 0);
    assert.equal(titles(first.html).length, 5);
    assert.notDeepEqual(
      ids(second.html),
      ids(first.html).slice(0, ids(second.html).length),
      'the next page shows other reviews',
    );
  });

  test('error pages: 400 for a bad id or sort, 404 for a missing item, 503 with Retry-After for the listing and a page when the gateway is down', async () => {
    for (const [path, status, text] of [
      ['/items/abc', 400, 'is not one'],
      ['/items/0', 400, 'positive whole number'],
      ['/items/5?sort=BEST', 400, 'Reviews can be sorted by'],
      ['/items/5?after=!!', 400, 'after must be a cursor'],
      ['/items/99999', 404, 'There is no item 99999'],
      ['/items/99999?source=rest', 404, 'There is no item 99999'],
    ] as const) {
      const page = await get(`${url}${path}`);
      assert.equal(page.status, status, path);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.ok(page.html.includes(text), `${path}: ${page.html.slice(0, 400)}`);
      assert.doesNotMatch(page.html, /at \w+ \(|\.ts:\d+/, 'no stack trace');
    }
    const orphan = createSsrService(readConfig({ LOG_LEVEL: 'silent' }), { gatewayUrl: 'http://127.0.0.1:1' });
    const orphanUrl = await orphan.listen(0);
    try {
      // the listing, and an item page by either source
      for (const path of ['/', '/items/1', '/items/1?source=rest']) {
        const page = await get(`${orphanUrl}${path}`);
        assert.equal(page.status, 503, path);
        assert.equal(page.headers.get('retry-after'), '5');
        assert.match(page.html, /The shop is unavailable for a moment/);
      }
    } finally {
      await orphan.close();
    }
  });

  test('everything user-supplied is escaped', async () => {
    const created = await rest(stack.gatewayUrl, 'POST', '/api/items', {
      sku: 'XSS-1',
      name: '<script>alert(1)</script>',
      description: '"><img src=x onerror=alert(2)>',
      category: 'Books',
      brand: '</style><b>brand</b>',
      priceCents: 100,
    });
    await rest(stack.gatewayUrl, 'POST', `/api/items/${created.body.id}/reviews`, {
      rating: 1,
      title: '<iframe src="//evil">',
      body: '<script>x</script>',
      author: '&amp; me',
    });
    for (const source of ['', '?source=rest']) {
      const page = await get(`${url}/items/${created.body.id}${source}`);
      assert.equal(page.status, 200);
      assert.ok(page.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      assert.doesNotMatch(page.html, /<script>alert|<img src=x|<iframe|<script>x|<\/style><b>/);
      assert.ok(page.html.includes('&amp;amp; me'));
    }
  });

  test('pages are cached whole, and after any write the next page load shows it', async () => {
    const lookups = async () => {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const count = (result: string) =>
        Number(
          new RegExp(`cache_requests_total\\{layer="page",result="${result}",service="ssr"\\} (\\d+)`).exec(
            metrics,
          )?.[1] ?? 0,
        );
      return { hit: count('hit'), miss: count('miss') };
    };
    const before = await lookups();
    for (const source of ['', '?source=rest']) {
      const first = await get(`${url}/items/9${source}`);
      const second = await get(`${url}/items/9${source}`);
      assert.deepEqual(
        [first.headers.get('x-cache'), second.headers.get('x-cache')],
        ['MISS', 'HIT'],
        `source ${source || 'graphql'}`,
      );
      assert.equal(second.html, first.html);
    }
    // and counted, for /metrics: a miss and a hit per source
    assert.deepEqual(await lookups(), { hit: before.hit + 2, miss: before.miss + 2 });
    await rest(stack.gatewayUrl, 'PATCH', '/api/items/9', { name: 'Freshly renamed lamp', stock: 0 });
    for (const source of ['', '?source=rest']) {
      const page = await get(`${url}/items/9${source}`);
      assert.ok(page.html.includes('Freshly renamed lamp'), `renamed, source ${source || 'graphql'}`);
      assert.ok(page.html.includes('Out of stock'));
      assert.equal((await get(`${url}/items/9${source}`)).headers.get('x-cache'), 'HIT', 'cached again');
    }
    // a review written straight to its subgraph, bypassing the gateway, still reaches both pages
    await rest(stack.subgraphUrls.reviews, 'POST', '/api/items/9/reviews', {
      rating: 5,
      title: 'Written just now',
      body: 'b',
      author: 'a',
    });
    assert.ok((await get(`${url}/items/9?source=rest`)).html.includes('Written just now'));
    assert.ok((await get(`${url}/items/9`)).html.includes('Written just now'));
    await rest(stack.subgraphUrls.photos, 'POST', '/api/items/9/photos', {
      url: 'https://images.supergraph-shop.example/fresh.jpg',
      altText: 'Fresh photo',
      width: 10,
      height: 10,
      position: 0,
    });
    assert.ok((await get(`${url}/items/9`)).html.includes('Fresh photo'));
  });

  test('generated photos are served as local placeholders', async () => {
    const image = await fetch(`${url}/images/products/ab/0123456789abcdef_800x600.svg`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/svg+xml');
    assert.match(await image.text(), /^<svg [^>]*width="800" height="600"/);
    assert.equal((await fetch(`${url}/images/../etc/passwd`)).status, 404);
  });
});
