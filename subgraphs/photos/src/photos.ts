import {
  reviveDates,
  versionKeys,
  type CachedKind,
  type SubgraphCache,
  type VersionReader,
} from '@supergraph-lab/cache';
import { itemExists, photosByIds, photosOfItems, type Photo, type PrismaClient } from '@supergraph-lab/db';
import { notFound, orItemNotFound, parseFirst, parseId, parseInput, text, withoutNulls } from '@supergraph-lab/http';
import { itemChildWrites, type CreateRequest, type CreateResult, type Writes } from '@supergraph-lab/subgraph';
import type { Cancellation } from '@supergraph-lab/timing';
import { z } from 'zod';

/**
 * The photos module: every read and write of photos, for GraphQL and REST alike.
 */

const dimension = z
  .number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 20000')
  .max(20_000, 'must be between 1 and 20000');

/**
 * A photo URL: http(s), on one of `imageHosts` (a host without a port: its scheme's default port
 * only). Browsers load it, the lab's server-side Chromium among them: a URL to any other host
 * (the cloud's metadata address, a private network, this machine's services) is refused here.
 */
function photoUrl(imageHosts: readonly string[]) {
  const hosts = `must name one of the image hosts (IMAGE_HOSTS): ${imageHosts.join(', ')}`;
  return text(2048)
    .regex(/^https?:\/\/[^\s/$.?#][^\s]*$/i, 'must be an http(s) URL')
    .superRefine((url, context) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return; // the regex above has said what is wrong
      }
      // the host as a browser reads it: "a@b" is host b, 2852039166 is 169.254.169.254
      if (parsed.username || parsed.password || !imageHosts.includes(parsed.host))
        context.addIssue({ code: 'custom', message: `${hosts}; got ${parsed.host}` });
    });
}

/** What creates, replaces (PUT) and patches of photos take, with URLs on `imageHosts`. */
function photoSchemas(imageHosts: readonly string[]) {
  const photoFields = {
    url: photoUrl(imageHosts),
    altText: text(500),
    width: dimension,
    height: dimension,
    position: z
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be between 0 and 1000')
      .max(1000, 'must be between 0 and 1000'),
  };
  return {
    create: z
      .object({ ...photoFields, altText: photoFields.altText.default(''), position: photoFields.position.optional() })
      .strict(),
    replace: z.object({ ...photoFields, altText: photoFields.altText.default('') }).strict(),
    patch: z
      .object(photoFields)
      .partial()
      .strict()
      .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field'),
  };
}

export const DEFAULT_PHOTOS = 12;

/** What one item's gallery is asked with. */
export interface PhotoListKey {
  itemId: number;
  first: number;
}

/** How long cached photo data may live at most; invalidation, not this, keeps it correct. */
const TTL_SECONDS = 300;

/** The photos module; photo URLs may name `imageHosts` only (Config.imageHosts). */
export function createPhotosModule(
  prisma: PrismaClient,
  cache: SubgraphCache,
  writes: Writes,
  imageHosts: readonly string[],
) {
  const photoInput = photoSchemas(imageHosts);
  /** One statement per distinct `first` among the keys. */
  async function loadLists(keys: readonly PhotoListKey[], cancellation?: Cancellation | null): Promise<Photo[][]> {
    const byFirst = new Map<number, PhotoListKey[]>();
    for (const key of keys) byFirst.set(key.first, [...(byFirst.get(key.first) ?? []), key]);
    const results = new Map<PhotoListKey, Photo[]>();
    await Promise.all(
      [...byFirst].map(async ([first, group]) => {
        const photos = await photosOfItems(
          prisma,
          group.map((key) => key.itemId),
          { first },
          cancellation,
        );
        group.forEach((key, index) => results.set(key, photos[index]!));
      }),
    );
    return keys.map((key) => results.get(key)!);
  }

  const listKind: CachedKind<PhotoListKey, Photo[]> = {
    name: 'photos',
    id: (key) => `${key.itemId}:${key.first}`,
    versions: (key) => [versionKeys.itemPhotos(key.itemId)],
    load: loadLists,
    ttlSeconds: TTL_SECONDS,
    revive: (value) => reviveDates(value as Photo[]),
  };
  const photoKind: CachedKind<number, Photo | null> = {
    name: 'photo',
    id: String,
    versions: (id) => [versionKeys.photo(id)],
    load: (ids, cancellation) => photosByIds(prisma, ids, cancellation),
    ttlSeconds: TTL_SECONDS,
    revive: (value) => reviveDates(value as Photo | null),
  };

  /** What a write of a photo changes: the photo and its item's gallery. */
  const changes = (photo: { id: number; itemId: number }) => [
    versionKeys.photo(photo.id),
    versionKeys.itemPhotos(photo.itemId),
  ];

  return {
    lists: (keys: readonly PhotoListKey[], reader: VersionReader | null) => cache.load(listKind, keys, reader),
    byIds: (ids: readonly number[], reader: VersionReader | null) => cache.load(photoKind, ids, reader),

    /** REST: an item's gallery; 404 when the item does not exist. */
    async ofItem(rawItemId: unknown, args: { first?: unknown }, reader: VersionReader | null): Promise<Photo[]> {
      const itemId = parseId(rawItemId);
      const [photos] = await cache.load(listKind, [{ itemId, first: parseFirst(args.first, DEFAULT_PHOTOS) }], reader);
      if (photos!.length === 0 && !(await itemExists(prisma, itemId))) throw notFound('item', itemId);
      return photos!;
    },

    async get(rawId: unknown, reader: VersionReader | null): Promise<Photo> {
      const id = parseId(rawId);
      const [photo] = await cache.load(photoKind, [id], reader);
      if (!photo) throw notFound('photo', id);
      return photo;
    },

    /** Adds a photo, at the end of the gallery unless a position is given; once per Idempotency-Key when the request has one. */
    add(rawItemId: unknown, input: unknown, request: CreateRequest<Photo>): Promise<CreateResult> {
      const itemId = parseId(rawItemId, 'itemId');
      const data = parseInput(photoInput.create, withoutNulls(input));
      return writes.create(
        request,
        (tx) =>
          orItemNotFound(itemId, async () => {
            const position =
              data.position ??
              ((await tx.photo.aggregate({ where: { itemId }, _max: { position: true } }))._max.position ?? -1) + 1;
            return tx.photo.create({ data: { ...data, itemId, position } });
          }),
        changes,
      );
    },

    ...itemChildWrites<Photo>({
      name: 'photo',
      replace: photoInput.replace,
      patch: photoInput.patch,
      writes,
      update: (tx, id, data) => tx.photo.update({ where: { id }, data }),
      remove: (tx, id) => tx.photo.delete({ where: { id }, select: { id: true, itemId: true } }),
      changes,
    }),
  };
}

export type PhotosModule = ReturnType<typeof createPhotosModule>;
