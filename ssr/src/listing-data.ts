// The shop's listing (`GET /`): what a listing request asks for, its one GraphQL query to the
// gateway (the items subgraph's keyset page, each item's primary photo from the photos
// subgraph in the same query), and the answer read back. No Node imports.
import { graphqlData, PageError, type ApiAnswer } from './page-data.ts';

/** Items on one page of the listing. */
export const ITEMS_PER_PAGE = 24;

/** The one GraphQL query a listing page is built from. */
export const ITEM_LIST_QUERY = /* GraphQL */ `
  query ItemList($first: Int!, $after: String, $category: String) {
    items(first: $first, after: $after, category: $category) {
      edges {
        node {
          id
          name
          brand
          category
          priceCents
          currency
          primaryPhoto {
            url
            altText
            width
            height
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

/** What a listing request asks for: the page after a cursor, optionally of one category. */
export interface ListingRequest {
  after: string | null;
  category: string | null;
}

/** One item as the listing shows it. */
export interface ListedItem {
  id: string;
  name: string;
  brand: string;
  category: string;
  priceCents: number;
  currency: string;
  primaryPhoto: { url: string; altText: string; width: number; height: number } | null;
}

/** A page of the listing. */
export interface ListingData {
  items: ListedItem[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * A listing request from the address's query; a PageError(400) naming the parameter given more
 * than once. The cursor and the category are the gateway's to judge (its message is the page's).
 */
export function parseListingRequest(query: Record<string, string | string[] | undefined>): ListingRequest {
  const single = (name: 'after' | 'category'): string | null => {
    const value = query[name];
    if (Array.isArray(value))
      throw new PageError(400, `${name} can be given once; it was given ${value.length} times.`);
    return value || null;
  };
  return { after: single('after'), category: single('category') };
}

/** The body of the listing's one GraphQL query. */
export function listingBody(request: ListingRequest): string {
  return JSON.stringify({ query: ITEM_LIST_QUERY, variables: { first: ITEMS_PER_PAGE, ...request } });
}

/** The listing page from the gateway's answer. */
export function listingFromGraphQL(answer: ApiAnswer): ListingData {
  const data = graphqlData<{
    items: { edges: { node: ListedItem }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }>(answer);
  if (!data?.items) throw new PageError(503, 'the gateway answered without items');
  const { edges, pageInfo } = data.items;
  return { items: edges.map((edge) => edge.node), hasNextPage: pageInfo.hasNextPage, endCursor: pageInfo.endCursor };
}

/** A listing address: `/`, with the cursor and category given (the next page's link). */
export function listingHref(request: Partial<ListingRequest>): string {
  const query = new URLSearchParams();
  if (request.category) query.set('category', request.category);
  if (request.after) query.set('after', request.after);
  const text = query.toString();
  return text ? `/?${text}` : '/';
}
