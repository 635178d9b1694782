import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '@supergraph-lab/config';
import { evaluateThresholds, parseThreshold, parseThresholds } from '../src/thresholds.ts';
import { measuredStep as step } from './steps.ts';

const judge = (text: string, measured = step()) => evaluateThresholds(measured, [parseThreshold(text)])[0]!;

test('thresholds parse as k6 writes them: metric, operator, number and unit', () => {
  assert.deepEqual(parseThreshold('p99<100'), { text: 'p99<100', metric: 'p99', op: '<', value: 100, unit: 'ms' });
  assert.deepEqual(parseThreshold(' p(90) <= 250ms '), {
    text: 'p(90) <= 250ms',
    metric: 'p90',
    op: '<=',
    value: 250,
    unit: 'ms',
  });
  assert.deepEqual(parseThreshold('errors<1%'), { text: 'errors<1%', metric: 'errors', op: '<', value: 1, unit: '%' });
  assert.equal(parseThreshold('rate>=95%').unit, '%');
  assert.equal(parseThreshold('rate>=45').unit, '/s');
  assert.equal(parseThreshold('rate>=45/s').unit, '/s');
  assert.deepEqual(parseThreshold('statements<=10.5'), {
    text: 'statements<=10.5',
    metric: 'statements',
    op: '<=',
    value: 10.5,
    unit: '',
  });
  assert.equal(parseThreshold('MAX>.5').metric, 'max');
  assert.deepEqual(
    parseThresholds(['p50<20,fetches<4', 'cpu>=0.5ms']).map((threshold) => threshold.text),
    ['p50<20', 'fetches<4', 'cpu>=0.5ms'],
  );
});

test('a bad threshold is a UsageError naming the bad text and what would do', () => {
  const refused = (text: string, message: RegExp) =>
    assert.throws(
      () => parseThreshold(text),
      (error: Error) => error instanceof UsageError && message.test(error.message),
      text,
    );
  refused('p99<<100', /^threshold "p99<<100" is not <metric><operator><number>: the operators are <, <=, >, >=/);
  refused('p99=100', /threshold "p99=100" is not <metric><operator><number>/);
  refused('p99<', /threshold "p99<" is not/);
  refused('p99<-5', /threshold "p99<-5" is not/);
  refused('', /threshold "" is not/);
  refused(
    'p95<100',
    /threshold "p95<100": unknown metric "p95"; choose from p50, p90, p99, max, errors, rate, statements/,
  );
  refused('errors<1', /threshold "errors<1": errors takes "%", got a bare number/);
  refused('p99<5%', /threshold "p99<5%": p99 takes "ms" or a bare number, got "%"/);
  refused('statements<3ms', /statements takes a bare number, got "ms"/);
  refused('errors<101%', /errors is a share of requests, at most 100%/);
  assert.throws(() => parseThresholds(['p99<100,nope']), /threshold "nope" is not/);
});

test('each metric is read from the step in its unit', () => {
  assert.deepEqual(judge('p50<20'), { threshold: 'p50<20', actual: 10, unit: 'ms', passed: true });
  assert.equal(judge('p90<40').passed, false, '40 is not below 40');
  assert.equal(judge('p90<=40').passed, true);
  assert.deepEqual(judge('p99>80'), { threshold: 'p99>80', actual: 80, unit: 'ms', passed: false });
  assert.equal(judge('p99>=80').passed, true);
  assert.equal(judge('max<100').actual, 120);
  assert.deepEqual(judge('errors<1%'), { threshold: 'errors<1%', actual: 2, unit: '%', passed: false });
  assert.equal(judge('errors<=2%').passed, true);
  assert.deepEqual(judge('rate>=95%'), { threshold: 'rate>=95%', actual: 80, unit: '%', passed: false });
  assert.deepEqual(judge('rate>=40'), { threshold: 'rate>=40', actual: 40, unit: '/s', passed: true });
  assert.equal(judge('statements<=3').passed, true);
  assert.equal(judge('fetches<3').passed, false);
  assert.deepEqual(judge('cpu<5ms'), { threshold: 'cpu<5ms', actual: 4.5, unit: 'ms', passed: true });
});

test('a figure the step does not have fails its threshold instead of passing unseen', () => {
  const unread = step({ mechanism: null });
  for (const text of ['statements<1000', 'fetches>=0', 'cpu<1000']) {
    assert.deepEqual(judge(text, unread), {
      threshold: text,
      actual: null,
      unit: text.startsWith('cpu') ? 'ms' : '',
      passed: false,
    });
  }
  const noAnswers = step({ latency: { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN } });
  assert.deepEqual(judge('p99<100', noAnswers), { threshold: 'p99<100', actual: null, unit: 'ms', passed: false });
  // one figure unknown: the others still judged
  const partly = step({
    mechanism: { statementsPerRequest: 3, fetchesPerRequest: null, cpuMsPerRequest: null, cpuMsByService: {} },
  });
  assert.deepEqual(
    evaluateThresholds(partly, parseThresholds(['statements<4,fetches<4'])).map((result) => result.passed),
    [true, false],
  );
});
