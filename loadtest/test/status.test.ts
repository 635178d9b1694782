import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fastest, stepStatus, VERDICT_RULE, type StepResult } from '../src/index.ts';
import { errorReasonsOf, notes, plottedLatency, whyLine } from '../src/report/format.ts';
import { errorLines } from '../src/report/terminal.ts';

/** A measured step: 100/s offered for 10 s, all answered in 20 ms, unless `changes` say otherwise. */
function step(changes: Partial<StepResult> = {}): StepResult {
  return {
    target: 'graphql',
    variant: null,
    offeredRate: 100,
    durationSeconds: 10,
    sent: 1000,
    completed: 1000,
    ok: 1000,
    errors: 0,
    errorRate: 0,
    achievedRate: 100,
    saturated: false,
    cancelled: false,
    latency: { count: 1000, p50: 10, p90: 15, p99: 20, max: 30, mean: 11 },
    sendLagP99: 0.1,
    sendLagMax: 0.2,
    errorKinds: {},
    errorSamples: [],
    errorReasons: [],
    serverTiming: {},
    cacheHitRatio: null,
    ...changes,
  };
}

/** 82% of its requests answered 503 on time: the user's "saturated" step. */
const failing = step({
  target: 'rest',
  ok: 180,
  errors: 820,
  errorRate: 0.82,
  achievedRate: 18,
  latency: { count: 1000, p50: 1, p90: 2, p99: 3, max: 5, mean: 1 },
  errorKinds: { status: 820 },
  errorReasons: [
    {
      kind: 'status',
      status: 503,
      count: 820,
      sample: { kind: 'status', status: 503, url: 'http://x/api/items/1', message: 'HTTP 503: {"title":"down"}' },
    },
  ],
});

test('a step with errors is failing and says its rate, whatever it achieved', () => {
  assert.deepEqual(stepStatus(failing), { kind: 'failing', text: 'failing: 82.0% errors' });
  const one = step({ ok: 999, errors: 1, errorRate: 0.001 });
  assert.equal(stepStatus(one).kind, 'failing', 'any error at all');
  const slowAndFailing = step({ errors: 300, errorRate: 0.3, saturated: true });
  assert.equal(stepStatus(slowAndFailing).text, 'failing: 30.0% errors, short of the offered rate');
});

test('a step that answered short of its rate without errors is saturated; one that kept up is ok', () => {
  const slow = step({ achievedRate: 41, completed: 410, ok: 410, saturated: true });
  assert.deepEqual(stepStatus(slow), { kind: 'saturated', text: 'saturated: 41.0 of 100/s' });
  assert.deepEqual(stepStatus(step()), { kind: 'ok', text: 'ok' });
  assert.deepEqual(notes(failing), ['failing: 82.0% errors']);
});

test('the verdict is the lowest p99 among finished steps under 1% errors that kept the rate', () => {
  assert.match(VERDICT_RULE, /lowest p99 among finished steps under 1% errors that kept the offered rate/);
  const steady = step({ target: 'graphql', latency: { ...step().latency, p99: 20 } });
  const quickButSaturated = step({ target: 'ssr', saturated: true, latency: { ...step().latency, p99: 2 } });
  const quickButCancelled = step({ target: 'ssr-rest', cancelled: true, latency: { ...step().latency, p99: 1 } });
  // the failing step answers fastest of all (3 ms): errors are quick, and must not win
  assert.equal(fastest([failing, steady, quickButSaturated, quickButCancelled]), steady);
  const fewErrors = step({
    target: 'rest-gateway',
    errors: 5,
    errorRate: 0.005,
    latency: { ...step().latency, p99: 9 },
  });
  assert.equal(fastest([steady, fewErrors]), fewErrors, 'under 1% errors is within the rule');
  assert.equal(fastest([failing, quickButSaturated]), null, 'no step qualifies');
  const noAnswers = step({ latency: { count: 0, p50: null, p90: null, p99: null, max: null, mean: null } as never });
  assert.equal(fastest([noAnswers]), null, 'a step with no latency (a report through JSON) is no winner');
});

test('a failing step has no latency to plot, its errors come by reason with a sample, and its why line says what was not measured', () => {
  assert.equal(plottedLatency(failing, failing.latency.p99), null);
  assert.equal(plottedLatency(step(), 20), 20);
  assert.deepEqual(errorLines(failing), ['    HTTP 503 x820 http://x/api/items/1: HTTP 503: {"title":"down"}']);
  // a report stored before reasons existed: one per kind, with its first sample
  const stored = { ...failing, errorReasons: undefined, errorSamples: [failing.errorReasons![0]!.sample] };
  assert.deepEqual(errorReasonsOf(stored), [{ kind: 'status', count: 820, sample: failing.errorReasons![0]!.sample }]);
  assert.equal(whyLine(step()), 'cache hits — · SQL —/req · subgraph fetches —/req · CPU —/req');
  const measured = step({
    cacheHitRatio: 0.25,
    mechanism: {
      statementsPerRequest: 3,
      fetchesPerRequest: 2.5,
      cpuMsPerRequest: 4.2,
      cpuMsByService: { gateway: 1.5, items: 2.7 },
    },
  });
  assert.equal(
    whyLine(measured),
    'cache hits 25.0% · SQL 3.00/req · subgraph fetches 2.50/req · CPU 4.20 ms/req (gateway 1.50, items 2.70)',
  );
});
