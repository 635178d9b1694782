import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderPlaygroundPage } from '@apollographql/graphql-playground-html';
import { bundleFile, PLAYGROUND_ASSETS } from '@supergraph-lab/config';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import type { FastifyInstance } from 'fastify';
import { request, type Dispatcher } from 'undici';

/**
 * GraphQL Playground without internet: the page from graphql-playground-html, its React bundle
 * and styles served from node_modules instead of a CDN, and its web-font link removed.
 */

const ASSET_PREFIX = '/playground';
/**
 * The bundle's files: compiled (npm run build), the copy beside the gateway's bundle, since the
 * production image leaves out graphql-playground-react and its dependencies (a development
 * dependency); under tsx, the package's own build.
 */
const BUILD_DIR = import.meta.url.endsWith('.js')
  ? path.resolve(import.meta.dirname, '../..', path.dirname(bundleFile('gateway')), PLAYGROUND_ASSETS)
  : path.join(path.dirname(createRequire(import.meta.url).resolve('graphql-playground-react/package.json')), 'build');

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

const LISTING_QUERY = /* GraphQL */ `
  # Items, newest first, 5 to a page: run it, then set "after" to pageInfo.endCursor for the next page
  query Listing($first: Int, $after: String, $category: String) {
    items(first: $first, after: $after, category: $category) {
      edges {
        cursor
        node {
          id
          name
          brand
          priceCents
          currency
          reviewSummary {
            count
            averageRating
          }
          primaryPhoto {
            url
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const CREATE_REVIEW = /* GraphQL */ `
  # Writes a review: the item page query on the same item shows it at once
  mutation CreateReview($input: CreateReviewInput!) {
    createReview(input: $input) {
      id
      rating
      title
      author
      createdAt
      item {
        id
        name
        reviewSummary {
          count
          averageRating
        }
      }
    }
  }
`;

/** The tabs a newcomer can run at once: the item page, a listing with pagination, a write; all on item `itemId`. */
export function playgroundTabs(endpoint: string, itemId: number) {
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      name: 'Item page',
      endpoint,
      query: `# The one query an item page is built from (SSR sends exactly this)\n${ITEM_PAGE_QUERY.trim().replace(/^ {2}/gm, '')}`,
      variables: json(itemPageVariables(itemId)),
    },
    {
      name: 'Items, paginated',
      endpoint,
      query: LISTING_QUERY,
      variables: json({ first: 5, after: null, category: null }),
    },
    {
      name: 'createReview',
      endpoint,
      query: CREATE_REVIEW,
      variables: json({
        input: {
          itemId: String(itemId),
          rating: 5,
          title: 'Tried it in the Playground',
          body: 'Written from GraphQL Playground.',
          author: 'newcomer',
        },
      }),
    },
  ];
}

/** The Playground page pointed at `endpoint`, opened on `playgroundTabs` for `itemId`, referencing only this server. */
function renderPlayground(endpoint: string, itemId: number): string {
  const html = renderPlaygroundPage({
    endpoint,
    cdnUrl: ASSET_PREFIX,
    title: 'supergraph-lab · GraphQL Playground',
    settings: { 'request.credentials': 'same-origin', 'tracing.hideTracingResponse': true } as never,
    tabs: playgroundTabs(endpoint, itemId),
  });
  // the only remote reference left is a Google Fonts stylesheet; system fonts do fine
  return html.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '');
}

/** The newest item's id, from the items service's REST listing. */
async function newestItemId(itemsUrl: string, dispatcher: Dispatcher): Promise<number | null> {
  const response = await request(`${itemsUrl}/api/items?first=1`, {
    dispatcher,
    headersTimeout: 2000,
    bodyTimeout: 2000,
  });
  const body = (await response.body.json()) as { items?: { id: number | string }[] };
  const id = Number(body.items?.[0]?.id);
  return response.statusCode === 200 && Number.isInteger(id) ? id : null;
}

/**
 * The Playground page, its tabs on the newest item so every one runs as it is. The id is asked of
 * the items service and the page kept for a minute; with no answer, item 1 (and asked again next time).
 */
export function playgroundPage(endpoint: string, itemsUrl: string, dispatcher: Dispatcher): () => Promise<string> {
  let cached: { html: string; until: number } | null = null;
  return async () => {
    if (cached && cached.until > Date.now()) return cached.html;
    const itemId = await newestItemId(itemsUrl, dispatcher).catch(() => null);
    const html = renderPlayground(endpoint, itemId ?? 1);
    cached = itemId === null ? null : { html, until: Date.now() + 60_000 };
    return html;
  };
}

/** Where the page (Apollo's build of it) asks for the bundle, below ASSET_PREFIX. */
const BUNDLE_PATH = `${ASSET_PREFIX}/@apollographql/graphql-playground-react/build`;

/** Serves the graphql-playground-react bundle where the page asks for it. */
export function registerPlaygroundAssets(app: FastifyInstance): void {
  app.get(`${BUNDLE_PATH}/*`, async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const file = path.resolve(BUILD_DIR, relative);
    if (!file.startsWith(BUILD_DIR + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      return reply.callNotFound();
    }
    reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream');
    // the bundle is versioned with the installed package: cache it hard
    reply.header('cache-control', 'public, max-age=86400');
    return reply.send(createReadStream(file));
  });
}
