import type { VersionReader } from '@supergraph-lab/cache';
import type { Review, ReviewSummary } from '@supergraph-lab/db';
import DataLoader from 'dataloader';
import type { ReviewPageKey, ReviewsModule } from './reviews.ts';

/**
 * Per-request loaders: a loader kept across requests would serve rows a later write changed.
 * `batching` false makes every load its own batch of one: the N+1 the load lab shows.
 */
export function createReviewLoaders(reviews: ReviewsModule, reader: VersionReader | null, batching = true) {
  return {
    /** A page of reviews per item; one statement per distinct page shape in the batch. */
    page: new DataLoader<ReviewPageKey, Review[], string>((keys) => reviews.pages(keys, reader), {
      batch: batching,
      cacheKeyFn: (key) => `${key.itemId}:${key.first}:${key.sort}:${JSON.stringify(key.after)}`,
    }),
    /** Count, average and histogram per item; one index-only scan per batch. */
    summary: new DataLoader<number, ReviewSummary>((itemIds) => reviews.summaries(itemIds, reader), {
      batch: batching,
    }),
    review: new DataLoader<number, Review | null>((ids) => reviews.byIds(ids, reader), { batch: batching }),
  };
}

export type ReviewLoaders = ReturnType<typeof createReviewLoaders>;
