import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';

/** The request header by which a test asks a subgraph to die between a write's commit and its invalidation. */
export const CRASH_BEFORE_INVALIDATION_HEADER = 'x-test-crash-before-invalidation';

// whether the request being served asked for the crash; unset (no crash) unless the hook is armed
const crashAsked = new AsyncLocalStorage<boolean>();

/**
 * TEST_CRASH_AFTER_COMMIT's kill point in a subgraph (Config.testCrashAfterCommit; refused with
 * NODE_ENV=production): a request with `x-test-crash-before-invalidation: 1` kills the process
 * (SIGKILL) once its write has committed, before the write's version tokens are replaced.
 */
export function armCrashBeforeInvalidation(app: FastifyInstance): void {
  app.log.warn('TEST_CRASH_AFTER_COMMIT is on: requests may kill this process');
  // run(…, done): the rest of the request, its handler included, sees the store
  app.addHook('onRequest', (request, _reply, done) =>
    crashAsked.run(request.headers[CRASH_BEFORE_INVALIDATION_HEADER] === '1', done),
  );
}

/** The kill point itself: dies here when the current request asked for it. */
export function crashIfAsked(): void {
  if (crashAsked.getStore()) process.kill(process.pid, 'SIGKILL');
}
