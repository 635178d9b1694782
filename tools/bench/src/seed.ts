// npm run bench:seed [-- --items N --rounds R]: the loader against Postgres COPYing the same rows
// from files it reads itself, through the same pipeline (truncate, drop indexes, COPY, rebuild).
// The difference is the price of generating and streaming the rows.
import { chmodSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseUrlFromEnv } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { parseCliArgs, parseCount } from '@supergraph-lab/config';
import {
  copyChunks,
  createShopGenerator,
  ITEMS,
  loadShopData,
  parseSeedArgs,
  PHOTOS,
  REVIEWS,
  rowsOf,
  type CopyTable,
  type LoadReport,
  type TableName,
} from '@supergraph-lab/seed';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function writeCopyFiles(dir: string, items: number, seed: number): Promise<void> {
  const generator = createShopGenerator({ items, seed });
  for (const table of [ITEMS, REVIEWS, PHOTOS] as CopyTable<unknown>[]) {
    const file = path.join(dir, `${table.table}.bin`);
    const out = createWriteStream(file);
    for (const chunk of copyChunks(rowsOf(generator, table.table), table)) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    chmodSync(file, 0o644); // the server process reads it
  }
}

const copySeconds = (report: LoadReport) => report.tables.reduce((sum, table) => sum + table.copySeconds, 0);

try {
  const values = parseCliArgs(
    process.argv.slice(2),
    {
      items: { type: 'string', default: '200000' },
      seed: { type: 'string', default: '42' },
      rounds: { type: 'string', default: '3' },
    },
    'usage: npm run bench:seed -- [--items N] [--seed S] [--rounds R]',
  );
  const { items, seed } = parseSeedArgs(['--items', values.items, '--seed', values.seed]);
  const rounds = parseCount(values.rounds, '--rounds');
  const database = await createTestDatabase('bench_seed', { serverUrl: databaseUrlFromEnv() });
  const url = database.url;
  const dir = mkdtempSync(path.join(tmpdir(), 'sgl-bench-seed-'));
  chmodSync(dir, 0o755);
  try {
    console.log(
      `bench:seed: ${items} items (seed ${seed}), ${rounds} alternating rounds each, scratch database ${database.name}`,
    );
    await writeCopyFiles(dir, items, seed);
    const fileSource = { kind: 'server-file' as const, path: (table: TableName) => path.join(dir, `${table}.bin`) };

    const streamed: LoadReport[] = [];
    const fromFile: LoadReport[] = [];
    for (let round = 1; round <= rounds; round++) {
      streamed.push(await loadShopData({ url, items, seed, reset: true }));
      fromFile.push(await loadShopData({ url, items, seed, reset: true, source: fileSource }));
      console.log(
        `round ${round}: generated+streamed ${streamed.at(-1)!.totalSeconds.toFixed(2)} s, ` +
          `server COPY from file ${fromFile.at(-1)!.totalSeconds.toFixed(2)} s`,
      );
    }
    const rows = streamed[0]!.tables.reduce((sum, table) => sum + table.rows, 0);
    const line = (label: string, ours: number, theirs: number) =>
      console.log(
        `${label.padEnd(34)} ${ours.toFixed(2).padStart(7)} s ${theirs.toFixed(2).padStart(7)} s ${(ours / theirs).toFixed(2).padStart(6)}x`,
      );
    console.log(`\nmedians over ${rounds} rounds, ${rows} rows      generated   file    ratio`);
    line('COPY phase (three tables)', median(streamed.map(copySeconds)), median(fromFile.map(copySeconds)));
    line(
      'whole load (COPY, indexes, ANALYZE)',
      median(streamed.map((r) => r.totalSeconds)),
      median(fromFile.map((r) => r.totalSeconds)),
    );
  } finally {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
} catch (error) {
  console.error(`bench:seed: ${(error as Error).message}`);
  process.exitCode = 1;
}
