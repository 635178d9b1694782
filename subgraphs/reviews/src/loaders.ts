import type { VersionReader } from '@supergraph-lab/cache';
import type { Review, ReviewSummary } from '@supergraph-lab/db';
import DataLoader from 'dataloader';
import type { ReviewPageKey, ReviewRead, ReviewsModule } from './reviews.ts';

/**
 * Per-request loaders: a loader kept across requests would serve rows a later write changed.
 * `batching` false makes every load its own batch of one: the N+1 the load lab shows.
 */
export function createReviewLoaders(reviews: ReviewsModule, reader: VersionReader | null, batching = true) {
  // pages and summaries share one loader, so the item page's summary and first page, asked for
  // in one tick, are one batch and one statement
  const reads = new DataLoader<ReviewRead, Review[] | ReviewSummary, string>((keys) => reviews.read(keys, reader), {
    batch: batching,
    cacheKeyFn: (read) =>
      'page' in read
        ? `p:${read.page.itemId}:${read.page.first}:${read.page.sort}:${JSON.stringify(read.page.after)}`
        : `s:${read.summaryOf}`,
  });
  return {
    /** A page of reviews per item; one statement per distinct page shape in the batch. */
    page: (key: ReviewPageKey) => reads.load({ page: key }) as Promise<Review[]>,
    /** Count, average and histogram per item; in the statement of a first page, or one of its own. */
    summary: (itemId: number) => reads.load({ summaryOf: itemId }) as Promise<ReviewSummary>,
    review: new DataLoader<number, Review | null>((ids) => reviews.byIds(ids, reader), { batch: batching }),
  };
}

export type ReviewLoaders = ReturnType<typeof createReviewLoaders>;
