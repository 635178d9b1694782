import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connect } from '@supergraph-lab/db';
import { copyChunks, ITEMS, PHOTOS, REVIEWS, type CopyTable } from './copy.ts';
import { createShopGenerator, type ShopGenerator } from './generate.ts';
import {
  rowsOf,
  SeedError,
  TABLES,
  type LoadOptions,
  type LoadReport,
  type TableName,
  type TableReport,
} from './tables.ts';

/**
 * Where a load goes: the statements it runs and how COPY data reaches the server. node-postgres
 * streams it (pg-copy-streams); embedded PGlite takes it as one blob (`FROM '/dev/blob'`).
 */
export interface LoadTarget {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number }>;
  /** Runs `COPY ... FROM STDIN`, feeding it `chunks`. */
  copyIn(copySql: string, chunks: Iterable<Buffer>): Promise<void>;
}

/** PGlite's query API, as much of it as a load needs. */
export interface PGliteLike {
  query(
    sql: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: unknown[]; affectedRows?: number }>;
}

/** A load target over one node-postgres connection. */
export function pgTarget(client: pg.Client): LoadTarget {
  return {
    async query(sql, params) {
      const result = await client.query(sql, params);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    async copyIn(copySql, chunks) {
      await pipeline(Readable.from(chunks, { objectMode: false }), client.query(copyFrom(copySql)));
    },
  };
}

/**
 * A load target over an embedded PGlite. Its socket server does not take COPY FROM STDIN, so a
 * table's COPY data is gathered into one blob: fine for the small data set `npm start` seeds,
 * not for millions of rows (use a real server for those).
 */
export function pgliteTarget(db: PGliteLike): LoadTarget {
  return {
    async query(sql, params) {
      const result = await db.query(sql, params);
      return { rows: result.rows as any[], rowCount: result.affectedRows ?? result.rows.length };
    },
    async copyIn(copySql, chunks) {
      await db.query(copySql.replace('FROM STDIN', "FROM '/dev/blob'"), [], { blob: new Blob([...chunks]) });
    },
  };
}

/** An index or key that slows a bulk load, dropped before it and rebuilt after. */
interface DeferredObject {
  table: TableName;
  name: string;
  kind: 'primary-or-unique' | 'foreign-key' | 'index';
  /** SQL that recreates it. */
  create: string;
  drop: string;
}

/**
 * Generates the data set and bulk-loads it into Postgres in one transaction: truncate, drop indexes and keys,
 * COPY the three tables (FREEZE: the rows are visible and frozen at commit, no vacuum needed),
 * rebuild indexes and keys, move the id sequences past the loaded ids, commit, ANALYZE.
 * Any failure, an abort or a dropped connection rolls everything back: the database keeps
 * exactly what it had before.
 */
export async function loadShopDataIntoPostgres(options: LoadOptions): Promise<LoadReport> {
  const client = await connect(options.url);
  const abort = () => client.end().catch(() => {});
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    return await loadInto(pgTarget(client), options);
  } catch (error) {
    if (options.signal?.aborted) throw new SeedError('load aborted; rolled back, the database is unchanged');
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await client.end().catch(() => {});
  }
}

/** The same load into an embedded PGlite (what `npm start` seeds without a DATABASE_URL). */
export function loadShopDataIntoPGlite(
  db: PGliteLike,
  options: Omit<LoadOptions, 'url' | 'source' | 'signal'>,
): Promise<LoadReport> {
  return loadInto(pgliteTarget(db), options);
}

/** The load itself, on any target: one transaction, rolled back whole on any failure. */
async function loadInto(target: LoadTarget, options: Omit<LoadOptions, 'url' | 'signal'>): Promise<LoadReport> {
  const startedAt = performance.now();
  const generator = createShopGenerator(options);
  try {
    await assertMigrated(target);
    await target.query('BEGIN');
    // the load may hold many GB; commit waiting for the WAL flush is irrelevant next to that
    await target.query(`SET LOCAL synchronous_commit = off`);
    await target.query(`SET LOCAL maintenance_work_mem = '${options.maintenanceWorkMem ?? '512MB'}'`);
    await target.query(`SET LOCAL lock_timeout = '10s'`);
    await target.query('LOCK TABLE items, reviews, photos IN ACCESS EXCLUSIVE MODE');
    if (!options.reset) await assertEmpty(target);
    // truncating inside this transaction is what allows COPY ... FREEZE
    await target.query('TRUNCATE items, reviews, photos RESTART IDENTITY');

    const deferred = await readDeferredObjects(target);
    for (const object of [...deferred].reverse()) await target.query(object.drop);

    const tables: TableReport[] = [];
    for (const table of [ITEMS, REVIEWS, PHOTOS] as const) {
      tables.push(await copyTable(target, generator, table as CopyTable<unknown>, options));
    }

    const indexStart = performance.now();
    const rebuilt: LoadReport['rebuilt'] = [];
    for (const [step, object] of deferred.entries()) {
      const objectStart = performance.now();
      options.onProgress?.({
        phase: object.kind === 'foreign-key' ? 'constraint' : 'index',
        name: object.name,
        step: step + 1,
        steps: deferred.length,
      });
      await target.query(object.create);
      rebuilt.push({ name: object.name, seconds: (performance.now() - objectStart) / 1000 });
    }
    for (const table of TABLES) {
      await target.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE(max(id), 0) + 1, false) FROM ${table}`,
      );
    }
    await target.query('COMMIT');
    const indexSeconds = (performance.now() - indexStart) / 1000;

    const analyzeStart = performance.now();
    for (const [step, table] of TABLES.entries()) {
      options.onProgress?.({ phase: 'analyze', name: table, step: step + 1, steps: TABLES.length });
      await target.query(`ANALYZE ${table}`);
    }
    const analyzeSeconds = (performance.now() - analyzeStart) / 1000;
    return { tables, indexSeconds, rebuilt, analyzeSeconds, totalSeconds: (performance.now() - startedAt) / 1000 };
  } catch (error) {
    await target.query('ROLLBACK').catch(() => {});
    if (error instanceof SeedError) throw error;
    throw new SeedError(`load failed and was rolled back: ${(error as Error).message}`);
  }
}

async function assertMigrated(target: LoadTarget): Promise<void> {
  const { rows } = await target.query(
    `SELECT array_agg(t) AS missing FROM unnest($1::text[]) AS t WHERE to_regclass('public.' || t) IS NULL`,
    [TABLES],
  );
  const missing = rows[0]?.missing;
  if (missing?.length) {
    throw new SeedError(`table(s) ${missing.join(', ')} missing: run npm run db:migrate first`);
  }
}

async function assertEmpty(target: LoadTarget): Promise<void> {
  const { rows } = await target.query(
    `SELECT (SELECT count(*) FROM items)::int AS items, (SELECT count(*) FROM reviews)::int AS reviews,
            (SELECT count(*) FROM photos)::int AS photos`,
  );
  const counts = rows[0]!;
  if (counts.items + counts.reviews + counts.photos > 0) {
    throw new SeedError(
      `database is not empty (${counts.items} items, ${counts.reviews} reviews, ${counts.photos} photos); ` +
        'pass --reset to replace its data',
    );
  }
}

/**
 * The indexes and keys of the three tables, in the order they must be rebuilt: primary and
 * unique keys first (foreign keys need them), then plain indexes, then foreign keys. Read from
 * the catalog, so an index added by a later migration is deferred too. CHECK constraints stay:
 * they cost little per row and need no rebuild.
 */
async function readDeferredObjects(target: LoadTarget): Promise<DeferredObject[]> {
  const { rows: keys }: { rows: { table: TableName; name: string; contype: 'p' | 'u' | 'f'; def: string }[] } =
    await target.query(
      `SELECT c.conrelid::regclass::text AS table, c.conname AS name, c.contype, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c
      WHERE c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u', 'f')
      ORDER BY c.contype = 'f', c.conrelid::regclass::text, c.conname`,
      [TABLES],
    );
  const { rows: indexes }: { rows: { table: TableName; name: string; def: string }[] } = await target.query(
    `SELECT i.indrelid::regclass::text AS table, i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
      ORDER BY 1, 2`,
    [TABLES],
  );
  const constraint = (row: (typeof keys)[number]): DeferredObject => ({
    table: row.table,
    name: row.name,
    kind: row.contype === 'f' ? 'foreign-key' : 'primary-or-unique',
    create: `ALTER TABLE ${row.table} ADD CONSTRAINT "${row.name}" ${row.def}`,
    drop: `ALTER TABLE ${row.table} DROP CONSTRAINT "${row.name}"`,
  });
  return [
    ...keys.filter((row) => row.contype !== 'f').map(constraint),
    ...indexes.map((row) => ({
      table: row.table,
      name: row.name,
      kind: 'index' as const,
      create: row.def,
      drop: `DROP INDEX ${row.name}`,
    })),
    ...keys.filter((row) => row.contype === 'f').map(constraint),
  ];
}

async function copyTable(
  target: LoadTarget,
  generator: ShopGenerator,
  table: CopyTable<unknown>,
  options: Omit<LoadOptions, 'url' | 'signal'>,
): Promise<TableReport> {
  const start = performance.now();
  const columns = table.columns.map((column) => `"${column}"`).join(', ');
  const source = options.source ?? { kind: 'generator' };
  if (source.kind === 'server-file') {
    const result = await target.query(
      `COPY ${table.table} (${columns}) FROM '${source.path(table.table).replace(/'/g, "''")}' WITH (FORMAT binary, FREEZE)`,
    );
    return { table: table.table, rows: result.rowCount, copySeconds: (performance.now() - start) / 1000 };
  }
  const rows = rowsOf(generator, table.table);
  const itemCount = Math.max(generator.options.items, 1);
  let copied = 0;
  const chunks = copyChunks(rows, table, ({ rows: count, itemId }) => {
    copied = count;
    options.onProgress?.({ phase: 'copy', table: table.table, rows: count, fraction: Math.min(itemId / itemCount, 1) });
  });
  await target.copyIn(`COPY ${table.table} (${columns}) FROM STDIN WITH (FORMAT binary, FREEZE)`, chunks);
  return { table: table.table, rows: copied, copySeconds: (performance.now() - start) / 1000 };
}
