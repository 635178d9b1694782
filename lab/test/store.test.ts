import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { RunSummary } from '../src/protocol.ts';
import type { LabReport } from '../src/report.ts';
import { fileRunStore } from '../src/store.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sgl-lab-store-'));
  dirs.push(dir);
  return dir;
};

const started = (who: string): Omit<RunSummary, 'id'> => ({
  status: 'running',
  who,
  settings: {
    kind: 'load',
    targets: ['graphql'],
    rates: [5],
    durationSeconds: 1,
    warmupSeconds: 0,
    cacheMode: 'off',
    batching: true,
    who,
  },
  startedAt: new Date().toISOString(),
  finishedAt: null,
  error: null,
  label: null,
});
const report = { title: 'a report', steps: [] } as unknown as LabReport;

test('runs are listed newest first, without reports, and a report is read by id', async () => {
  const store = fileRunStore(scratch());
  const first = await store.create(started('ada'));
  const second = await store.create(started('bob'));
  assert.deepEqual([first, second], [1, 2]);
  await store.finish({ ...started('ada'), id: first, status: 'done', finishedAt: new Date().toISOString() }, report);
  const listed = await store.list(50);
  assert.deepEqual(
    listed.map((run) => [run.id, run.status]),
    [
      [2, 'running'],
      [1, 'done'],
    ],
  );
  assert.ok(listed.every((run) => !('report' in run)));
  assert.deepEqual(await store.report(first), report);
  assert.equal(await store.report(second), null, 'a running run has no report yet');
  assert.deepEqual(
    (await store.list(1)).map((run) => run.id),
    [2],
  );
});

test('labels and deletes answer null or false for a run that does not exist', async () => {
  const store = fileRunStore(scratch());
  const id = await store.create(started('ada'));
  assert.equal((await store.label(id, 'baseline'))?.label, 'baseline');
  assert.equal((await store.label(id, null))?.label, null);
  assert.equal(await store.label(99, 'x'), null);
  assert.equal(await store.remove(99), false);
  assert.equal(await store.remove(id), true);
  assert.equal(await store.remove(id), false);
  assert.equal(await store.report(id), null);
});

test('the runs survive a new store on the same directory, and an id is never given twice', async () => {
  const dir = scratch();
  const before = fileRunStore(dir);
  await before.create(started('ada'));
  const newest = await before.create(started('bob'));
  await before.finish({ ...started('bob'), id: newest, status: 'done' }, report);
  await before.remove(newest);
  // a restart: a store made afresh on the same files
  const again = fileRunStore(dir);
  assert.deepEqual(
    (await again.list(50)).map((run) => run.who),
    ['ada'],
  );
  assert.equal(await again.create(started('cy')), 3, 'the deleted run 2 is not given again');
  // whole files only: nothing half-written is left behind
  assert.deepEqual(
    readdirSync(path.join(dir, 'runs')).filter((name) => name.endsWith('.tmp')),
    [],
  );
});

test('a store that is never used writes nothing', async () => {
  const dir = path.join(scratch(), 'lab');
  fileRunStore(dir);
  assert.throws(() => readdirSync(dir), /ENOENT/);
});
