import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readConfig } from '../src/index.ts';

test('the crash-after-commit test hook is off by default and refused in production', () => {
  assert.equal(readConfig({}).testCrashAfterCommit, false);
  assert.equal(readConfig({ NODE_ENV: 'test', TEST_CRASH_AFTER_COMMIT: 'on' }).testCrashAfterCommit, true);
  assert.throws(() => readConfig({ TEST_CRASH_AFTER_COMMIT: 'on' }), ConfigError, 'NODE_ENV defaults to production');
  assert.throws(
    () => readConfig({ NODE_ENV: 'production', TEST_CRASH_AFTER_COMMIT: 'on' }),
    /refused with NODE_ENV=production/,
  );
});

test('idle database connections are kept 300 s unless told; 0 keeps them, a negative is refused', () => {
  assert.equal(readConfig({}).dbPoolIdleSeconds, 300);
  assert.equal(readConfig({ DB_POOL_IDLE_SECONDS: '0' }).dbPoolIdleSeconds, 0);
  assert.throws(() => readConfig({ DB_POOL_IDLE_SECONDS: '-1' }), /DB_POOL_IDLE_SECONDS must be >= 0/);
  assert.throws(() => readConfig({ DB_POOL_SIZE: '0' }), /DB_POOL_SIZE must be >= 1/);
});
