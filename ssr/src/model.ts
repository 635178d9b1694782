// What the page shows, shared by the server and the browser bundle (no Node imports here).

/** Review orders the page links to. */
export const SORTS = ['NEWEST', 'HIGHEST', 'LOWEST', 'MOST_HELPFUL'] as const;
export type Sort = (typeof SORTS)[number];

export { MORE_REVIEWS_QUERY, REVIEWS_PER_PAGE } from '@supergraph-lab/http/documents';

/** Everything an item page shows, whichever protocol it came over. */
export interface PageData {
  item: {
    id: string;
    name: string;
    description: string;
    brand: string;
    category: string;
    priceCents: number;
    currency: string;
    stock: number;
  };
  photos: { url: string; altText: string; width: number; height: number; position: number }[];
  summary: { count: number; averageRating: number | null; histogram: number[] };
  reviews: {
    items: {
      id: string;
      rating: number;
      title: string;
      body: string;
      author: string;
      verifiedPurchase: boolean;
      helpfulCount: number;
      createdAt: string;
    }[];
    hasNextPage: boolean;
    endCursor: string | null;
  };
}
