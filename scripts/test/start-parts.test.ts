import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { balancerConfig, BALANCERS, type Balancer } from '@supergraph-lab/stack/balancer';
import { formatLogLine } from '../start/output.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

for (const balancer of Object.keys(BALANCERS) as Balancer[]) {
  test(`start:scaled's ${balancer} config: every default port replaced by this run's, nothing else changed`, () => {
    const template = readFileSync(path.join(ROOT, 'deploy', BALANCERS[balancer].file), 'utf8');
    const config = balancerConfig(balancer, template, {
      balancer: 18080,
      gateways: [14000, 14010],
      ssrs: [13000, 13010],
    });
    assert.ok(config.includes(BALANCERS[balancer].listen(18080)), 'the shop listens on the port of this run');
    assert.ok(config.includes(BALANCERS[balancer].listen(18081)), 'operations on the next one, unless told');
    assert.ok(
      balancerConfig(balancer, template, {
        balancer: 18080,
        operations: 19000,
        gateways: [1, 2],
        ssrs: [3, 4],
      }).includes(BALANCERS[balancer].listen(19000)),
    );
    for (const port of [14000, 14010, 13000, 13010]) assert.ok(config.includes(`127.0.0.1:${port}`), String(port));
    const directives = config
      .split('\n')
      .filter((line) => !line.trim().startsWith('#'))
      .join('\n');
    assert.doesNotMatch(directives, /127\.0\.0\.1:(4000|4010|3000|3010)\b|\b808[01]\b/);
    const unchanged = balancerConfig(balancer, template, {
      balancer: 8080,
      operations: 8081,
      gateways: [4000, 4010],
      ssrs: [3000, 3010],
    });
    assert.equal(unchanged, template);
    // free ports that begin like the defaults (30009, 40001...) are written whole, once
    const lookalikes = balancerConfig(balancer, template, {
      balancer: 30009,
      operations: 40109,
      gateways: [40001, 30001],
      ssrs: [31001, 40101],
      lab: 30101,
    });
    for (const port of [30009, 40109, 40001, 30001, 31001, 40101])
      assert.ok(lookalikes.includes(`127.0.0.1:${port}`), `${port} in ${balancer}'s file`);
    for (const [, port] of lookalikes.matchAll(/127\.0\.0\.1:(\d+)/g)) assert.ok(Number(port) < 65536, port);
  });
}

test("a service's pino line is shortened to level and message; anything else passes as it is", () => {
  assert.equal(formatLogLine('{"level":30,"msg":"listening"}'), 'info  listening');
  assert.equal(formatLogLine('{"level":50,"msg":"failed","err":{"message":"boom"}}'), 'error failed: boom');
  assert.equal(
    formatLogLine(
      '{"level":40,"msg":"request failed","status":503,"method":"POST","url":"/api/reviews","reason":"the database is unavailable"}',
    ),
    'warn  request failed 503 POST /api/reviews: the database is unavailable',
  );
  assert.equal(formatLogLine('plain text'), 'plain text');
  assert.equal(formatLogLine('{not json'), '{not json');
});
