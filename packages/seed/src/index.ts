export {
  createShopGenerator,
  DATA_END_MS,
  DATA_START_MS,
  MAX_PHOTOS_PER_ITEM,
  MAX_REVIEWS_PER_ITEM,
  type GeneratorOptions,
  type ShopGenerator,
} from './generate.ts';
export { loadShopData, loadShopDataIntoPGlite, type PGliteLike } from './load.ts';
export { SeedError, type LoadOptions, type LoadProgress, type LoadReport } from './tables.ts';
export { BinaryCopyWriter, copyChunks, ITEMS, PHOTOS, REVIEWS } from './copy.ts';
