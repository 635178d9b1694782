import { Readable } from 'node:stream';
import { connectMariaDb, shopCounts } from '@supergraph-lab/db';
import { ITEMS, PHOTOS, REVIEWS, type CopyTable } from './copy.ts';
import { createShopGenerator, type ShopGenerator } from './generate.ts';
import { rowsOf, SeedError, type LoadOptions, type LoadReport, type TableName, type TableReport } from './load.ts';

/** A MariaDB connection, as the db package opens it. */
type Connection = Awaited<ReturnType<typeof connectMariaDb>>;

/**
 * The same data set into MariaDB, with `LOAD DATA LOCAL INFILE` fed from memory: the generator's
 * rows as tab-separated text, never a file on disk.
 *
 * The three tables are loaded empty, in one transaction, with unique and foreign-key checks off,
 * and the indexes kept: measured on 1M items, dropping the secondary indexes and adding them
 * after saved nothing (12.0 s with them; 10.0 s without plus 1.9 s to build them), and neither did
 * a 4 GB buffer pool; the server is CPU-bound parsing and storing rows. Rolling the transaction
 * back empties the tables again, so a failed or aborted load leaves them as they were: empty.
 * `reset` empties them first with TRUNCATE, which MariaDB commits at once (DDL): a reset load
 * that fails leaves the tables empty, not as they were (on Postgres it leaves them as they were).
 */
export async function loadShopDataIntoMariaDb(options: LoadOptions): Promise<LoadReport> {
  if (options.source && options.source.kind !== 'generator') {
    throw new SeedError('loading from server-side files is for Postgres; MariaDB loads from the generator');
  }
  const startedAt = performance.now();
  const generator = createShopGenerator(options);
  const segments = new Map<TableName, Buffer>();
  const connection = await connectMariaDb(options.url, 5000, {
    permitLocalInfile: true,
    // LOAD DATA LOCAL INFILE 'items' reads the segment of items being stored; no file is opened
    infileStreamFactory: (name: string) => {
      const segment = segments.get(name as TableName);
      if (!segment) throw new SeedError(`no rows for LOAD DATA of ${name}`);
      return Readable.from([segment]);
    },
  });
  const abort = () => connection.destroy();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await assertMigrated(connection);
    if (options.reset) {
      await connection.query('SET SESSION foreign_key_checks = 0');
      for (const table of ['photos', 'reviews', 'items']) await connection.query(`TRUNCATE TABLE ${table}`);
      await connection.query('SET SESSION foreign_key_checks = 1');
    } else {
      await assertEmpty(options.url);
    }
    await connection.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await connection.beginTransaction();
    const tables: TableReport[] = [];
    for (const table of [ITEMS, REVIEWS, PHOTOS] as const) {
      tables.push(await loadTable(connection, generator, table as CopyTable<unknown>, segments, options));
    }
    const indexStart = performance.now();
    options.onProgress?.({ phase: 'index', name: 'commit (the indexes were kept up as rows came)', step: 1, steps: 1 });
    await connection.commit();
    const indexSeconds = (performance.now() - indexStart) / 1000;
    await connection.query('SET SESSION foreign_key_checks = 1, unique_checks = 1');
    const analyzeStart = performance.now();
    for (const [step, table] of ['items', 'reviews', 'photos'].entries()) {
      options.onProgress?.({ phase: 'analyze', name: table, step: step + 1, steps: 3 });
      await connection.query(`ANALYZE TABLE ${table}`);
    }
    const analyzeSeconds = (performance.now() - analyzeStart) / 1000;
    return {
      tables,
      indexSeconds,
      rebuilt: [{ name: 'commit', seconds: indexSeconds }],
      analyzeSeconds,
      totalSeconds: (performance.now() - startedAt) / 1000,
    };
  } catch (error) {
    await connection.rollback().catch(() => {});
    if (options.signal?.aborted) throw new SeedError('load aborted; rolled back, the tables are empty again');
    if (error instanceof SeedError) throw error;
    throw new SeedError(`load failed and was rolled back: ${(error as Error).message}`);
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await connection.end().catch(() => connection.destroy());
  }
}

async function assertMigrated(connection: Connection): Promise<void> {
  const rows = (await connection.query(
    `SELECT t.name FROM JSON_TABLE('["items","reviews","photos"]', '$[*]' COLUMNS (name VARCHAR(16) PATH '$')) t
      WHERE NOT EXISTS (SELECT 1 FROM information_schema.TABLES s
                         WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = t.name)`,
  )) as { name: string }[];
  if (rows.length) {
    throw new SeedError(`table(s) ${rows.map((row) => row.name).join(', ')} missing: run npm run db:migrate first`);
  }
}

async function assertEmpty(url: string): Promise<void> {
  const counts = await shopCounts(url);
  if (counts.items + counts.reviews + counts.photos > 0) {
    throw new SeedError(
      `database is not empty (${counts.items} items, ${counts.reviews} reviews, ${counts.photos} photos); ` +
        'pass --reset to replace its data',
    );
  }
}

/**
 * Loads one table as a run of LOAD DATA statements of about `SEGMENT_BYTES` of text each: the
 * driver sends a statement's whole stream at once (no backpressure) and in packets as large as
 * its buffer, and the server refuses a packet over `max_allowed_packet` (16 MB by default). So
 * the rows go in segments, and the next segment is generated while the server stores this one.
 */
async function loadTable(
  connection: Connection,
  generator: ShopGenerator,
  table: CopyTable<unknown>,
  segments: Map<TableName, Buffer>,
  options: LoadOptions,
): Promise<TableReport> {
  const start = performance.now();
  const itemCount = Math.max(generator.options.items, 1);
  const rows = textSegments(rowsOf(generator, table.table), table);
  const sql = `LOAD DATA LOCAL INFILE '${table.table}' INTO TABLE ${table.table} CHARACTER SET utf8mb4
       FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${table.columns.join(', ')})`;
  const store = async (segment: Segment) => {
    segments.set(table.table, segment.text);
    const result = (await connection.query(sql)) as { affectedRows: number; warningStatus: number };
    if (result.warningStatus > 0) {
      const warnings = (await connection.query('SHOW WARNINGS LIMIT 3')) as { Message: string }[];
      throw new SeedError(`LOAD DATA of ${table.table} warned: ${warnings.map((w) => w.Message).join('; ')}`);
    }
    if (result.affectedRows !== segment.rows) {
      throw new SeedError(`LOAD DATA of ${table.table} stored ${result.affectedRows} of ${segment.rows} rows`);
    }
  };
  let loaded = 0;
  let segment = await rows.next();
  while (!segment.done) {
    const storing = store(segment.value);
    // generated while the server stores the segment before it
    const following = await rows.next();
    await storing;
    loaded += segment.value.rows;
    options.onProgress?.({
      phase: 'copy',
      table: table.table,
      rows: loaded,
      fraction: Math.min(segment.value.itemId / itemCount, 1),
    });
    segment = following;
  }
  segments.delete(table.table);
  return { table: table.table, rows: loaded, copySeconds: (performance.now() - start) / 1000 };
}

/** Text for one LOAD DATA statement: its rows, and the item the last one belongs to. */
interface Segment {
  text: Buffer;
  rows: number;
  itemId: number;
}

/** Under the driver's 16 MB packets, which the server's default max_allowed_packet refuses. */
const SEGMENT_BYTES = 8 * 1024 * 1024;

/**
 * Rows as LOAD DATA's default text format, in segments of about `segmentBytes`: fields in the
 * table's column order, tab-separated, one row a line, with backslash, tab, newline and carriage
 * return escaped; a date as `YYYY-MM-DD HH:MM:SS.mmm` in UTC; a boolean as 0 or 1. It yields to
 * the event loop every few thousand rows, so the driver's I/O goes on while it generates.
 */
export async function* textSegments<Row>(
  rows: Iterable<Row>,
  table: CopyTable<Row>,
  segmentBytes = SEGMENT_BYTES,
): AsyncGenerator<Segment> {
  const fields = table.columns.map(fieldOf);
  let lines: string[] = [];
  let length = 0;
  let last: Row | undefined;
  const segment = (): Segment => {
    const text = Buffer.from(lines.join(''), 'utf8');
    const done = { text, rows: lines.length, itemId: last === undefined ? 0 : table.itemIdOf(last) };
    lines = [];
    length = 0;
    return done;
  };
  for (const row of rows) {
    const line = lineOf(row as Record<string, unknown>, fields);
    lines.push(line);
    length += line.length;
    last = row;
    if (lines.length % 2048 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (length >= segmentBytes) yield segment();
  }
  if (lines.length) yield segment();
}

/** A column's row field: `price_cents` is `priceCents`, as the Prisma schema maps it. */
const fieldOf = (column: string) => column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function lineOf(row: Record<string, unknown>, fields: readonly string[]): string {
  let line = '';
  for (let index = 0; index < fields.length; index++) {
    const value = row[fields[index]!];
    let text: string;
    if (typeof value === 'string')
      text = SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
    else if (value instanceof Date) text = value.toISOString().slice(0, 23).replace('T', ' ');
    else if (typeof value === 'boolean') text = value ? '1' : '0';
    else text = String(value);
    line += index === 0 ? text : `\t${text}`;
  }
  return `${line}\n`;
}
