import type { Photo } from '@supergraph-lab/db';
import { parseFirst, parseId } from '@supergraph-lab/http';
import { reviveDates } from '@supergraph-lab/cache';
import { createdRecord, DateTimeScalar, graphqlCreate, type RequestContext } from '@supergraph-lab/subgraph';
import type { Resolvers } from './generated/graphql.ts';
import type { PhotoLoaders } from './loaders.ts';
import { DEFAULT_PHOTOS, type PhotosModule } from './photos.ts';

export interface PhotosContext extends RequestContext {
  photos: PhotosModule;
  loaders: PhotoLoaders;
}

/** What this subgraph knows of an item: its key. Any item id is a valid reference here. */
export interface ItemReference {
  id: string | number;
}

/** Typed from schema.graphql (`npm run codegen`): args, parents and results as the schema says. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    photo: (_, args, ctx) => ctx.loaders.photo.load(parseId(args.id)),
  },
  Mutation: {
    addPhoto: async (_, args, ctx, info) => {
      const { itemId, ...input } = args.input;
      const result = await ctx.photos.add(itemId, input, graphqlCreate(ctx.creates, args, info));
      return createdRecord<Photo>(ctx.creates, result, reviveDates);
    },
    updatePhoto: (_, args, ctx) => ctx.photos.update(args.id, args.input),
    deletePhoto: async (_, args, ctx) => {
      await ctx.photos.remove(args.id);
      return true;
    },
  },
  Item: {
    __resolveReference: (reference) => ({ id: parseId(reference.id) }),
    photos: (item, args, ctx) =>
      ctx.loaders.list.load({ itemId: parseId(item.id), first: parseFirst(args.first, DEFAULT_PHOTOS) }),
    // the default gallery's first photo: a page asking for both costs one query, not two
    primaryPhoto: async (item, _, ctx) =>
      (await ctx.loaders.list.load({ itemId: parseId(item.id), first: DEFAULT_PHOTOS }))[0] ?? null,
  },
  Photo: {
    __resolveReference: (reference, ctx) => ctx.loaders.photo.load(parseId(reference.id)),
    item: (photo) => ({ id: photo.itemId }),
  },
};
