import type { VersionReader } from '@supergraph-lab/cache';
import type { Photo } from '@supergraph-lab/db';
import DataLoader from 'dataloader';
import type { PhotoListKey, PhotosModule } from './photos.ts';

/** Per-request loaders: a loader kept across requests would serve rows a later write changed. */
export function createPhotoLoaders(photos: PhotosModule, reader: VersionReader | null) {
  return {
    /** Galleries per item; one statement per distinct `first` in the batch. */
    list: new DataLoader<PhotoListKey, Photo[], string>((keys) => photos.lists(keys, reader), {
      cacheKeyFn: (key) => `${key.itemId}:${key.first}`,
    }),
    photo: new DataLoader<number, Photo | null>((ids) => photos.byIds(ids, reader)),
  };
}

export type PhotoLoaders = ReturnType<typeof createPhotoLoaders>;
