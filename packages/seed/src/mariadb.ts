import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connectMariaDb, shopCounts } from '@supergraph-lab/db';
import { ITEMS, PHOTOS, REVIEWS, type CopyTable } from './copy.ts';
import { createShopGenerator, type ShopGenerator } from './generate.ts';
import { loaderSocket, tcpSocket } from './mariadb-wire.ts';
import {
  rowsOf,
  SeedError,
  TABLES,
  type LoadOptions,
  type LoadReport,
  type TableName,
  type TableReport,
} from './tables.ts';

/** A MariaDB connection, as the db package opens it. */
type Connection = Awaited<ReturnType<typeof connectMariaDb>>;

/**
 * The same data set into MariaDB, with `LOAD DATA LOCAL INFILE` fed from memory: the generator's
 * rows as tab-separated text, never a file on disk.
 *
 * One LOAD DATA statement per table, all three in one transaction, into empty tables with unique
 * and foreign-key checks off: that is InnoDB's bulk insert (MariaDB 10.6+), which writes one undo
 * record per table instead of one per row, so the server stores rows for less (32 s of its CPU
 * for 1M items against 39 s with a statement per 8 MB) and a rollback has no rows to undo. Only
 * the first statement into an empty table gets it: a second LOAD DATA into the same table in the
 * same transaction logs every row again (seen: "undo log entries" in SHOW ENGINE INNODB STATUS),
 * so a table cannot go in several statements. The driver cannot send one statement of more than
 * 16 MB by itself (see {@link loaderSocket}), hence the loader's own socket.
 *
 * Rolling the transaction back empties the tables again, so a failed or aborted load leaves them
 * as they were: empty. `reset` empties them first with TRUNCATE, which MariaDB commits at once
 * (DDL): a reset load that fails leaves the tables empty, not as they were (on Postgres it leaves
 * them as they were).
 */
export async function loadShopDataIntoMariaDb(options: LoadOptions): Promise<LoadReport> {
  if (options.source && options.source.kind !== 'generator') {
    throw new SeedError('loading from server-side files is for Postgres; MariaDB loads from the generator');
  }
  const startedAt = performance.now();
  const generator = createShopGenerator(options);
  const files = new Map<TableName, Readable>();
  let socket: Socket | undefined;
  const connection = await connectMariaDb(options.url, 5000, {
    permitLocalInfile: true,
    // the loader's socket; a second connection the driver opens (to KILL the statement on destroy) gets a plain one
    stream: () => (socket ? tcpSocket(options.url) : (socket = loaderSocket(options.url))),
    // LOAD DATA LOCAL INFILE 'items' reads the items as they are generated; no file is opened
    infileStreamFactory: (name: string) => {
      const file = files.get(name as TableName);
      if (!file) throw new SeedError(`no rows for LOAD DATA of ${name}`);
      return file;
    },
  });
  const abort = () => connection.destroy();
  let recalcOff = false;
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
    await connection.query(autoRecalc('0'));
    recalcOff = true;
    await connection.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
    await connection.beginTransaction();
    const tables: TableReport[] = [];
    for (const table of [ITEMS, REVIEWS, PHOTOS] as const) {
      tables.push(await loadTable(connection, socket!, generator, table as CopyTable<unknown>, files, options));
    }
    const indexStart = performance.now();
    options.onProgress?.({ phase: 'index', name: 'commit', step: 1, steps: 1 });
    await connection.commit();
    const indexSeconds = (performance.now() - indexStart) / 1000;
    await connection.query('SET SESSION foreign_key_checks = 1, unique_checks = 1');
    await connection.query(autoRecalc('DEFAULT'));
    recalcOff = false;
    const analyzeStart = performance.now();
    for (const [step, table] of TABLES.entries()) {
      options.onProgress?.({ phase: 'analyze', name: table, step: step + 1, steps: TABLES.length });
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
    // on a new connection: this one may be gone (an abort destroys it)
    if (recalcOff) await restoreAutoRecalc(options.url);
    await connection.end().catch(() => connection.destroy());
  }
}

/**
 * Turns InnoDB's automatic statistics recalculation off for the three tables (`'0'`) or back to
 * the server's setting (`'DEFAULT'`). Left on, the statistics task finds the tables more than 10%
 * changed and tries to open them again and again while the load's transaction holds them: perf
 * put 58% of the server's CPU there during a 1M-item load, which took 59.6 s, and 49.0 s without.
 * The load ends with ANALYZE TABLE instead. (A table option: instant, and no server setting.)
 */
const autoRecalc = (value: '0' | 'DEFAULT') =>
  TABLES.map((table) => `ALTER TABLE ${table} STATS_AUTO_RECALC = ${value}`).join('; ');

/** Puts automatic recalculation back after a load that failed; the load's own error is what is reported. */
async function restoreAutoRecalc(url: string): Promise<void> {
  try {
    const connection = await connectMariaDb(url);
    await connection.query(autoRecalc('DEFAULT')).finally(() => connection.end());
  } catch {
    // the server is gone too: the option only stops automatic recalculation, ANALYZE TABLE still works
  }
}

async function assertMigrated(connection: Connection): Promise<void> {
  const rows = (await connection.query(
    `SELECT t.name FROM JSON_TABLE('${JSON.stringify(TABLES)}', '$[*]' COLUMNS (name VARCHAR(16) PATH '$')) t
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
 * Loads one table with one LOAD DATA statement, its file the generator's rows in segments of
 * about `SEGMENT_BYTES`. The driver writes what the file stream gives it at once, so the stream
 * waits while the socket holds more than `UNSENT_BYTES`: the server sets the pace, and memory
 * stays bounded.
 */
async function loadTable(
  connection: Connection,
  socket: Socket,
  generator: ShopGenerator,
  table: CopyTable<unknown>,
  files: Map<TableName, Readable>,
  options: LoadOptions,
): Promise<TableReport> {
  const start = performance.now();
  const itemCount = Math.max(generator.options.items, 1);
  let sent = 0;
  async function* file(): AsyncGenerator<Buffer> {
    for await (const segment of textSegments(rowsOf(generator, table.table), table)) {
      while (socket.writableLength > UNSENT_BYTES && !socket.destroyed)
        await Promise.race([once(socket, 'drain'), once(socket, 'close')]);
      yield segment.text;
      sent += segment.rows;
      options.onProgress?.({
        phase: 'copy',
        table: table.table,
        rows: sent,
        fraction: Math.min(segment.itemId / itemCount, 1),
      });
    }
  }
  files.set(table.table, Readable.from(file(), { objectMode: false }));
  const sql = `LOAD DATA LOCAL INFILE '${table.table}' INTO TABLE ${table.table} CHARACTER SET utf8mb4
       FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${table.columns.join(', ')})`;
  try {
    const result = (await connection.query(sql)) as { affectedRows: number; warningStatus: number };
    if (result.warningStatus > 0) {
      const warnings = (await connection.query('SHOW WARNINGS LIMIT 3')) as { Message: string }[];
      throw new SeedError(`LOAD DATA of ${table.table} warned: ${warnings.map((w) => w.Message).join('; ')}`);
    }
    if (result.affectedRows !== sent) {
      throw new SeedError(`LOAD DATA of ${table.table} stored ${result.affectedRows} of ${sent} rows`);
    }
  } finally {
    files.delete(table.table);
  }
  return { table: table.table, rows: sent, copySeconds: (performance.now() - start) / 1000 };
}

/** What the loader lets wait in its socket's buffer before the file stream pauses. */
const UNSENT_BYTES = 32 * 1024 * 1024;

/** A piece of a LOAD DATA file: its rows, and the item the last one belongs to. */
interface Segment {
  text: Buffer;
  rows: number;
  itemId: number;
}

/** A piece of a LOAD DATA file as the file stream hands it to the driver. */
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
