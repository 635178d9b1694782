// Where the lab keeps its runs: files under a data directory of its own (.data/lab unless
// LAB_DATA_DIR says otherwise), not the shop's database. The lab measures that database: its
// own writes would show up in what it measures, its table in the shop's migrations, and a
// stack on MariaDB or with no database at all would need a store of another kind.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunSummary } from './protocol.ts';
import type { LabReport } from './report.ts';

/** The lab's runs, wherever they are kept. */
export interface RunStore {
  /** Records a run as it starts (status `running`); its id, never one given before. */
  create(run: Omit<RunSummary, 'id'>): Promise<number>;
  /** Records how a run ended, with its report (null when it measured nothing). */
  finish(run: RunSummary, report: LabReport | null): Promise<void>;
  /** The newest `limit` runs first, without their reports. */
  list(limit: number): Promise<RunSummary[]>;
  /** Names a run (null removes the name); the run as listed, or null when there is no such run. */
  label(id: number, label: string | null): Promise<RunSummary | null>;
  /** Deletes a run and its report; false when there is no such run. */
  remove(id: number): Promise<boolean>;
  /** A run's report, or null when there is no such run or it has none. */
  report(id: number): Promise<LabReport | null>;
}

const SUMMARY = /^(\d+)\.json$/;

/**
 * Runs as files under `dir`: `runs/<id>.json` (what the history lists) and
 * `runs/<id>.report.json`, each written whole to a temporary file and renamed into place, so a
 * crash leaves the old file or the new one; `last-id` keeps ids from being given twice after a
 * delete. One lab process per directory: its calls are queued, one at a time.
 */
export function fileRunStore(dir: string): RunStore {
  const runs = path.join(dir, 'runs');
  const summaryFile = (id: number) => path.join(runs, `${id}.json`);
  const reportFile = (id: number) => path.join(runs, `${id}.report.json`);
  const lastIdFile = path.join(dir, 'last-id');
  let ready: Promise<unknown> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  // made on first use: a lab that is never used writes nothing
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    ready ??= mkdir(runs, { recursive: true });
    const next = queue.then(() => ready).then(work);
    queue = next.catch(() => {});
    return next;
  };
  const writeWhole = async (file: string, value: unknown) => {
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, file);
  };
  const readJson = async <T>(file: string): Promise<T | null> => {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  const storedIds = async () =>
    (await readdir(runs)).flatMap((name) => {
      const match = SUMMARY.exec(name);
      return match ? [Number(match[1])] : [];
    });

  return {
    create: (run) =>
      serial(async () => {
        const last = Math.max(Number((await readJson<number>(lastIdFile)) ?? 0), ...(await storedIds()));
        const id = last + 1;
        await writeWhole(lastIdFile, id);
        await writeWhole(summaryFile(id), { ...run, id } satisfies RunSummary);
        return id;
      }),
    finish: (run, report) =>
      serial(async () => {
        // the report first: a listed run that is done has its report
        if (report) await writeWhole(reportFile(run.id), report);
        await writeWhole(summaryFile(run.id), run);
      }),
    list: (limit) =>
      serial(async () => {
        const newest = (await storedIds()).sort((a, b) => b - a);
        const listed: RunSummary[] = [];
        for (const id of newest) {
          if (listed.length >= limit) break;
          // a run deleted between the listing and the read is left out
          const run = await readJson<RunSummary>(summaryFile(id));
          if (run) listed.push(run);
        }
        return listed;
      }),
    label: (id, label) =>
      serial(async () => {
        const run = await readJson<RunSummary>(summaryFile(id));
        if (!run) return null;
        const named = { ...run, label };
        await writeWhole(summaryFile(id), named);
        return named;
      }),
    remove: (id) =>
      serial(async () => {
        const existed = (await readJson<RunSummary>(summaryFile(id))) !== null;
        await rm(summaryFile(id), { force: true });
        await rm(reportFile(id), { force: true });
        return existed;
      }),
    report: (id) =>
      serial(async () => ((await readJson<RunSummary>(summaryFile(id))) ? readJson<LabReport>(reportFile(id)) : null)),
  };
}
