import type { Review } from '@supergraph-lab/db';
import { parseId } from '@supergraph-lab/http';
import { reviveDates } from '@supergraph-lab/cache';
import { createdRecord, DateTimeScalar, graphqlCreate, type RequestContext } from '@supergraph-lab/subgraph';
import type { Resolvers } from './generated/graphql.ts';
import type { ReviewLoaders } from './loaders.ts';
import { parseReviewPageKey, toReviewPage, type ReviewsModule } from './reviews.ts';

export interface ReviewsContext extends RequestContext {
  reviews: ReviewsModule;
  loaders: ReviewLoaders;
}

/** What this subgraph knows of an item: its key. Any item id is a valid reference here. */
export interface ItemReference {
  id: string | number;
}

/** An item's page of reviews as Item.reviews hands it on: totalCount is looked up only when asked for. */
export interface ReviewConnectionParent {
  itemId: number;
  edges: ReviewEdgeParent[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A review on a page, with how to make its cursor: made only when asked for (the item page asks for endCursor alone). */
export interface ReviewEdgeParent {
  node: Review;
  cursorOf(review: Review): string;
}

/** Typed from schema.graphql (`npm run codegen`): args, parents and results as the schema says. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    review: (_, args, ctx) => ctx.loaders.review.load(parseId(args.id)),
  },
  Mutation: {
    createReview: async (_, args, ctx, info) => {
      const { itemId, ...input } = args.input;
      const result = await ctx.reviews.create(itemId, input, graphqlCreate(ctx.creates, args, info));
      return createdRecord<Review>(ctx.creates, result, reviveDates);
    },
    updateReview: (_, args, ctx) => ctx.reviews.update(args.id, args.input),
    deleteReview: async (_, args, ctx) => {
      await ctx.reviews.remove(args.id);
      return true;
    },
  },
  Item: {
    __resolveReference: (reference) => ({ id: parseId(reference.id) }),
    reviews: async (item, args, ctx) => {
      const itemId = parseId(item.id);
      const key = parseReviewPageKey(itemId, args);
      const page = toReviewPage(key, await ctx.loaders.page(key));
      return {
        itemId,
        edges: page.reviews.map((node) => ({ node, cursorOf: page.cursorOf })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    },
    reviewSummary: (item, _, ctx) => ctx.loaders.summary(parseId(item.id)),
  },
  ReviewConnection: {
    // from the summary loader: the same index-only scan the summary uses, batched with it
    totalCount: async (connection, _, ctx) => (await ctx.loaders.summary(connection.itemId)).count,
  },
  ReviewEdge: {
    cursor: (edge) => edge.cursorOf(edge.node),
  },
  Review: {
    __resolveReference: (reference, ctx) => ctx.loaders.review.load(parseId(reference.id)),
    item: (review) => ({ id: review.itemId }),
  },
};
