import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyError, toProblem } from '../src/errors.ts';

/** What Prisma and node-postgres throw, by shape: the classifier reads codes, not classes. */
const prismaError = (code: string) => Object.assign(new Error(`prisma ${code}`), { code });

test('a saturated database is a 503 with Retry-After, not a 500', () => {
  // Prisma: "Unable to start a transaction in the given time" (every connection busy)
  const busy = classifyError(prismaError('P2028'));
  assert.equal(busy?.code, 'SERVICE_UNAVAILABLE');
  assert.equal(busy?.details.retryAfterSeconds, 1);
  assert.equal(toProblem(prismaError('P2028')).status, 503);
  // Postgres query_canceled: statement_timeout, the request deadline on every connection
  const cancelled = classifyError(prismaError('57014'));
  assert.equal(cancelled?.code, 'SERVICE_UNAVAILABLE');
  assert.match(cancelled!.message, /deadline/);
});

test('known conditions keep their codes, and a bug stays unclassified', () => {
  assert.equal(classifyError(prismaError('P2002'))?.code, 'CONFLICT');
  assert.equal(classifyError(prismaError('P2025'))?.code, 'NOT_FOUND');
  assert.equal(classifyError(prismaError('ECONNREFUSED'))?.code, 'SERVICE_UNAVAILABLE');
  assert.equal(classifyError(new TypeError('x is undefined')), null);
  assert.equal(toProblem(new TypeError('x is undefined')).status, 500);
});
