import type { DatabaseKind } from '@supergraph-lab/config';
import { dialectOf } from '@supergraph-lab/db';
import { loadShopDataIntoPostgres } from './load.ts';
import { loadShopDataIntoMariaDb } from './mariadb.ts';
import type { LoadOptions, LoadReport } from './tables.ts';

/**
 * Each database's bulk loader, by its dialect's kind: binary COPY into Postgres (load.ts), LOAD
 * DATA LOCAL INFILE into MariaDB (mariadb.ts). Here rather than in the dialects: they are the
 * seed's (the generator, its tables), and the seed depends on the db package, not the reverse.
 */
const LOADERS: Record<DatabaseKind, (options: LoadOptions) => Promise<LoadReport>> = {
  postgres: loadShopDataIntoPostgres,
  mariadb: loadShopDataIntoMariaDb,
};

/**
 * Generates the data set and bulk-loads it into the database at `options.url`, in one
 * transaction: any failure, an abort or a dropped connection rolls the load back.
 */
export function loadShopData(options: LoadOptions): Promise<LoadReport> {
  return LOADERS[dialectOf(options.url).kind](options);
}
