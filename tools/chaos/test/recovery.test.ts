// The time to recover, from a fault to every target's run of successes that lasts, and the
// counts of a fault's window.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recoveryMs, windowCounts, type RequestEvent } from '../src/recovery.ts';

/** Events of `target` every 100 ms from `from`, `pattern` saying which succeed (`.` ok, `x` failed). */
const events = (target: string, from: number, pattern: string): RequestEvent[] =>
  [...pattern].map((mark, i) => ({
    target,
    sentAt: from + i * 100,
    ok: mark === '.',
    ...(mark === 'x' ? { failure: '503 Retry-After' } : {}),
  }));

describe('recovery time', () => {
  test('no failure after the fault: recovered at once', () => {
    assert.equal(recoveryMs(events('a', 0, '..........'), 0, ['a'], 3), 0);
  });

  test('the first request of the run of successes after the last failure, from the fault', () => {
    // fault at 200; failures at 300 and 400; the run starts at 500
    assert.equal(recoveryMs(events('a', 0, '...xx.....'), 200, ['a'], 3), 300);
  });

  test('a good run followed by another failure does not count: the last run does', () => {
    assert.equal(recoveryMs(events('a', 0, 'x....x....'), 0, ['a'], 3), 600);
  });

  test('the slowest target decides', () => {
    const log = [...events('a', 0, 'x.....'), ...events('b', 0, 'xxx...')];
    assert.equal(recoveryMs(log, 0, ['a', 'b'], 3), 300);
  });

  test('fewer than the streak of successes after the last failure: not recovered (null)', () => {
    assert.equal(recoveryMs(events('a', 0, '....x..'), 0, ['a'], 3), null);
  });

  test('failures before the fault are not its', () => {
    assert.equal(recoveryMs(events('a', 0, 'xx.....'), 200, ['a'], 3), 0);
  });

  test('window counts: requests sent in [from, to), failures by reason and by target', () => {
    const log = [...events('a', 0, '.x.x'), ...events('b', 0, 'x...')];
    const counts = windowCounts(log, 0, 300);
    assert.deepEqual(counts, {
      requests: 6,
      failed: 2,
      reasons: [['503 Retry-After', 2]],
      byTarget: [
        ['a: 503 Retry-After', 1],
        ['b: 503 Retry-After', 1],
      ],
    });
  });
});
