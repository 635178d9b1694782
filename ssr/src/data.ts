import {
  decodeDependencies,
  DEPENDENCIES_HEADER,
  WANT_DEPENDENCIES_HEADER,
  type Dependencies,
} from '@supergraph-lab/cache';
import { ITEM_PAGE_QUERY } from '@supergraph-lab/http/documents';
import { timed, type RequestTiming } from '@supergraph-lab/timing';
import { Agent, request } from 'undici';

/** Asks the gateway for the version tokens its answers were built from (for the page cache). */
const WANT_DEPENDENCIES = { [WANT_DEPENDENCIES_HEADER]: '1' };

import { REVIEWS_PER_PAGE, SORTS, type PageData, type Sort } from './model.ts';

export { REVIEWS_PER_PAGE, SORTS, type PageData, type Sort };

/** What a page request asks for. */
export interface PageRequest {
  id: number;
  sort: Sort;
  after: string | null;
}

/** Why a page could not be built: the status and message of the error page. */
export class PageError extends Error {
  constructor(
    readonly status: 400 | 404 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** Page data with the tokens it was built from (null when some part could not vouch for itself). */
export interface LoadedPage {
  data: PageData | null;
  dependencies: Dependencies | null;
}

/** Where page data comes from: one gateway query, or the REST routes. */
export interface PageSource {
  /** `timing`: the page request's Server-Timing, whose "data" part is the time API calls were in flight. */
  load(page: PageRequest, timing?: RequestTiming | null): Promise<LoadedPage>;
}

async function call(
  agent: Agent,
  url: string,
  timeoutMs: number,
  timing: RequestTiming | null | undefined,
  init: { method?: 'GET' | 'POST'; body?: string } = {},
) {
  try {
    // the page request's Server-Timing "data": time with an API call in flight, body included
    return await timed(timing, 'data', async () => {
      const response = await request(url, {
        method: init.method ?? 'GET',
        dispatcher: agent,
        headers: { ...WANT_DEPENDENCIES, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        body: init.body ?? null,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text();
      return {
        status: response.statusCode,
        body: text ? (JSON.parse(text) as any) : null,
        dependencies: decodeDependencies(response.headers[DEPENDENCIES_HEADER]),
      };
    });
  } catch (error) {
    throw new PageError(
      503,
      `the shop's API is unavailable (${(error as { code?: string }).code ?? (error as Error).message})`,
    );
  }
}

/** One query to the gateway per page. */
export function graphqlSource(gatewayUrl: string, agent: Agent, timeoutMs: number): PageSource {
  return {
    async load(page, timing) {
      const { status, body } = await call(agent, `${gatewayUrl}/graphql`, timeoutMs, timing, {
        method: 'POST',
        body: JSON.stringify({
          query: ITEM_PAGE_QUERY,
          variables: { id: String(page.id), first: REVIEWS_PER_PAGE, after: page.after, sort: page.sort },
        }),
      });
      const errors: { message: string; extensions?: { code?: string } }[] = body?.errors ?? [];
      const bad = errors.find((error) => error.extensions?.code === 'BAD_USER_INPUT');
      if (bad) throw new PageError(400, bad.message);
      if (status >= 500 || errors.length)
        throw new PageError(503, errors[0]?.message ?? `the gateway answered ${status}`);
      const item = body.data?.item;
      const dependencies = (body.extensions?.cacheDependencies as Dependencies | undefined) ?? null;
      if (!item) return { data: null, dependencies: null };
      return {
        dependencies,
        data: {
          item: {
            id: item.id,
            name: item.name,
            description: item.description,
            brand: item.brand,
            category: item.category,
            priceCents: item.priceCents,
            currency: item.currency,
            stock: item.stock,
          },
          photos: item.photos,
          summary: item.reviewSummary,
          reviews: {
            items: item.reviews.edges.map((edge: { node: unknown }) => edge.node),
            hasNextPage: item.reviews.pageInfo.hasNextPage,
            endCursor: item.reviews.pageInfo.endCursor,
          },
        },
      };
    },
  };
}

/** The same page from the REST routes, the four calls issued in parallel. */
export function restSource(baseUrl: string, agent: Agent, timeoutMs: number): PageSource {
  return {
    async load(page, timing) {
      const query = new URLSearchParams({
        first: String(REVIEWS_PER_PAGE),
        sort: page.sort,
        ...(page.after ? { after: page.after } : {}),
      });
      const [item, photos, summary, reviews] = await Promise.all([
        call(agent, `${baseUrl}/api/items/${page.id}`, timeoutMs, timing),
        call(agent, `${baseUrl}/api/items/${page.id}/photos`, timeoutMs, timing),
        call(agent, `${baseUrl}/api/items/${page.id}/reviews/summary`, timeoutMs, timing),
        call(agent, `${baseUrl}/api/items/${page.id}/reviews?${query}`, timeoutMs, timing),
      ]);
      if (item.status === 404) return { data: null, dependencies: null };
      for (const part of [item, photos, summary, reviews]) {
        if (part.status === 400) throw new PageError(400, part.body?.detail ?? 'bad request');
        if (part.status !== 200) throw new PageError(503, part.body?.detail ?? `the API answered ${part.status}`);
      }
      const text = (review: any) => ({ ...review, id: String(review.id) });
      const parts = [item, photos, summary, reviews].map((part) => part.dependencies);
      const dependencies = parts.every(Boolean) ? Object.assign({}, ...parts) : null;
      return {
        dependencies,
        data: {
          item: {
            id: String(item.body.id),
            name: item.body.name,
            description: item.body.description,
            brand: item.body.brand,
            category: item.body.category,
            priceCents: item.body.priceCents,
            currency: item.body.currency,
            stock: item.body.stock,
          },
          photos: photos.body.photos.map(({ url, altText, width, height, position }: PageData['photos'][number]) => ({
            url,
            altText,
            width,
            height,
            position,
          })),
          summary: summary.body,
          reviews: {
            items: reviews.body.reviews.map(
              ({ id, rating, title, body, author, verifiedPurchase, helpfulCount, createdAt }: any) =>
                text({ id, rating, title, body, author, verifiedPurchase, helpfulCount, createdAt }),
            ),
            hasNextPage: reviews.body.pageInfo.hasNextPage,
            endCursor: reviews.body.pageInfo.endCursor,
          },
        },
      };
    },
  };
}
