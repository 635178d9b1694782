import type { Review } from '@supergraph-lab/db';
import { parseId } from '@supergraph-lab/http';
import { reviveDates } from '@supergraph-lab/cache';
import {
  createdRecord,
  DateTimeScalar,
  graphqlCreate,
  type RequestContext,
  type ResolverMap,
} from '@supergraph-lab/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import type { ReviewLoaders } from './loaders.ts';
import { parseReviewPageKey, toReviewPage, type ReviewsModule } from './reviews.ts';

export interface ReviewsContext extends RequestContext {
  reviews: ReviewsModule;
  loaders: ReviewLoaders;
}

type Args = Record<string, unknown>;
type ItemReference = { id: string | number };

export const resolvers: ResolverMap<ReviewsContext> = {
  DateTime: DateTimeScalar,
  Query: {
    review: (_: unknown, args: Args, ctx: ReviewsContext) => ctx.loaders.review.load(parseId(args.id)),
  },
  Mutation: {
    createReview: async (_: unknown, args: Args, ctx: ReviewsContext, info: GraphQLResolveInfo) => {
      const { itemId, ...input } = (args.input ?? {}) as Record<string, unknown>;
      const result = await ctx.reviews.create(itemId, input, graphqlCreate(ctx.creates, args, info));
      return createdRecord<Review>(ctx.creates, result, reviveDates);
    },
    updateReview: (_: unknown, args: Args, ctx: ReviewsContext) => ctx.reviews.update(args.id, args.input),
    deleteReview: async (_: unknown, args: Args, ctx: ReviewsContext) => {
      await ctx.reviews.remove(args.id);
      return true;
    },
  },
  Item: {
    // reviews only needs the key: any item id is a valid reference here
    __resolveReference: (reference: ItemReference) => ({ id: parseId(reference.id) }),
    reviews: async (item: ItemReference, args: Args, ctx: ReviewsContext) => {
      const itemId = parseId(item.id);
      const key = parseReviewPageKey(itemId, args);
      const page = toReviewPage(key, await ctx.loaders.page(key));
      return {
        itemId,
        // the cursor is made only when asked for (ReviewEdge.cursor): the item page asks for endCursor alone
        edges: page.reviews.map((node) => ({ node, cursorOf: page.cursorOf })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    },
    reviewSummary: (item: ItemReference, _: Args, ctx: ReviewsContext) => ctx.loaders.summary(parseId(item.id)),
  },
  ReviewConnection: {
    // from the summary loader: the same index-only scan the summary uses, batched with it
    totalCount: async (connection: { itemId: number }, _: Args, ctx: ReviewsContext) =>
      (await ctx.loaders.summary(connection.itemId)).count,
  },
  ReviewEdge: {
    cursor: (edge: { node: Review; cursorOf(review: Review): string }) => edge.cursorOf(edge.node),
  },
  Review: {
    __resolveReference: (reference: { id: unknown }, ctx: ReviewsContext) =>
      ctx.loaders.review.load(parseId(reference.id)),
    item: (review: Review) => ({ __typename: 'Item', id: review.itemId }),
  },
};
