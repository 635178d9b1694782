import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createAgent,
  LatencyHistogram,
  loadPage,
  parseServerTiming,
  runClosedLoop,
  runStep,
  type RequestSpec,
} from '../src/index.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, n: number) => unknown;

/** A local server whose behaviour each test sets; it counts requests and notes arrival times. */
function testServer() {
  let handler: Handler = (_request, response) => response.end('ok');
  const arrivals: number[] = [];
  const server: Server = createServer((request, response) => {
    arrivals.push(performance.now());
    void handler(request, response, arrivals.length);
  });
  return {
    server,
    arrivals,
    use(next: Handler) {
      handler = next;
      arrivals.length = 0;
    },
  };
}

describe('load engine', () => {
  const local = testServer();
  const agent = createAgent(512);
  let base: string;
  const send =
    (spec: Partial<RequestSpec> = {}) =>
    (signal: AbortSignal) =>
      loadPage(agent, [{ method: 'GET', url: `${base}/`, ...spec }], signal);

  before(async () => {
    await new Promise<void>((resolve) => local.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(local.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await agent.close();
    local.server.closeAllConnections();
    await new Promise((resolve) => local.server.close(resolve));
  });

  test('offers its rate on schedule: 200/s for 3 s sends 600 requests spread over 3 s', async () => {
    local.use((_request, response) => response.end('ok'));
    const result = await runStep({ rate: 200, durationSeconds: 3, timeoutMs: 2000, send: send() });
    assert.equal(local.arrivals.length, 600);
    assert.equal(result.sent, 600);
    // 5% either way, widened by however long this process stalled (it sends late, then catches up):
    // the schedule is what is tested, not the machine's business
    const stall = Number.isFinite(result.sendLagMax) ? result.sendLagMax : 0;
    const span = (local.arrivals.at(-1)! - local.arrivals[0]!) / 1000;
    const spanSlack = 0.15 + (2 * stall) / 1000;
    assert.ok(
      Math.abs(span - 3) < spanSlack,
      `arrivals span ${span} s, want 3 +- ${spanSlack.toFixed(3)} (longest send lag ${stall} ms)`,
    );
    const firstHalf = local.arrivals.filter((at) => at - local.arrivals[0]! < 1500).length;
    const countSlack = 15 + Math.ceil((2 * 200 * stall) / 1000);
    assert.ok(
      Math.abs(firstHalf - 300) <= countSlack,
      `${firstHalf} arrivals in the first 1.5 s, want 300 +- ${countSlack} (longest send lag ${stall} ms)`,
    );
    assert.equal(result.errors, 0);
    assert.ok(Math.abs(result.achievedRate - 200) <= 10, `achieved ${result.achievedRate}/s`);
    assert.equal(result.saturated, false);
  });

  test('percentiles follow a known latency distribution: 90% at 20 ms, 10% at 200 ms', async () => {
    local.use(async (_request, response, n) => {
      await sleep(n % 10 === 0 ? 200 : 20);
      response.end('ok');
    });
    const result = await runStep({ rate: 100, durationSeconds: 2, timeoutMs: 2000, send: send() });
    assert.equal(result.errors, 0);
    // lower bounds are exact (nothing answers sooner than it slept); upper bounds leave room for a busy machine
    assert.ok(result.latency.p50 >= 20 && result.latency.p50 < 200, `p50 ${result.latency.p50}`);
    assert.ok(result.latency.p90 >= 20, `p90 ${result.latency.p90}`);
    assert.ok(result.latency.p99 >= 200 && result.latency.p99 < 2000, `p99 ${result.latency.p99}`);
    assert.ok(result.latency.max >= 200);
  });

  test('the histogram reports exact percentiles of a synthetic distribution', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) histogram.record(i / 100); // 0.01 .. 100 ms, uniform
    const summary = histogram.summary();
    assert.equal(summary.count, 10_000);
    for (const [got, want] of [
      [summary.p50, 50],
      [summary.p90, 90],
      [summary.p99, 99],
      [summary.max, 100],
    ] as const) {
      assert.ok(Math.abs(got - want) / want < 0.002, `got ${got}, want ${want} within 0.2%`);
    }
  });

  test('a GraphQL body with errors counts as an error, with samples kept', async () => {
    local.use((_request, response, n) => {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify(n % 4 === 0 ? { data: null, errors: [{ message: `boom ${n}` }] } : { data: { ok: true } }),
      );
    });
    const result = await runStep({
      rate: 100,
      durationSeconds: 2,
      timeoutMs: 2000,
      send: send({ method: 'POST', body: { query: '{ ok }' }, graphql: true }),
    });
    assert.equal(result.completed, 200);
    assert.equal(result.errors, 50);
    assert.equal(result.errorRate, 0.25);
    assert.deepEqual(result.errorKinds, { graphql: 50 });
    assert.equal(result.errorSamples.length, 5);
    assert.match(result.errorSamples[0]!.message, /^boom \d+$/);
    // achieved counts successes only (75/s of 100), but every request was answered on time:
    // not saturation; the errors make the step failing instead
    assert.equal(result.achievedRate, 75);
    assert.equal(result.saturated, false);
    assert.deepEqual(
      result.errorReasons?.map(({ kind, count }) => [kind, count]),
      [['graphql', 50]],
    );
  });

  test('non-2xx statuses count as errors', async () => {
    local.use((_request, response, n) => {
      response.statusCode = n % 2 ? 200 : 503;
      response.end('x');
    });
    const result = await runStep({ rate: 50, durationSeconds: 1, timeoutMs: 2000, send: send() });
    assert.equal(result.errors, 25);
    assert.deepEqual(result.errorKinds, { status: 25 });
    assert.equal(result.errorSamples[0]!.status, 503);
    assert.deepEqual(result.errorReasons, [{ kind: 'status', status: 503, count: 25, sample: result.errorSamples[0] }]);
  });

  test('requests left unanswered count as timeouts, and the step still ends', async () => {
    local.use((_request, response, n) => {
      if (n % 5 === 0) return; // never answers
      response.end('ok');
    });
    const started = performance.now();
    const result = await runStep({ rate: 50, durationSeconds: 1, timeoutMs: 300, send: send() });
    assert.ok(performance.now() - started < 5000);
    assert.equal(result.errors, 10);
    assert.deepEqual(result.errorKinds, { timeout: 10 });
    assert.match(result.errorSamples[0]!.message, /no answer within 300 ms/);
    assert.ok(result.latency.max >= 300);
  });

  test('a server slower than the offered rate shows as latency and a saturated step (no coordinated omission)', async () => {
    // one request at a time, 50 ms each: a capacity of 20/s
    let queue = Promise.resolve();
    local.use((_request, response) => {
      queue = queue.then(async () => {
        await sleep(50);
        response.end('ok');
      });
    });
    const result = await runStep({ rate: 60, durationSeconds: 2, timeoutMs: 10_000, send: send() });
    assert.equal(result.saturated, true);
    assert.ok(result.achievedRate < 30, `achieved ${result.achievedRate}`);
    // a closed loop would report ~50 ms; measured from the schedule, the queue shows
    assert.ok(result.latency.p99 > 1000, `p99 ${result.latency.p99}`);
  });

  test('a cancel stops the step at once, without waiting for the answers in flight', async () => {
    // the server is slow on purpose: every answer is still 5 s away when the cancel comes
    local.use(async (_request, response) => {
      await sleep(5000);
      response.end('late');
    });
    const cancel = new AbortController();
    let cancelledAt = 0;
    // mid-step, with requests in flight: when exactly does not matter
    setTimeout(() => {
      cancelledAt = performance.now();
      cancel.abort();
    }, 500);
    const result = await runStep({
      rate: 50,
      durationSeconds: 30,
      timeoutMs: 10_000,
      send: send(),
      signal: cancel.signal,
    });
    // measured from the cancel, and well under the 5 s an answer takes: a busy machine's timer
    // lag cannot fail it, a step that waited for its answers (or its 30 s) still does
    const ms = performance.now() - cancelledAt;
    assert.ok(cancelledAt > 0 && ms < 2500, `stopped ${ms} ms after the cancel`);
    assert.equal(result.cancelled, true);
    assert.equal(result.errors, 0, 'requests cut off by the cancel are not blamed on the server');
  });

  test('ticks report progress once a second', async () => {
    local.use((_request, response) => response.end('ok'));
    const ticks: number[] = [];
    await runStep({
      rate: 20,
      durationSeconds: 2.5,
      timeoutMs: 2000,
      send: send(),
      onTick: (tick) => ticks.push(tick.sent),
    });
    assert.ok(ticks.length >= 2, `${ticks.length} ticks`);
    assert.ok(ticks[1]! > ticks[0]!);
  });

  test('Server-Timing and x-cache are read from answers', async () => {
    assert.deepEqual(parseServerTiming('db;dur=1.5;desc="query", cache;dur=0.25, total;dur=3'), {
      db: 1.5,
      cache: 0.25,
      total: 3,
    });
    assert.equal(parseServerTiming(undefined), undefined);
    local.use((_request, response, n) => {
      response.setHeader('server-timing', `db;dur=${n % 2 ? 4 : 2}`);
      response.setHeader('x-cache', n % 2 ? 'MISS' : 'HIT');
      response.end('ok');
    });
    const result = await runStep({ rate: 40, durationSeconds: 1, timeoutMs: 2000, send: send() });
    assert.equal(result.serverTiming.db, 3);
    assert.equal(result.cacheHitRatio, 0.5);
  });

  test('bad settings are refused with what was wrong', async () => {
    await assert.rejects(
      runStep({ rate: 0, durationSeconds: 1, timeoutMs: 100, send: send() }),
      /rate must be > 0 requests\/s, got 0/,
    );
    await assert.rejects(
      runStep({ rate: 1, durationSeconds: -1, timeoutMs: 100, send: send() }),
      /duration must be > 0 s, got -1/,
    );
  });
});

test('a closed loop keeps each caller busy, counts failures apart, and times only the answers', async () => {
  let calls = 0;
  let inFlight = 0;
  let most = 0;
  const measured = await runClosedLoop({
    connections: 4,
    durationSeconds: 0.3,
    send: async () => {
      const call = ++calls;
      most = Math.max(most, ++inFlight);
      await sleep(5); // the call's own latency, what the loop times: not a wait for a condition
      inFlight--;
      if (call % 3 === 0) throw new Error('every third fails');
    },
  });
  assert.equal(most, 4, 'never more than its connections at once, and all of them used');
  assert.equal(measured.ok + measured.errors, calls);
  assert.equal(measured.errors, Math.floor(calls / 3));
  assert.equal(measured.okPerSecond, measured.ok / 0.3);
  assert.ok(measured.latency.p50 >= 4.9, `each answer took its 5 ms: ${measured.latency.p50}`);
});
