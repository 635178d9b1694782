import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { nginxConfig } from '../start/nginx.ts';
import { formatLogLine } from '../start/output.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

test("start:scaled's nginx config: every default port replaced by this run's, nothing else changed", () => {
  const template = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const config = nginxConfig(template, { nginx: 18080, gateways: [14000, 14010], ssrs: [13000, 13010] });
  assert.match(config, /listen 18080;/);
  for (const port of [14000, 14010, 13000, 13010]) assert.ok(config.includes(`127.0.0.1:${port}`), String(port));
  assert.doesNotMatch(config, /127\.0\.0\.1:(4000|4010|3000|3010)\b|listen 8080;/);
  const unchanged = nginxConfig(template, { nginx: 8080, gateways: [4000, 4010], ssrs: [3000, 3010] });
  assert.equal(unchanged, template);
});

test("a service's pino line is shortened to level and message; anything else passes as it is", () => {
  assert.equal(formatLogLine('{"level":30,"msg":"listening"}'), 'info  listening');
  assert.equal(formatLogLine('{"level":50,"msg":"failed","err":{"message":"boom"}}'), 'error failed: boom');
  assert.equal(formatLogLine('plain text'), 'plain text');
  assert.equal(formatLogLine('{not json'), '{not json');
});
