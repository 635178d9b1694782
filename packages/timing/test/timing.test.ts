import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestTiming, timed } from '../src/index.ts';

test('overlapping operations of a part count their wall time once', async () => {
  const timing = new RequestTiming();
  await Promise.all([
    timed(timing, 'db', () => sleep(30)),
    timed(timing, 'db', () => sleep(30)),
    timed(timing, 'db', () => sleep(30)),
  ]);
  const { db } = timing.snapshot();
  assert.ok(db! >= 29 && db! < 85, `db ${db} ms: three parallel 30 ms waits are ~30 ms, not 90`);
});

test('timed() counts the awaited work, a failure included; without a timing it is a plain await', async () => {
  const timing = new RequestTiming();
  await timed(timing, 'cache', async () => {
    await sleep(5);
  });
  assert.ok(timing.snapshot().cache! >= 4);
  await assert.rejects(
    timed(timing, 'db', async () => {
      await sleep(5);
      throw new Error('down');
    }),
    /down/,
  );
  assert.ok(timing.snapshot().db! >= 4, 'a failed call still took its time');
  assert.equal(await timed(undefined, 'db', async () => 42), 42);
});

test('the header lists every part, then total', () => {
  const timing = new RequestTiming();
  timing.add('render', 1.234, 'React "shell"');
  timing.begin('db')();
  assert.match(timing.header(), /^render;dur=1\.23;desc="React shell", db;dur=\d+\.\d\d, total;dur=\d+\.\d\d$/);
  assert.throws(() => timing.add('no spaces', 1), /must be a token, got "no spaces"/);
});
