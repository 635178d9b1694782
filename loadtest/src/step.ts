import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram, type LatencySummary } from './histogram.ts';
import type { ErrorKind, ErrorSample, Outcome } from './http.ts';

/** A step is saturated when it answers less than this share of the rate it was offered. */
export const SATURATION_SHARE = 0.9;
const ERROR_SAMPLES = 5;

/** One reason requests of a step failed (an error kind, and the HTTP status when there was one), with one sample. */
export interface ErrorReason {
  kind: ErrorKind;
  status?: number;
  count: number;
  /** The first failure of this reason: its URL and message (for a status, the start of the body). */
  sample: ErrorSample;
}

/** A once-a-second view of a running step (for progress bars and live charts). */
export interface Tick {
  elapsedSeconds: number;
  durationSeconds: number;
  sent: number;
  completed: number;
  errors: number;
  inFlight: number;
  /** Successful responses per second over the last interval. */
  rate: number;
  /** Requests completed, and of them failed, over the last interval. */
  recentCompleted: number;
  recentErrors: number;
  /** Latency percentiles of the responses completed in the last interval, failed ones included (ms). */
  p50: number;
  p99: number;
}

/** What one step at a fixed arrival rate measured. */
export interface StepMeasurement {
  /** The arrival rate asked for (requests/s). */
  offeredRate: number;
  durationSeconds: number;
  /** Requests scheduled: the rate times the duration. */
  sent: number;
  completed: number;
  ok: number;
  errors: number;
  errorRate: number;
  /** Successful responses completed within the step's window, per second. */
  achievedRate: number;
  /**
   * Answers (of any status, timeouts not counted) within the step's window fell more than 10%
   * short of the offered rate: the server could not keep up. Errors answered on time are not
   * saturation; `stepStatus` calls a step with errors failing.
   */
  saturated: boolean;
  cancelled: boolean;
  /** From each request's scheduled start (not its actual send) to its complete answer. */
  latency: LatencySummary;
  /** How late the generator itself sent requests: a large value means the client, not the server, was the bottleneck. */
  sendLagP99: number;
  /** The generator's longest lag: how far a stall of this process could have bunched the schedule. */
  sendLagMax: number;
  errorKinds: Partial<Record<ErrorKind, number>>;
  errorSamples: ErrorSample[];
  /** Errors by kind and status, most frequent first; absent in reports stored before it existed. */
  errorReasons?: ErrorReason[];
  /** Mean `Server-Timing` durations by part (ms), over the responses that sent them. */
  serverTiming: Record<string, number>;
  /** Share of cache lookups (answers with `x-cache: HIT|MISS`) that hit; null when no answer said. */
  cacheHitRatio: number | null;
  /** What the services did for the step's requests, counted at the services; null when not read. */
  mechanism?: StepMechanism | null;
}

/**
 * What the services did per request of a step, from their own counters (each service's /metrics
 * read before and after the step), not estimated: how batching shows its N+1 and caching the
 * statements it saves.
 */
export interface StepMechanism {
  /** SQL statements the subgraphs sent to the database, per successful request. */
  statementsPerRequest: number | null;
  /** Fetches the gateway sent to the subgraphs (GraphQL and REST), per successful request. */
  fetchesPerRequest: number | null;
  /** CPU ms of all the services together, per successful request. */
  cpuMsPerRequest: number | null;
  /** CPU ms per successful request, by service name (items, reviews, photos, gateway, ssr). */
  cpuMsByService: Record<string, number>;
}

export interface StepOptions {
  /** Requests per second, offered on a fixed schedule whatever the server does. */
  rate: number;
  durationSeconds: number;
  /** A request unanswered this long after it was sent counts as a timeout error. */
  timeoutMs: number;
  /** Sends one request (or page load); it must settle when `signal` aborts. */
  send(signal: AbortSignal): Promise<Outcome>;
  /** Cancels the step: nothing more is sent, requests in flight are aborted. */
  signal?: AbortSignal;
  onTick?(tick: Tick): void;
}

/**
 * Offers `rate` requests/s for `durationSeconds` on a fixed schedule (an open model): request i
 * is due at start + i/rate whether or not earlier ones have been answered, and its latency is
 * measured from that due time, so a slow server shows up as latency and a short achieved rate
 * instead of silently lowering the load (coordinated omission).
 */
export async function runStep(options: StepOptions): Promise<StepMeasurement> {
  const { rate, durationSeconds, timeoutMs } = options;
  if (!(rate > 0)) throw new RangeError(`rate must be > 0 requests/s, got ${rate}`);
  if (!(durationSeconds > 0)) throw new RangeError(`duration must be > 0 s, got ${durationSeconds}`);
  const total = Math.max(1, Math.round(rate * durationSeconds));
  const spacing = 1000 / rate;
  const cancel = new AbortController();
  const onCancel = () => cancel.abort(new Error('cancelled'));
  options.signal?.addEventListener('abort', onCancel, { once: true });
  if (options.signal?.aborted) onCancel();

  const latency = new LatencyHistogram();
  const recent = new LatencyHistogram();
  const lag = new LatencyHistogram();
  const errorKinds: Partial<Record<ErrorKind, number>> = {};
  const errorSamples: ErrorSample[] = [];
  const errorReasons = new Map<string, ErrorReason>();
  const timingSums: Record<string, { sum: number; count: number }> = {};
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let completed = 0;
  let ok = 0;
  let okInWindow = 0;
  let answeredInWindow = 0;
  let errors = 0;
  let recentOk = 0;
  let recentErrors = 0;
  let cacheHits = 0;
  let cacheLookups = 0;

  const start = performance.now();
  const windowEnd = start + durationSeconds * 1000;

  const account = (outcome: Outcome, due: number) => {
    const now = performance.now();
    completed++;
    latency.record(now - due);
    recent.record(now - due);
    cacheHits += outcome.cacheHits ?? 0;
    cacheLookups += outcome.cacheLookups ?? 0;
    for (const [name, ms] of Object.entries(outcome.serverTiming ?? {})) {
      const slot = (timingSums[name] ??= { sum: 0, count: 0 });
      slot.sum += ms;
      slot.count++;
    }
    const kind = outcome.ok ? null : (outcome.error?.kind ?? 'network');
    if (now <= windowEnd && kind !== 'timeout') answeredInWindow++;
    if (!kind) {
      ok++;
      recentOk++;
      if (now <= windowEnd) okInWindow++;
      return;
    }
    errors++;
    recentErrors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    const sample = outcome.error ?? { kind, url: '', message: 'failed without a message' };
    if (errorSamples.length < ERROR_SAMPLES) errorSamples.push(sample);
    // few keys: five kinds, and the HTTP statuses a server answers with
    const key = `${kind} ${sample.status ?? ''}`;
    const reason = errorReasons.get(key);
    if (reason) reason.count++;
    else errorReasons.set(key, { kind, ...(sample.status ? { status: sample.status } : {}), count: 1, sample });
  };

  const fire = (due: number) => {
    sent++;
    lag.record(performance.now() - due);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const signal = AbortSignal.any([timeout.signal, cancel.signal]);
    const settle = options
      .send(signal)
      .catch((error: unknown): Outcome => ({
        ok: false,
        error: { kind: 'network', url: '', message: String((error as Error)?.message ?? error) },
      }))
      .then((outcome) => {
        clearTimeout(timer);
        // requests cut off by a cancel say nothing about the server
        if (!cancel.signal.aborted) account(outcome, due);
      })
      .finally(() => pending.delete(settle));
    pending.add(settle);
  };

  const ticker = setInterval(() => {
    options.onTick?.({
      elapsedSeconds: Math.min(durationSeconds, (performance.now() - start) / 1000),
      durationSeconds,
      sent,
      completed,
      errors,
      inFlight: pending.size,
      rate: recentOk,
      recentCompleted: recent.count,
      recentErrors,
      p50: recent.at(50),
      p99: recent.at(99),
    });
    recent.reset();
    recentOk = 0;
    recentErrors = 0;
  }, 1000);

  try {
    while (!cancel.signal.aborted) {
      const due = Math.min(total, Math.floor((performance.now() - start) / spacing) + 1);
      while (sent < due) fire(start + sent * spacing);
      if (sent >= total) break;
      const wait = start + sent * spacing - performance.now();
      await sleep(Math.max(0, wait), undefined, { signal: cancel.signal }).catch(() => undefined);
    }
    // the answers still owed belong to this step; each is bounded by the timeout
    await Promise.all(pending);
  } finally {
    clearInterval(ticker);
    options.signal?.removeEventListener('abort', onCancel);
  }

  const achievedRate = okInWindow / durationSeconds;
  return {
    offeredRate: rate,
    durationSeconds,
    sent,
    completed,
    ok,
    errors,
    errorRate: completed ? errors / completed : 0,
    achievedRate,
    saturated: answeredInWindow / durationSeconds < SATURATION_SHARE * (total / durationSeconds),
    cancelled: cancel.signal.aborted,
    latency: latency.summary(),
    sendLagP99: lag.at(99),
    sendLagMax: lag.summary().max,
    errorKinds,
    errorSamples,
    errorReasons: [...errorReasons.values()].sort((a, b) => b.count - a.count),
    serverTiming: Object.fromEntries(Object.entries(timingSums).map(([name, { sum, count }]) => [name, sum / count])),
    cacheHitRatio: cacheLookups ? cacheHits / cacheLookups : null,
  };
}

/** What a closed loop measured. */
export interface ClosedLoopMeasurement {
  ok: number;
  errors: number;
  /** Successful answers per second over the run. */
  okPerSecond: number;
  /** Of the successful answers, from send to answer. */
  latency: LatencySummary;
  /** Their 95th percentile, ms (the gateway benchmarks' tables show it). */
  p95: number;
}

/**
 * A closed loop: `connections` callers for `durationSeconds`, each sending its next request as
 * soon as its last is answered. Unlike runStep it measures the most a server answers at that
 * concurrency, not what it does at a given rate (the page benchmarks report both). `send`
 * resolves for a success and rejects for an error.
 */
export async function runClosedLoop(options: {
  connections: number;
  durationSeconds: number;
  send(): Promise<unknown>;
}): Promise<ClosedLoopMeasurement> {
  const until = performance.now() + options.durationSeconds * 1000;
  const latency = new LatencyHistogram();
  let errors = 0;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < until) {
        const start = performance.now();
        try {
          await options.send();
          latency.record(performance.now() - start);
        } catch {
          errors++;
        }
      }
    }),
  );
  const ok = latency.count;
  return { ok, errors, okPerSecond: ok / options.durationSeconds, latency: latency.summary(), p95: latency.at(95) };
}
