import { itemExists, photosByIds, photosOfItems, type Photo, type PrismaClient } from '@supergraph-lab/db';
import { notFound, orNotFound, parseFirst, parseId, parseInput, withoutNulls } from '@supergraph-lab/http';
import { z } from 'zod';

/**
 * The photos module: every read and write of photos, for GraphQL and REST alike.
 */

const dimension = z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be between 1 and 20000').max(20_000, 'must be between 1 and 20000');

const photoFields = {
  url: z
    .string({ invalid_type_error: 'must be a string' })
    .max(2048, 'must be at most 2048 characters')
    .regex(/^https?:\/\/[^\s/$.?#][^\s]*$/i, 'must be an http(s) URL'),
  altText: z.string({ invalid_type_error: 'must be a string' }).max(500, 'must be at most 500 characters'),
  width: dimension,
  height: dimension,
  position: z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(0, 'must be between 0 and 1000').max(1000, 'must be between 0 and 1000'),
};

const photoCreate = z.object({ ...photoFields, altText: photoFields.altText.default(''), position: photoFields.position.optional() }).strict();
const photoReplace = z.object({ ...photoFields, altText: photoFields.altText.default('') }).strict();
const photoPatch = z
  .object(photoFields)
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field');

export const DEFAULT_PHOTOS = 12;

/** What one item's gallery is asked with. */
export interface PhotoListKey {
  itemId: number;
  first: number;
}

export function createPhotosModule(prisma: PrismaClient) {
  /** One statement per distinct `first` among the keys: the DataLoader batch function. */
  async function lists(keys: readonly PhotoListKey[]): Promise<Photo[][]> {
    const byFirst = new Map<number, PhotoListKey[]>();
    for (const key of keys) byFirst.set(key.first, [...(byFirst.get(key.first) ?? []), key]);
    const results = new Map<PhotoListKey, Photo[]>();
    await Promise.all(
      [...byFirst].map(async ([first, group]) => {
        const photos = await photosOfItems(prisma, group.map((key) => key.itemId), { first });
        group.forEach((key, index) => results.set(key, photos[index]!));
      }),
    );
    return keys.map((key) => results.get(key)!);
  }

  return {
    lists,
    byIds: (ids: readonly number[]) => photosByIds(prisma, ids),

    /** REST: an item's gallery; 404 when the item does not exist. */
    async ofItem(rawItemId: unknown, args: { first?: unknown }): Promise<Photo[]> {
      const itemId = parseId(rawItemId);
      const [photos] = await lists([{ itemId, first: parseFirst(args.first, DEFAULT_PHOTOS) }]);
      if (photos!.length === 0 && !(await itemExists(prisma, itemId))) throw notFound('item', itemId);
      return photos!;
    },

    async get(rawId: unknown): Promise<Photo> {
      const id = parseId(rawId);
      const photo = await prisma.photo.findUnique({ where: { id } });
      if (!photo) throw notFound('photo', id);
      return photo;
    },

    /** Adds a photo, at the end of the gallery unless a position is given. */
    async add(rawItemId: unknown, input: unknown): Promise<Photo> {
      const itemId = parseId(rawItemId, 'itemId');
      const data = parseInput(photoCreate, withoutNulls(input));
      try {
        return await prisma.$transaction(async (tx) => {
          const position =
            data.position ?? ((await tx.photo.aggregate({ where: { itemId }, _max: { position: true } }))._max.position ?? -1) + 1;
          return tx.photo.create({ data: { ...data, itemId, position } });
        });
      } catch (error) {
        if ((error as { code?: string }).code === 'P2003') throw notFound('item', itemId);
        throw error;
      }
    },

    async replace(rawId: unknown, input: unknown): Promise<Photo> {
      const id = parseId(rawId);
      const data = parseInput(photoReplace, withoutNulls(input));
      return orNotFound('photo', id, () => prisma.photo.update({ where: { id }, data }));
    },

    async update(rawId: unknown, input: unknown): Promise<Photo> {
      const id = parseId(rawId);
      const data = parseInput(photoPatch, withoutNulls(input));
      return orNotFound('photo', id, () => prisma.photo.update({ where: { id }, data }));
    },

    async remove(rawId: unknown): Promise<void> {
      const id = parseId(rawId);
      await orNotFound('photo', id, () => prisma.photo.delete({ where: { id }, select: { id: true } }));
    },
  };
}

export type PhotosModule = ReturnType<typeof createPhotosModule>;
