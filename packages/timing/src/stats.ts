// Order statistics of a few values (page loads, repeated runs): no dependencies, safe in a browser bundle.

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
}

/** The value at `percentile` (0..100) of `values`, by nearest rank; NaN for none. For a few samples; steps use LatencyHistogram. */
export function percentile(values: readonly number[], percentile: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1))]!;
}
