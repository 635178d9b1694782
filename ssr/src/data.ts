import {
  decodeDependencies,
  DEPENDENCIES_HEADER,
  WANT_DEPENDENCIES_HEADER,
  type Dependencies,
} from '@supergraph-lab/cache';
import { timed, type RequestTiming } from '@supergraph-lab/timing';
import { Agent, request } from 'undici';

/** Asks the gateway for the version tokens its answers were built from (for the page cache). */
const WANT_DEPENDENCIES = { [WANT_DEPENDENCIES_HEADER]: '1' };

import { listingBody, listingFromGraphQL, type ListingData, type ListingRequest } from './listing-data.ts';
import { REVIEWS_PER_PAGE, SORTS, type PageData, type Sort } from './model.ts';
import {
  graphqlPageBody,
  PageError,
  pageFromGraphQL,
  pageFromRest,
  restPagePaths,
  type ApiAnswer,
  type PageRequest,
} from './page-data.ts';

export { PageError, REVIEWS_PER_PAGE, SORTS, type PageData, type PageRequest, type Sort };

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
): Promise<ApiAnswer & { dependencies: Dependencies | null }> {
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
        body: text ? (JSON.parse(text) as unknown) : null,
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
      const answer = await call(agent, `${gatewayUrl}/graphql`, timeoutMs, timing, {
        method: 'POST',
        body: graphqlPageBody(page),
      });
      const data = pageFromGraphQL(answer);
      const extensions = (answer.body as { extensions?: { cacheDependencies?: Dependencies } } | null)?.extensions;
      const dependencies = extensions?.cacheDependencies ?? null;
      return data ? { data, dependencies } : { data: null, dependencies: null };
    },
  };
}

/** The same page from the REST routes, the four calls issued in parallel. */
export function restSource(baseUrl: string, agent: Agent, timeoutMs: number): PageSource {
  return {
    async load(page, timing) {
      const answers = await Promise.all(
        restPagePaths(page).map((path) => call(agent, `${baseUrl}${path}`, timeoutMs, timing)),
      );
      const data = pageFromRest(answers);
      if (!data) return { data: null, dependencies: null };
      const parts = answers.map((answer) => answer.dependencies);
      return { data, dependencies: parts.every(Boolean) ? Object.assign({}, ...parts) : null };
    },
  };
}

/** The shop's listing: one query to the gateway per page. */
export function graphqlListing(
  gatewayUrl: string,
  agent: Agent,
  timeoutMs: number,
): { load(request: ListingRequest, timing?: RequestTiming | null): Promise<ListingData> } {
  return {
    async load(request, timing) {
      const answer = await call(agent, `${gatewayUrl}/graphql`, timeoutMs, timing, {
        method: 'POST',
        body: listingBody(request),
      });
      return listingFromGraphQL(answer);
    },
  };
}
