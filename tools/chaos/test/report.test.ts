import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportMarkdown, reportTable } from '../src/report.ts';
import type { ChaosReport } from '../src/run.ts';

/** A run with no fault: only its first line, the settings, matters here. */
function report(warmup: ChaosReport['warmup']): ChaosReport {
  return {
    date: '2026-12-07T04:00:00.000Z',
    options: {
      faults: [],
      balancer: 'nginx',
      rate: 100,
      durationSeconds: 30,
      extraSeconds: 60,
      warmupSeconds: 5,
      warmupLimitSeconds: 60,
      quietSeconds: 5,
      streak: 10,
      retrySeconds: 30,
      timeoutMs: 10_000,
      redisDownSeconds: 10,
      postgresCutSeconds: 5,
    },
    items: 400,
    warmup,
    logFile: '/tmp/chaos.log',
    results: [],
  };
}

test('the first line says how long the warm-up took, and shouts when the stack never got steady', () => {
  const steady = reportTable(report({ seconds: 15, steady: true })).split('\n')[0]!;
  assert.match(steady, /warm-up 15 s \(its last 5 s failed nothing\)/);
  assert.doesNotMatch(steady, /NOT STEADY/);
  for (const text of [reportTable, reportMarkdown].map((format) => format(report({ seconds: 60, steady: false })))) {
    assert.match(text.split('\n')[0]!, /NOT STEADY: requests still failed after 60 s of warm-up/);
  }
});
