// RequestTiming on a fake clock the tests move by hand: every duration is exact, whatever else
// the machine is doing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestTiming, timed } from '../src/index.ts';

/** A clock that stands still until `advance(ms)` moves it. */
function fakeClock(start = 1000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

test('overlapping operations of a part count their wall time once', () => {
  const clock = fakeClock();
  const timing = new RequestTiming(clock.now);
  const ends = [timing.begin('db'), timing.begin('db'), timing.begin('db')];
  clock.advance(30);
  for (const end of ends) end();
  assert.deepEqual(timing.snapshot(), { db: 30 }, 'three parallel 30 ms waits are 30 ms, not 90');
});

test('a part counts the union of its operations: staggered ones from the first start to the last end, gaps left out', () => {
  const clock = fakeClock();
  const timing = new RequestTiming(clock.now);
  const first = timing.begin('db');
  clock.advance(10);
  const second = timing.begin('db');
  clock.advance(20);
  first();
  clock.advance(10);
  second(); // 40 ms in flight so far
  clock.advance(100); // nothing of db in flight
  const third = timing.begin('db');
  clock.advance(5);
  third();
  third(); // ending twice counts once
  assert.deepEqual(timing.snapshot(), { db: 45 });
});

test('an operation still running counts up to now', () => {
  const clock = fakeClock();
  const timing = new RequestTiming(clock.now);
  timing.begin('subgraph');
  clock.advance(7);
  assert.deepEqual(timing.snapshot(), { subgraph: 7 });
  clock.advance(3);
  assert.deepEqual(timing.snapshot(), { subgraph: 10 });
});

test('timed() counts the awaited work, a failure included; without a timing it is a plain await', async () => {
  const clock = fakeClock();
  const timing = new RequestTiming(clock.now);
  await timed(timing, 'cache', async () => {
    clock.advance(5);
  });
  assert.equal(timing.snapshot().cache, 5);
  await assert.rejects(
    timed(timing, 'db', async () => {
      clock.advance(4);
      throw new Error('down');
    }),
    /down/,
  );
  assert.equal(timing.snapshot().db, 4, 'a failed call still took its time');
  assert.equal(await timed(undefined, 'db', async () => 42), 42);
});

test('the header lists every part, then total', () => {
  const clock = fakeClock();
  const timing = new RequestTiming(clock.now);
  timing.add('render', 1.234, 'React "shell"');
  const end = timing.begin('db');
  clock.advance(2.5);
  end();
  clock.advance(0.5);
  assert.equal(timing.header(), 'render;dur=1.23;desc="React shell", db;dur=2.50, total;dur=3.00');
  assert.throws(() => timing.add('no spaces', 1), /must be a token, got "no spaces"/);
});

test('by default it reads the real clock', () => {
  const timing = new RequestTiming();
  timing.begin('db')();
  // no duration asserted: only that real readings make a well-formed header
  assert.match(timing.header(), /^db;dur=\d+\.\d\d, total;dur=\d+\.\d\d$/);
});
