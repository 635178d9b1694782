// How an item page's data is asked for and read back, over GraphQL or REST: shared by the
// server (data.ts, over undici) and the single-page app (spa.tsx, over fetch). No Node imports.
import { ITEM_PAGE_QUERY } from '@supergraph-lab/http/documents';
import { isIdText } from '@supergraph-lab/http/ids';
import { REVIEWS_PER_PAGE, SORTS, type PageData, type Sort } from './model.ts';

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

/** An answer as the mappers read it: its status and its parsed JSON body (null when empty). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

type Review = PageData['reviews']['items'][number];
interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A GraphQL answer as the gateway sends it. */
interface GraphQLAnswer<Data> {
  data?: Data | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The data of the gateway's answer to ITEM_PAGE_QUERY: the fields the query selects. */
interface ItemPageData {
  item:
    | (PageData['item'] & {
        photos: PageData['photos'];
        reviewSummary: PageData['summary'];
        reviews: { edges: { node: Review }[]; pageInfo: PageInfo };
      })
    | null;
}

/** The REST answers the page reads (docs/contract.md, "REST compatibility"): ids are numbers there. */
type RestItem = Omit<PageData['item'], 'id'> & { id: number };
interface RestPhotos {
  photos: (PageData['photos'][number] & { id: number })[];
}
interface RestReviews {
  reviews: (Omit<Review, 'id'> & { id: number })[];
  pageInfo: PageInfo;
}
/** A REST error's problem details (the page shows its detail). */
interface Problem {
  detail?: string;
}

/**
 * A page request from the address's parts, as both the server and the SPA read them; a
 * PageError(400) naming what is wrong otherwise.
 */
export function parsePageRequest(id: string, query: { sort?: string | null; after?: string | null }): PageRequest {
  if (!isIdText(id)) throw new PageError(400, `An item id is a positive whole number; "${id}" is not one.`);
  const sort = (query.sort || 'NEWEST') as Sort;
  if (!SORTS.includes(sort))
    throw new PageError(400, `Reviews can be sorted by ${SORTS.join(', ')}; "${query.sort}" is not one of them.`);
  return { id: Number(id), sort, after: query.after ? canonicalCursor(query.after, sort) : null };
}

/**
 * A reviews cursor (base64url of `{"s":sort,"id":n,"v"?:n}`, as the reviews service makes them)
 * spelled the one way that service spells it, so another spelling of the same keyset is the same
 * page (and the same page-cache key); a PageError(400) for anything else, before any cache or
 * fetch. Browser-safe: atob and btoa, no Buffer.
 */
function canonicalCursor(after: string, sort: Sort): string {
  // the reviews service's own words for the same refusals
  const refused = new PageError(400, `after must be a cursor from a previous page, got ${JSON.stringify(after)}`);
  if (after.length > 200 || !/^[A-Za-z0-9_-]+$/.test(after)) throw refused;
  let keyset: unknown;
  try {
    keyset = JSON.parse(atob(after.replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    throw refused;
  }
  if (!keyset || typeof keyset !== 'object' || Array.isArray(keyset)) throw refused;
  const { s, id, v, ...rest } = keyset as Record<string, unknown>;
  const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
  if (Object.keys(rest).length || !isInteger(id) || id < 1 || (v !== undefined && !isInteger(v))) throw refused;
  if (s !== sort) throw new PageError(400, `after is a cursor for sort ${String(s)}, not ${sort}`);
  const text = JSON.stringify({ s, id, ...(v === undefined ? {} : { v }) });
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The body of the page's one GraphQL query. */
export function graphqlPageBody(page: PageRequest): string {
  return JSON.stringify({
    query: ITEM_PAGE_QUERY,
    variables: { id: String(page.id), first: REVIEWS_PER_PAGE, after: page.after, sort: page.sort },
  });
}

/** The item's fields the page shows, from either protocol's item (its id a string, as GraphQL's ID). */
function pageItem(item: Omit<PageData['item'], 'id'> & { id: string | number }): PageData['item'] {
  const { name, description, brand, category, priceCents, currency, stock } = item;
  return { id: String(item.id), name, description, brand, category, priceCents, currency, stock };
}

/**
 * The `data` of a gateway's answer to one of the pages' queries: a PageError(400) with the
 * gateway's message for bad input (a cursor, a category), a PageError(503) for any other error.
 */
export function graphqlData<Data>({ status, body }: ApiAnswer): Data | null | undefined {
  const answer = body as GraphQLAnswer<Data> | null;
  const errors = answer?.errors ?? [];
  const bad = errors.find((error) => error.extensions?.code === 'BAD_USER_INPUT');
  if (bad) throw new PageError(400, bad.message);
  if (status >= 500 || errors.length) throw new PageError(503, errors[0]?.message ?? `the gateway answered ${status}`);
  return answer?.data;
}

/** The page from the gateway's answer; null when there is no such item. */
export function pageFromGraphQL(answer: ApiAnswer): PageData | null {
  const item = graphqlData<ItemPageData>(answer)?.item;
  if (!item) return null;
  return {
    item: pageItem(item),
    photos: item.photos,
    summary: item.reviewSummary,
    reviews: {
      items: item.reviews.edges.map((edge) => edge.node),
      hasNextPage: item.reviews.pageInfo.hasNextPage,
      endCursor: item.reviews.pageInfo.endCursor,
    },
  };
}

/** The page's four REST calls, in the order `pageFromRest` takes their answers: item, photos, summary, reviews. */
export function restPagePaths(page: PageRequest): [string, string, string, string] {
  const query = new URLSearchParams({
    first: String(REVIEWS_PER_PAGE),
    sort: page.sort,
    ...(page.after ? { after: page.after } : {}),
  });
  return [
    `/api/items/${page.id}`,
    `/api/items/${page.id}/photos`,
    `/api/items/${page.id}/reviews/summary`,
    `/api/items/${page.id}/reviews?${query}`,
  ];
}

/** The page from the four REST answers; null when there is no such item. */
export function pageFromRest(answers: readonly ApiAnswer[]): PageData | null {
  if (answers.length !== 4) throw new Error(`pageFromRest takes the 4 answers of restPagePaths, got ${answers.length}`);
  if (answers[0]!.status === 404) return null;
  for (const part of answers) {
    const detail = (part.body as Problem | null)?.detail;
    if (part.status === 400) throw new PageError(400, detail ?? 'bad request');
    if (part.status !== 200) throw new PageError(503, detail ?? `the API answered ${part.status}`);
  }
  // every one answered 200: each body is its route's
  const item = answers[0]!.body as RestItem;
  const photos = answers[1]!.body as RestPhotos;
  const summary = answers[2]!.body as PageData['summary'];
  const reviews = answers[3]!.body as RestReviews;
  return {
    item: pageItem(item),
    photos: photos.photos.map(({ url, altText, width, height, position }) => ({
      url,
      altText,
      width,
      height,
      position,
    })),
    summary: { count: summary.count, averageRating: summary.averageRating, histogram: summary.histogram },
    reviews: {
      items: reviews.reviews.map(({ id, rating, title, body, author, verifiedPurchase, helpfulCount, createdAt }) => ({
        id: String(id),
        rating,
        title,
        body,
        author,
        verifiedPurchase,
        helpfulCount,
        createdAt,
      })),
      hasNextPage: reviews.pageInfo.hasNextPage,
      endCursor: reviews.pageInfo.endCursor,
    },
  };
}

/** The page's `<title>` and meta description, the same for the server's page and the SPA's. */
export function pageHead(data: PageData): { title: string; description: string } {
  const { item } = data;
  return {
    title: `${item.name} | ${item.brand} | supergraph shop`,
    description: item.description.length > 155 ? `${item.description.slice(0, 152)}...` : item.description,
  };
}
