// Which answers a service logs as "request failed": every 5xx, but not the 503 a draining
// instance gives its balancer's readiness checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHttpServer } from '../src/server.ts';
import { unavailable } from '../src/errors.ts';

test("a draining instance's readiness 503s are not logged as failures; other 5xx still are", async () => {
  const lines: { msg?: string; url?: string }[] = [];
  const app = createHttpServer({
    name: 'probe',
    logLevel: 'warn',
    bodyLimitBytes: 1024,
    requestTimeoutMs: 5000,
    logStream: { write: (line) => lines.push(JSON.parse(line) as { msg?: string; url?: string }) },
  });
  app.get('/down', async () => {
    throw unavailable('the database is unavailable');
  });
  try {
    assert.equal((await app.inject({ url: '/down' })).statusCode, 503);
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
    app.beginDrain();
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 503);
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 503);
    assert.equal((await app.inject({ url: '/down' })).statusCode, 503);
    const failed = lines.filter((line) => line.msg === 'request failed').map((line) => line.url);
    assert.deepEqual(failed, ['/down', '/down']);
  } finally {
    await app.close();
  }
});
