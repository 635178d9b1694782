import type { Item } from '@supergraph-lab/db';
import { parseId } from '@supergraph-lab/http';
import { reviveDates } from '@supergraph-lab/cache';
import { createdRecord, DateTimeScalar, graphqlCreate, type RequestContext } from '@supergraph-lab/subgraph';
import type { Resolvers } from './generated/graphql.ts';
import type { ItemsModule } from './items.ts';
import type { ItemLoaders } from './loaders.ts';

export interface ItemsContext extends RequestContext {
  items: ItemsModule;
  loaders: ItemLoaders;
}

/** Typed from schema.graphql (`npm run codegen`): args, parents and results as the schema says. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    item: (_, args, ctx) => ctx.loaders.item.load(parseId(args.id)),
    items: async (_, args, ctx) => {
      const page = await ctx.items.page(args, ctx.cacheReader);
      return {
        edges: page.items.map((node) => ({ cursor: page.cursorOf(node), node })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    },
  },
  Mutation: {
    createItem: async (_, args, ctx, info) =>
      createdRecord<Item>(
        ctx.creates,
        await ctx.items.create(args.input, graphqlCreate(ctx.creates, args, info)),
        reviveDates,
      ),
    updateItem: (_, args, ctx) => ctx.items.update(args.id, args.input),
    deleteItem: async (_, args, ctx) => {
      await ctx.items.remove(args.id);
      return true;
    },
  },
  Item: {
    __resolveReference: (reference, ctx) => ctx.loaders.item.load(parseId(reference.id)),
  },
};
