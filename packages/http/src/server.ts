import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { PROCESS_INSTANCE_METRIC } from '@supergraph-lab/config';
import { Cancellation, RequestTiming } from '@supergraph-lab/timing';
import { AppError, classifyError, toProblem, unavailable } from './errors.ts';
import { histogramMetric } from './metrics.ts';

/** What every service's HTTP server needs to know. */
export interface HttpServerOptions {
  /** Service name, in logs and metrics. */
  name: string;
  logLevel: string;
  /** Larger bodies get 413. */
  bodyLimitBytes: number;
  /** A request that takes longer is cut off. */
  requestTimeoutMs: number;
  /** Dependencies `/readyz` checks, each bounded by `readyTimeoutMs`. */
  readiness?: Record<string, () => Promise<unknown>>;
  readyTimeoutMs?: number;
  /** Where the log's JSON lines go: standard output when not given (a test reads them). */
  logStream?: { write(line: string): void };
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

// one error for every request its client left: nobody reads it, so it need not be made anew
const CLIENT_CLOSED = unavailable('the client closed the connection before the answer', 1);

/**
 * A Fastify server with what every service shares: request ids (taken from `x-request-id` or
 * made, echoed back), problem+json for every error (RFC 9457), `/healthz`, `/readyz` and
 * Prometheus `/metrics`.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    logger: {
      level: options.logLevel,
      base: { service: options.name },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 65_000,
    // a request that reaches a closing server is served (its answer closes the connection):
    // Fastify's default 503 would be a failure a balancer cannot safely retry
    return503OnClosing: false,
    // per-request lines would drown a load test; errors and 5xx are logged below
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });

  const registry = new Registry();
  registry.setDefaultLabels({ service: options.name });
  // the event-loop delay monitor samples every 100 ms, not prom-client's default 10: its wake-ups
  // cost a few ms of CPU a second in every idle process (docs/benchmarks.md, "CPU per page")
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  // which process answered: prom-client's start time is in whole seconds, the same for instances
  // started together, so a reader comparing two scrapes (loadtest/src/mechanism.ts) needs this
  new Gauge({
    name: PROCESS_INSTANCE_METRIC,
    help: 'A random number drawn when the process started: another value, another process',
    registers: [registry],
  }).set(randomInt(2 ** 47));
  // routes are the app's own (404s count as "unmatched") and statuses few: a bounded set
  const observeDuration = histogramMetric({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  });
  app.decorate('metrics', registry);
  // JSON is the only body type the API takes; anything else is a 415, text/plain included
  app.removeContentTypeParser('text/plain');

  const cancelled = new Counter({
    name: 'requests_cancelled_total',
    help: 'Requests whose work was abandoned: the client closed the connection first, or the deadline passed (a 503)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const cancelledBy = { client_closed: cancelled.labels('client_closed'), deadline: cancelled.labels('deadline') };

  app.decorateRequest('timing', null as unknown as RequestTiming);
  app.decorateRequest('cancellation', null as unknown as Cancellation);
  // hooks take `done` rather than being async: an async hook costs each request a promise and a
  // turn of the microtask queue, on every service's every request
  app.addHook('onRequest', (request, reply, done) => {
    request.timing = new RequestTiming();
    const cancellation = (request.cancellation = new Cancellation());
    reply.header('x-request-id', request.id);
    // a deadline on the whole request: whatever it waits on, the client gets an answer, and the
    // work still to do for it is abandoned
    const deadline = setTimeout(() => {
      if (reply.sent || reply.raw.headersSent) return;
      request.log.warn({ url: request.url, ms: options.requestTimeoutMs }, 'request deadline passed');
      const error = unavailable(`the request took longer than ${options.requestTimeoutMs} ms`, 1);
      sendProblem(reply, 503, toProblem(error, request.url), 1);
      if (cancellation.abort(error)) cancelledBy.deadline.inc();
    }, options.requestTimeoutMs);
    reply.raw.once('close', () => {
      clearTimeout(deadline);
      // closed before the answer was written: the client went away (a timeout, a closed tab)
      if (!reply.raw.writableFinished && cancellation.abort(CLIENT_CLOSED)) cancelledBy.client_closed.inc();
    });
    done();
  });
  // where the time went, for browsers' devtools and the load tester (db, cache, fetches, render)
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.timing) reply.header('server-timing', request.timing.header());
    // no longer accepting: every answer closes its connection, which the balancer then makes
    // elsewhere (a new connection here is refused, and refused is safe to retry). Not before:
    // while still accepting, a closed connection is made again here, and one that waits in the
    // accept queue when the listener closes is reset after the balancer may have sent a POST on it
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  let draining = false;
  let closing = false;
  app.decorate('beginDrain', () => {
    draining = true;
  });
  app.decorate('stopAccepting', async () => {
    await closeListenerWhenQueueEmpty(app.server, 2000);
    // only now (see onSend): an answer closing its connection while the listener is open makes the
    // balancer open another here, into the queue this waited to see empty
    closing = true;
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    observeDuration(reply.elapsedTime / 1000, request.method, route, String(reply.statusCode));
    // a draining instance's 503 on /readyz is its message to the balancer, asked every 100 ms or
    // so while it drains: not a failure, and a line each would bury the ones that are
    if (reply.statusCode >= 500 && !(draining && route === '/readyz'))
      request.log.warn(
        { status: reply.statusCode, method: request.method, url: request.url, reason: failureReasons.get(reply.raw) },
        'request failed',
      );
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // a deliberate error thrown by a handler keeps its details (a 503's or a 409's Retry-After)
    const appError = fromFastifyError(error) ?? classifyError(error);
    const problem = toProblem(appError ?? error, request.url);
    if (problem.status >= 500 && problem.code !== 'SERVICE_UNAVAILABLE')
      request.log.error({ err: error }, 'unexpected error');
    sendProblem(reply, problem.status, problem, appError?.details.retryAfterSeconds);
  });
  app.setNotFoundHandler((request, reply) => {
    sendProblem(
      reply,
      404,
      toProblem(new AppError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`), request.url),
    );
  });

  app.get('/healthz', async () => ({ status: 'ok', service: options.name }));
  app.get('/readyz', async (_request, reply) => {
    if (draining) return sendProblem(reply, 503, toProblem(unavailable('draining: shutting down'), '/readyz'), 5);
    const checks = await checkReadiness(options.readiness ?? {}, options.readyTimeoutMs ?? 2000);
    const failed = Object.entries(checks).filter(([, state]) => state !== 'ok');
    if (failed.length === 0) return { status: 'ready', service: options.name, checks };
    const problem = toProblem(
      unavailable(`not ready: ${failed.map(([name, state]) => `${name} ${state}`).join(', ')}`),
      '/readyz',
    );
    return sendProblem(reply, 503, { ...problem, checks }, 5);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This service's Prometheus registry. */
    metrics: Registry;
    /** Starts shutting down gently: /readyz says 503 (the rest is served as before). */
    beginDrain(): void;
    /**
     * Closes the listening socket (new connections are refused) once the connections waiting to
     * be accepted are in, and makes every answer from now on close its connection; idle kept-alive
     * connections are left open, for the client to close.
     */
    stopAccepting(): Promise<void>;
  }
  interface FastifyRequest {
    /** Where this request's time went: the `Server-Timing` header. */
    timing: RequestTiming;
    /** Aborted when the client closes the connection before the answer, or the deadline passes. */
    cancellation: Cancellation;
  }
}

/**
 * Closes `server`'s listening socket only (http.Server.close would also close the idle kept-alive
 * connections, racing a balancer that is writing a request on one: it cannot send a POST again),
 * and only in an instant its accept queue is seen empty. Connections whose handshake completed
 * while this process was busy wait in that queue, and a balancer may have written a request on
 * them already: closing the listener resets them. So the queue is read right after each accept
 * (libuv accepts everything waiting in one go, a 'connection' event each; the last sees it empty)
 * and on each turn of the event loop; after `deadlineMs` the listener closes regardless.
 */
function closeListenerWhenQueueEmpty(server: net.Server, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  return new Promise((resolve) => {
    let turn: NodeJS.Immediate | undefined;
    const tryClose = () => {
      if (server.listening && (acceptQueueLength(server) ?? 0) > 0 && Date.now() < deadline) return false;
      if (server.listening) net.Server.prototype.close.call(server);
      server.off('connection', tryClose);
      clearImmediate(turn);
      resolve();
      return true;
    };
    const eachTurn = () => {
      if (!tryClose()) turn = setImmediate(eachTurn);
    };
    server.on('connection', tryClose);
    eachTurn();
  });
}

/**
 * How many connections wait in the kernel's accept queue of `server`'s listening socket (Linux:
 * the `rx_queue` of its LISTEN row in /proc/net/tcp or tcp6); null where that cannot be read.
 */
export function acceptQueueLength(server: net.Server): number | null {
  const address = server.address();
  if (!address || typeof address === 'string') return null;
  const port = address.port.toString(16).toUpperCase().padStart(4, '0');
  try {
    const table = readFileSync(address.family === 'IPv6' ? '/proc/net/tcp6' : '/proc/net/tcp', 'utf8');
    let waiting = 0;
    for (const line of table.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue ...; LISTEN is state 0A
      const [, local, , state, queues] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${port}`)) waiting += parseInt(queues!.split(':')[1]!, 16);
    }
    return waiting;
  } catch {
    return null;
  }
}

/** Listens on `port` (0 picks a free one) and returns the base URL, IPv6 hosts bracketed. */
export async function listenUrl(app: FastifyInstance, port = 0, host = '127.0.0.1'): Promise<string> {
  await app.listen({ port, host });
  const { port: actual } = app.server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
}

/** Why each failed answer failed (its problem's detail), for the "request failed" log line. */
const failureReasons = new WeakMap<FastifyReply['raw'], string>();

/** Sends RFC 9457 problem details. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  problem: object,
  retryAfterSeconds?: number,
): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  const detail = (problem as { detail?: unknown }).detail;
  if (status >= 500 && typeof detail === 'string') failureReasons.set(reply.raw, detail);
  return reply.status(status).type('application/problem+json').send(JSON.stringify(problem));
}

/** Fastify's own client errors (body too large, wrong content type, bad JSON) as AppErrors. */
function fromFastifyError(error: FastifyError): AppError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', error.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'request body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_USER_INPUT', 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_USER_INPUT', error.message);
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return new AppError('BAD_USER_INPUT', `request body is not valid JSON: ${error.message}`);
  }
  if (error.code === 'FST_ERR_VALIDATION') return new AppError('BAD_USER_INPUT', error.message);
  return null;
}

async function checkReadiness(
  checks: Record<string, () => Promise<unknown>>,
  timeoutMs: number,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, `unavailable (${(error as Error).message.split('\n')[0]})`] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}
