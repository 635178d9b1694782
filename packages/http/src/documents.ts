// GraphQL documents that more than one client of the gateway sends, kept in one place so the SSR
// page, its browser bundle, the load tester and the Playground ask for exactly the same thing
// (no Node imports here: the browser bundle includes this file).

/** A page of reviews as the item page shows it: the first view and every later page alike. */
const REVIEW_PAGE_FRAGMENT = /* GraphQL */ `
  fragment ReviewPage on ReviewConnection {
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
`;

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
        ...ReviewPage
      }
    }
  }
  ${REVIEW_PAGE_FRAGMENT}
`;

/** The query the page's "More reviews" and sort links send from the browser, through the gateway. */
export const MORE_REVIEWS_QUERY = /* GraphQL */ `
  query MoreReviews($id: ID!, $first: Int!, $after: String, $sort: ReviewSort!) {
    item(id: $id) {
      reviews(first: $first, after: $after, sort: $sort) {
        ...ReviewPage
      }
    }
  }
  ${REVIEW_PAGE_FRAGMENT}
`;

/** Reviews on the first page of an item. */
export const REVIEWS_PER_PAGE = 5;

/** The variables of the item page's first view: the newest reviews. */
export function itemPageVariables(id: number | string): { id: string; first: number; sort: 'NEWEST' } {
  return { id: String(id), first: REVIEWS_PER_PAGE, sort: 'NEWEST' };
}

/** A category page: `first` items, each with its primary photo and review summary (all three subgraphs). */
export const LISTING_QUERY = /* GraphQL */ `
  query Listing($first: Int!) {
    items(first: $first) {
      edges {
        node {
          id
          name
          brand
          priceCents
          currency
          primaryPhoto {
            url
            altText
          }
          reviewSummary {
            count
            averageRating
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
