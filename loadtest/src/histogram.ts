import { build, type Histogram } from 'hdr-histogram-js';

export { median, percentile } from '@supergraph-lab/timing/stats';

/** Latency percentiles of a step, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * Latencies in an HDR histogram (3 significant digits, microsecond resolution), so a
 * percentile costs the same at 5 samples as at 5 million and memory does not grow with the run.
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  /** Records one latency given in milliseconds. */
  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The latency at `percentile` (0..100) in milliseconds; NaN when nothing was recorded. */
  at(percentile: number): number {
    return this.count === 0 ? Number.NaN : this.histogram.getValueAtPercentile(percentile) / 1000;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      p50: this.at(50),
      p90: this.at(90),
      p99: this.at(99),
      max: empty ? Number.NaN : this.histogram.maxValue / 1000,
      mean: empty ? Number.NaN : this.histogram.mean / 1000,
    };
  }

  reset(): void {
    this.histogram.reset();
  }
}
