import { databaseKindOf, type DatabaseKind } from '@supergraph-lab/config';
import type { Dialect } from './dialect.ts';
import { mariaDb } from './mariadb.ts';
import { postgres } from './postgres.ts';

/** Every database's dialect, by the name config gives it (DATABASES). */
export const DIALECTS: Record<DatabaseKind, Dialect> = { postgres, mariadb: mariaDb };

/** The dialect of the database a URL names, by its scheme (Postgres without one: npm start's embedded PGlite). */
export function dialectOf(url: string | undefined): Dialect {
  return DIALECTS[databaseKindOf(url)];
}

export type { Dialect, Migrator, Session, Statement } from './dialect.ts';
