// The switches that choose a balancer, a cache store or a database: a bad value exits 2 naming what it takes,
// before anything starts (no database is made, no service spawned).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { parseBalancers } from '@supergraph-lab/stack/balancer';
import { parseCacheStores, parseDatabases } from '@supergraph-lab/stack/stores';

const ROOT = path.resolve(import.meta.dirname, '../..');

const run = (script: string, ...args: string[]) =>
  spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

test('the balancer, cache-store and database lists: names, counts and repeats', () => {
  assert.deepEqual(parseBalancers('haproxy', 1), ['haproxy']);
  assert.deepEqual(parseBalancers('nginx, haproxy', 2), ['nginx', 'haproxy']);
  assert.deepEqual(parseBalancers('nginx', 'one or both'), ['nginx']);
  assert.throws(
    () => parseBalancers('nginx,haproxy', 1),
    /--balancer takes one of nginx, haproxy, got "nginx,haproxy"/,
  );
  assert.throws(() => parseBalancers('nginx', 2), /--balancer takes two of nginx, haproxy/);
  assert.throws(() => parseBalancers('nginx,nginx', 2), /takes two of/);
  assert.throws(() => parseBalancers('traefik', 'one or both'), /takes nginx, haproxy or both, got "traefik"/);
  assert.deepEqual(parseCacheStores('memcached,redis'), ['memcached', 'redis']);
  assert.throws(() => parseCacheStores('memory'), /--cache-store takes redis, memcached or both, got "memory"/);
  assert.throws(() => parseCacheStores('redis,redis'), /takes redis, memcached or both/);
  assert.deepEqual(parseDatabases('mariadb, postgres'), ['mariadb', 'postgres']);
  assert.throws(() => parseDatabases('oracle'), /--db takes postgres, mariadb or both, got "oracle"/);
  assert.throws(() => parseDatabases('postgres,postgres'), /--db takes postgres, mariadb or both/);
});

test('each command refuses a bad switch with exit 2 and says what it takes', () => {
  for (const [script, args, said] of [
    ['start:scaled', ['--balancer', 'traefik'], /--balancer takes one of nginx, haproxy, got "traefik"; usage:/],
    ['start', ['--balancer', 'haproxy'], /--balancer goes with start:scaled/],
    ['bench', ['--balancer', 'nginx,traefik'], /--balancer takes nginx, haproxy or both, got "nginx,traefik"/],
    ['bench', ['--cache-store', 'memory'], /--cache-store takes redis, memcached or both, got "memory"/],
    ['bench:cache', ['--cache-store', 'valkey'], /--cache-store takes redis, memcached or both, got "valkey"/],
    ['bench:scaled', ['--balancer', 'haproxy'], /--balancer takes two of nginx, haproxy, got "haproxy"/],
    ['bench', ['--db', 'postgres,oracle'], /--db takes postgres, mariadb or both, got "postgres,oracle"/],
    [
      'bench:db',
      ['--compare', 'oracle://x'],
      /--compare takes a postgresql:\/\/ or mysql:\/\/ URL, got "oracle:\/\/x"/,
    ],
  ] as const) {
    const result = run(script, ...args);
    assert.equal(result.status, 2, `${script} ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, said, `${script} ${args.join(' ')}`);
  }
});
