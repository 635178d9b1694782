export {
  createShopGenerator,
  DATA_END_MS,
  DATA_START_MS,
  MAX_PHOTOS_PER_ITEM,
  MAX_REVIEWS_PER_ITEM,
  type GeneratorOptions,
  type ShopGenerator,
} from './generate.ts';
export { loadShopDataIntoPGlite, type PGliteLike } from './load.ts';
export { loadShopData } from './loaders.ts';
export { rowsOf, SeedError, type LoadOptions, type LoadProgress, type LoadReport, type TableName } from './tables.ts';
export { parseSeedArgs } from './args.ts';
export { BinaryCopyWriter, copyChunks, ITEMS, PHOTOS, REVIEWS, type CopyTable } from './copy.ts';
