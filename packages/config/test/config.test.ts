import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, databaseKindOf, readConfig, readToolConfig } from '../src/index.ts';

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

test('the lab listens on LAB_PORT (3100), a default no other process of the stack uses', () => {
  const config = readConfig({});
  const tools = readToolConfig({});
  assert.equal(config.ports.lab, 3100);
  assert.equal(config.labUrl, 'http://127.0.0.1:3100');
  assert.equal(readConfig({ LAB_PORT: '3200' }).labUrl, 'http://127.0.0.1:3200');
  assert.equal(readConfig({ LAB_URL: 'http://lab.example:9000/' }).labUrl, 'http://lab.example:9000');
  // the services, the embedded Postgres, and start:scaled's balancer (8080, 8081) and second instances (P+10)
  const defaults = [
    ...Object.values(config.ports),
    config.ports.gateway + 10,
    config.ports.ssr + 10,
    tools.embeddedPgPort,
    tools.nginxPort,
    tools.nginxPort + 1,
  ];
  assert.equal(new Set(defaults).size, defaults.length, `distinct: ${defaults.join(', ')}`);
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
    gateway: 'apollo',
    seedItems: 2000,
    embeddedPgPort: 54329,
    embeddedDataDir: undefined,
    nginxPort: 8080,
    nginxBin: '/usr/sbin/nginx',
    haproxyBin: '/usr/sbin/haproxy',
    kubectlBin: 'kubectl',
    memcachedBin: '/usr/bin/memcached',
    mariadbUrl: 'mysql://root@127.0.0.1:3306',
    chromiumPath: '/usr/bin/chromium',
    shutdownDrainMs: undefined,
    shutdownIdleMs: undefined,
  });
  assert.throws(() => readToolConfig({ MARIADB_URL: 'postgresql://x' }), /MARIADB_URL must be a URL like mysql:\/\//);
  assert.equal(readToolConfig({ SEED_ITEMS: '50000', SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs, 0);
  assert.equal(readToolConfig({ SHUTDOWN_IDLE_MS: '2500' }).shutdownIdleMs, 2500);
  assert.throws(
    () => readToolConfig({ SEED_ITEMS: 'many', NGINX_PORT: '70000' }),
    (error: Error) =>
      error instanceof ConfigError &&
      /SEED_ITEMS must be a number|SEED_ITEMS Expected number/.test(error.message) &&
      /NGINX_PORT must be between 0 and 65535, got "70000"/.test(error.message),
  );
});

test('the cache stores: CACHE_URL wins over REDIS_URL, and both are kept when they name two kinds', () => {
  assert.deepEqual(readConfig({}).cacheUrls, []);
  assert.equal(readConfig({}).cacheUrl, undefined);
  const redis = readConfig({ REDIS_URL: 'redis://r:6379' });
  assert.deepEqual([redis.cacheUrl, redis.cacheUrls], ['redis://r:6379', ['redis://r:6379']]);
  const both = readConfig({ REDIS_URL: 'redis://r:6379', CACHE_URL: 'memcached://m:11211' });
  assert.deepEqual([both.cacheUrl, both.cacheUrls], ['memcached://m:11211', ['memcached://m:11211', 'redis://r:6379']]);
  // two Redis: CACHE_URL's, the other is not a second store
  assert.deepEqual(readConfig({ REDIS_URL: 'redis://r:6379', CACHE_URL: 'redis://other:6379' }).cacheUrls, [
    'redis://other:6379',
  ]);
  assert.throws(() => readConfig({ CACHE_URL: 'memcache://m' }), /CACHE_URL must be a URL like redis:\/\//);
});

test('the database and the balancer an instance runs with, by name', () => {
  assert.equal(databaseKindOf(undefined), 'postgres');
  assert.equal(databaseKindOf('postgresql://p@h/db'), 'postgres');
  assert.equal(databaseKindOf('mysql://root@h:3306/db'), 'mariadb');
  assert.equal(readConfig({}).balancer, null);
  assert.equal(readConfig({ BALANCER: 'haproxy' }).balancer, 'haproxy');
  assert.throws(() => readConfig({ BALANCER: 'traefik' }), /BALANCER/);
});

test('a config error names a bad secret without echoing it, and prints URLs without their password', () => {
  const message = (env: NodeJS.ProcessEnv) => {
    try {
      readConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    assert.fail('the configuration was accepted');
  };
  const token = message({ ADMIN_TOKEN: 'hunter2hi' });
  assert.match(token, /ADMIN_TOKEN must be at least 16 characters \(got 9 characters\)/);
  assert.doesNotMatch(token, /hunter2/);
  const lab = message({ LAB_TOKEN: 'letmein-lab' });
  assert.match(lab, /LAB_TOKEN must be at least 16 characters \(got 11 characters\)/);
  assert.doesNotMatch(lab, /letmein/);
  assert.equal(readConfig({ LAB_TOKEN: 'a-lab-token-of-16+' }).labToken, 'a-lab-token-of-16+');
  const database = message({ DATABASE_URL: 'sqlite://shop:s3cret-pass@db/shop' });
  assert.match(database, /DATABASE_URL must be a URL like postgresql:\/\//);
  assert.match(database, /sqlite:\/\/shop:\*\*\*@db\/shop/, 'the URL is named, its password is not');
  assert.doesNotMatch(database, /s3cret-pass/);
  const cache = message({ CACHE_URL: 'memcache://user:pa55word@m:11211' });
  assert.doesNotMatch(cache, /pa55word/);
  // a value that is no URL at all may still hold one's password: it is not echoed either
  assert.doesNotMatch(message({ REDIS_URL: 'redis:/user:pa55word@host' }), /pa55word/);
  // other values are still named as they were given
  assert.match(message({ CACHE_MODE: 'most' }), /CACHE_MODE .*got "most"/);
});

test("the tools' settings print URLs without their password", () => {
  assert.throws(
    () => readToolConfig({ MARIADB_URL: 'postgresql://root:t0psecret@h:5432' }),
    (error: Error) => /MARIADB_URL/.test(error.message) && !/t0psecret/.test(error.message),
  );
});

test("photo URLs' hosts: the seed's and the SSR service's unless IMAGE_HOSTS names others", () => {
  assert.deepEqual(readConfig({}).imageHosts, ['images.supergraph-shop.example', '127.0.0.1:3000']);
  assert.deepEqual(readConfig({ SSR_URL: 'https://Shop.Example/' }).imageHosts, [
    'images.supergraph-shop.example',
    'shop.example',
  ]);
  assert.deepEqual(readConfig({ IMAGE_HOSTS: 'cdn.example, Img.Example:8443' }).imageHosts, [
    'cdn.example',
    'img.example:8443',
  ]);
  for (const bad of ['cdn.example/path', 'http://cdn.example', 'user@cdn.example', 'cdn.example,,x'])
    assert.throws(() => readConfig({ IMAGE_HOSTS: bad }), /IMAGE_HOSTS must be a comma-separated list of hosts/, bad);
});

test('GATEWAY picks the gateway on the gateway port; another name is refused with the choices', () => {
  assert.equal(readToolConfig({ GATEWAY: 'hive-rust' }).gateway, 'hive-rust');
  assert.throws(
    () => readToolConfig({ GATEWAY: 'router' }),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message === 'invalid configuration: GATEWAY must be one of apollo, hive, hive-rust, grafbase, got "router"',
  );
});
