import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentTiming, RequestTiming, runWithTiming, timed } from '../src/index.ts';

test('overlapping operations of a part count their wall time once', async () => {
  const timing = new RequestTiming();
  await runWithTiming(timing, () => Promise.all([timed('db', () => sleep(30)), timed('db', () => sleep(30)), timed('db', () => sleep(30))]));
  const { db } = timing.snapshot();
  assert.ok(db! >= 29 && db! < 85, `db ${db} ms: three parallel 30 ms waits are ~30 ms, not 90`);
});

test('the context follows awaits and nested work; outside a request timed() is a plain await', async () => {
  const timing = new RequestTiming();
  await runWithTiming(timing, async () => {
    await sleep(1);
    await timed('cache', async () => {
      await sleep(5);
      assert.equal(currentTiming(), timing);
    });
  });
  assert.ok(timing.snapshot().cache! >= 4);
  assert.equal(await timed('db', async () => 42), 42);
  assert.equal(currentTiming(), undefined);
});

test('the header lists every part, then total', () => {
  const timing = new RequestTiming();
  timing.add('render', 1.234, 'React "shell"');
  timing.begin('db')();
  assert.match(timing.header(), /^render;dur=1\.23;desc="React shell", db;dur=\d+\.\d\d, total;dur=\d+\.\d\d$/);
  assert.throws(() => timing.add('no spaces', 1), /must be a token, got "no spaces"/);
});
