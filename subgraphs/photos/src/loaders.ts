import type { VersionReader } from '@supergraph-lab/cache';
import type { Photo } from '@supergraph-lab/db';
import DataLoader from 'dataloader';
import type { PhotoListKey, PhotosModule } from './photos.ts';

/**
 * Per-request loaders: a loader kept across requests would serve rows a later write changed.
 * `batching` false makes every load its own batch of one: the N+1 the load lab shows.
 */
export function createPhotoLoaders(photos: PhotosModule, reader: VersionReader | null, batching = true) {
  return {
    /** Galleries per item; one statement per distinct `first` in the batch. */
    list: new DataLoader<PhotoListKey, Photo[], string>((keys) => photos.lists(keys, reader), {
      batch: batching,
      cacheKeyFn: (key) => `${key.itemId}:${key.first}`,
    }),
    photo: new DataLoader<number, Photo | null>((ids) => photos.byIds(ids, reader), { batch: batching }),
  };
}

export type PhotoLoaders = ReturnType<typeof createPhotoLoaders>;
