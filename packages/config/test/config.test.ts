import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readConfig, readToolConfig } from '../src/index.ts';

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

test('where the gateway and the SSR service are: the URL when given, else the port here', () => {
  assert.equal(readConfig({}).gatewayUrl, 'http://127.0.0.1:4000');
  assert.equal(readConfig({ GATEWAY_PORT: '4100', SSR_PORT: '3100' }).ssrUrl, 'http://127.0.0.1:3100');
  assert.equal(readConfig({ GATEWAY_URL: 'http://lb:8080/' }).gatewayUrl, 'http://lb:8080');
  assert.throws(
    () => readConfig({ GATEWAY_URL: 'lb:8080' }),
    /GATEWAY_URL must be a URL like http:\/\/127\.0\.0\.1:4000/,
  );
});

test("the tools' settings: defaults, and each bad value named", () => {
  const defaults = readToolConfig({});
  assert.deepEqual(defaults, {
    seedItems: 2000,
    embeddedPgPort: 54329,
    embeddedDataDir: undefined,
    nginxPort: 8080,
    nginxBin: '/usr/sbin/nginx',
    chromiumPath: '/usr/bin/chromium',
    shutdownDrainMs: undefined,
  });
  assert.equal(readToolConfig({ SEED_ITEMS: '50000', SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs, 0);
  assert.throws(
    () => readToolConfig({ SEED_ITEMS: 'many', NGINX_PORT: '70000' }),
    (error: Error) =>
      error instanceof ConfigError &&
      /SEED_ITEMS must be a number|SEED_ITEMS Expected number/.test(error.message) &&
      /NGINX_PORT must be between 0 and 65535, got "70000"/.test(error.message),
  );
});
