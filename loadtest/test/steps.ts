import type { StepMeasurement } from '../src/index.ts';

/**
 * A measured step with round figures, for tests of what is made from one (reports, thresholds):
 * 40 of 50 requests/s achieved, 2% errors, p50 10 ms, p99 80 ms, 3 statements and 3 fetches per request.
 */
export function measuredStep(overrides: Partial<StepMeasurement> = {}): StepMeasurement {
  return {
    offeredRate: 50,
    durationSeconds: 10,
    sent: 500,
    completed: 500,
    ok: 490,
    errors: 10,
    errorRate: 0.02,
    achievedRate: 40,
    saturated: true,
    cancelled: false,
    latency: { count: 500, p50: 10, p90: 40, p99: 80, max: 120, mean: 15 },
    sendLagP99: 0.1,
    sendLagMax: 0.5,
    errorKinds: { status: 10 },
    errorSamples: [],
    serverTiming: {},
    cacheHitRatio: null,
    mechanism: {
      statementsPerRequest: 3,
      fetchesPerRequest: 3,
      cpuMsPerRequest: 4.5,
      cpuMsByService: { gateway: 2, items: 1, reviews: 1, photos: 0.5 },
    },
    ...overrides,
  };
}
