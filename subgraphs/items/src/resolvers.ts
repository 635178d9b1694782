import type { Item } from '@supergraph-lab/db';
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
import type { ItemsModule } from './items.ts';
import type { ItemLoaders } from './loaders.ts';

export interface ItemsContext extends RequestContext {
  items: ItemsModule;
  loaders: ItemLoaders;
}

type Args = Record<string, unknown>;

export const resolvers: ResolverMap<ItemsContext> = {
  DateTime: DateTimeScalar,
  Query: {
    item: (_: unknown, args: Args, ctx: ItemsContext) => ctx.loaders.item.load(parseId(args.id)),
    items: async (_: unknown, args: Args, ctx: ItemsContext) => {
      const page = await ctx.items.page(args, ctx.cacheReader);
      return {
        edges: page.items.map((node) => ({ cursor: page.cursorOf(node), node })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    },
  },
  Mutation: {
    createItem: async (_: unknown, args: Args, ctx: ItemsContext, info: GraphQLResolveInfo) =>
      createdRecord<Item>(
        ctx.creates,
        await ctx.items.create(args.input, graphqlCreate(ctx.creates, args, info)),
        reviveDates,
      ),
    updateItem: (_: unknown, args: Args, ctx: ItemsContext) => ctx.items.update(args.id, args.input),
    deleteItem: async (_: unknown, args: Args, ctx: ItemsContext) => {
      await ctx.items.remove(args.id);
      return true;
    },
  },
  Item: {
    __resolveReference: (reference: { id: unknown }, ctx: ItemsContext) => ctx.loaders.item.load(parseId(reference.id)),
  },
};
