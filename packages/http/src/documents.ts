// GraphQL documents that more than one client of the gateway sends, kept in one place so the SSR
// page, the load tester and the Playground ask for exactly the same thing.

/** The one GraphQL query an item page is built from. */
export const ITEM_PAGE_QUERY = /* GraphQL */ `
  query ItemPage($id: ID!, $first: Int!, $after: String, $sort: ReviewSort!) {
    item(id: $id) {
      id
      name
      description
      brand
      category
      priceCents
      currency
      stock
      photos(first: 12) {
        url
        altText
        width
        height
        position
      }
      reviewSummary {
        count
        averageRating
        histogram
      }
      reviews(first: $first, after: $after, sort: $sort) {
        edges {
          node {
            id
            rating
            title
            body
            author
            verifiedPurchase
            helpfulCount
            createdAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

/** Reviews on the first page of an item. */
export const REVIEWS_PER_PAGE = 5;

/** The variables of the item page's first view: the newest reviews. */
export function itemPageVariables(id: number | string): { id: string; first: number; sort: 'NEWEST' } {
  return { id: String(id), first: REVIEWS_PER_PAGE, sort: 'NEWEST' };
}
