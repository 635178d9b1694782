import type { Photo } from '@supergraph-lab/db';
import { parseFirst, parseId } from '@supergraph-lab/http';
import { reviveDates } from '@supergraph-lab/cache';
import {
  createdRecord,
  DateTimeScalar,
  graphqlCreate,
  type RequestContext,
  type ResolverMap,
} from '@supergraph-lab/subgraph';
import type { GraphQLResolveInfo } from 'graphql';
import type { PhotoLoaders } from './loaders.ts';
import { DEFAULT_PHOTOS, type PhotosModule } from './photos.ts';

export interface PhotosContext extends RequestContext {
  photos: PhotosModule;
  loaders: PhotoLoaders;
}

type Args = Record<string, unknown>;
type ItemReference = { id: string | number };

export const resolvers: ResolverMap<PhotosContext> = {
  DateTime: DateTimeScalar,
  Query: {
    photo: (_: unknown, args: Args, ctx: PhotosContext) => ctx.loaders.photo.load(parseId(args.id)),
  },
  Mutation: {
    addPhoto: async (_: unknown, args: Args, ctx: PhotosContext, info: GraphQLResolveInfo) => {
      const { itemId, ...input } = (args.input ?? {}) as Record<string, unknown>;
      const result = await ctx.photos.add(itemId, input, graphqlCreate(ctx.creates, args, info));
      return createdRecord<Photo>(ctx.creates, result, reviveDates);
    },
    updatePhoto: (_: unknown, args: Args, ctx: PhotosContext) => ctx.photos.update(args.id, args.input),
    deletePhoto: async (_: unknown, args: Args, ctx: PhotosContext) => {
      await ctx.photos.remove(args.id);
      return true;
    },
  },
  Item: {
    __resolveReference: (reference: ItemReference) => ({ id: parseId(reference.id) }),
    photos: (item: ItemReference, args: Args, ctx: PhotosContext) =>
      ctx.loaders.list.load({ itemId: parseId(item.id), first: parseFirst(args.first, DEFAULT_PHOTOS) }),
    // the default gallery's first photo: a page asking for both costs one query, not two
    primaryPhoto: async (item: ItemReference, _: Args, ctx: PhotosContext) =>
      (await ctx.loaders.list.load({ itemId: parseId(item.id), first: DEFAULT_PHOTOS }))[0] ?? null,
  },
  Photo: {
    __resolveReference: (reference: { id: unknown }, ctx: PhotosContext) =>
      ctx.loaders.photo.load(parseId(reference.id)),
    item: (photo: Photo) => ({ __typename: 'Item', id: photo.itemId }),
  },
};
