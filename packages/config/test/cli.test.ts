// The command-line helpers every bench and tool shares: one-line errors naming the option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChoices, parseCliArgs, stringOptions, UsageError } from '../src/index.ts';

test('stringOptions: defaults where given, absent where not; unknown options are refused in one line', () => {
  const options = stringOptions({ items: '5000', only: undefined });
  assert.deepEqual({ ...parseCliArgs([], options, 'usage: x') }, { items: '5000' });
  assert.deepEqual(
    { ...parseCliArgs(['--items', '7', '--only', 'a,b'], options, 'usage: x') },
    { items: '7', only: 'a,b' },
  );
  assert.throws(() => parseCliArgs(['--itmes', '7'], options, 'usage: x'), {
    name: 'UsageError',
    message: 'unknown argument "--itmes"; usage: x',
  });
});

test('parseChoices: a comma list of allowed names, or a UsageError naming the first stranger', () => {
  assert.deepEqual(parseChoices('off, all', ['off', 'entity', 'all'], '--cache'), ['off', 'all']);
  assert.throws(
    () => parseChoices('off,sometimes', ['off', 'all'], '--cache', 'usage: y'),
    (error: unknown) =>
      error instanceof UsageError && error.message === '--cache takes off, all, got "sometimes"; usage: y',
  );
});
