import type { GeneratorOptions, ShopGenerator } from './generate.ts';

/**
 * What every load shares, whichever database it goes to: the tables, the options, the report and
 * the errors. Its own module, so the Postgres load (load.ts) and the MariaDB one (mariadb.ts)
 * each import it and not each other (loaders.ts chooses between them).
 */

/** A load refused or failed for a reason the user can act on; the message is one line. */
export class SeedError extends Error {
  override name = 'SeedError';
}

export type TableName = 'items' | 'reviews' | 'photos';
/** The shop's tables, in load order (a review or photo after its item). */
export const TABLES: readonly TableName[] = ['items', 'reviews', 'photos'];

/** Progress events, for a progress bar. */
export type LoadProgress =
  | { phase: 'copy'; table: TableName; rows: number; /** 0..1 through the item range */ fraction: number }
  | { phase: 'index' | 'constraint' | 'analyze'; name: string; step: number; steps: number };

/** Where a table's rows come from: the generator (streamed), or a file the server reads itself. */
export type RowSource = { kind: 'generator' } | { kind: 'server-file'; path: (table: TableName) => string };

export interface LoadOptions extends GeneratorOptions {
  url: string;
  /** Replace existing data; without it a non-empty database is refused. */
  reset?: boolean;
  onProgress?: (progress: LoadProgress) => void;
  /** `maintenance_work_mem` for the index builds. */
  maintenanceWorkMem?: string;
  /** For benchmarks: load the same rows from files the server reads itself. */
  source?: RowSource;
  /** Aborting rolls the whole load back. */
  signal?: AbortSignal;
}

export interface TableReport {
  table: TableName;
  rows: number;
  /** Seconds spent streaming the rows in. */
  copySeconds: number;
}

export interface LoadReport {
  tables: TableReport[];
  /** Seconds rebuilding indexes and keys, and analysing. */
  indexSeconds: number;
  /** Each rebuilt index or key and the seconds it took. */
  rebuilt: { name: string; seconds: number }[];
  analyzeSeconds: number;
  totalSeconds: number;
}

/** The generator's rows for one table. */
export function rowsOf(generator: ShopGenerator, table: TableName): Iterable<unknown> {
  return table === 'items' ? generator.items() : table === 'reviews' ? generator.reviews() : generator.photos();
}
