import type { StepResult } from '../run.ts';
import type { Tick } from '../step.ts';
import {
  actualText,
  cellText,
  comparisonRows,
  errorReasonsOf,
  mechanismCells,
  ms,
  notes,
  percent,
  rate,
  reasonLabel,
  seriesName,
  SUSTAINED,
} from './format.ts';

const COLUMNS = [
  'target',
  'variant',
  'offered/s',
  'achieved/s',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'max ms',
  'errors %',
  'cache hit %',
  'SQL/req',
  'fetch/req',
  'CPU ms/req',
  'notes',
] as const;
const WIDTHS = [17, 14, 10, 11, 9, 9, 9, 9, 9, 12, 8, 10, 11, 0];

const line = (cells: string[]) =>
  cells
    .map((cell, i) => (WIDTHS[i] ? cell.padEnd(WIDTHS[i]!) : cell))
    .join(' ')
    .trimEnd();

export const stepHeader = () => line([...COLUMNS]);

/** One table row for a measured step. */
export function stepRow(step: StepResult): string {
  return line([
    step.target,
    step.variant ?? '',
    rate(step.offeredRate),
    rate(step.achievedRate),
    ms(step.latency.p50),
    ms(step.latency.p90),
    ms(step.latency.p99),
    ms(step.latency.max),
    percent(step.errorRate),
    step.cacheHitRatio === null ? '-' : percent(step.cacheHitRatio),
    ...mechanismCells(step),
    notes(step).join(', '),
  ]);
}

/** A step's errors by reason, each with its first sample, indented under its row. */
export function errorLines(step: StepResult): string[] {
  return errorReasonsOf(step).map(
    (reason) =>
      `    ${reasonLabel(reason)} x${reason.count} ${reason.sample.url}: ${reason.sample.message.slice(0, 160)}`,
  );
}

const verdict = (passed: boolean) => (passed ? 'pass' : 'FAIL');

/**
 * The run's thresholds judged: each step's verdict, each threshold's under it with the step's
 * figure, and a last line counting the failures.
 */
export function thresholdLines(steps: StepResult[]): string[] {
  const lines: string[] = [];
  let failed = 0;
  let judged = 0;
  for (const step of steps) {
    const results = step.thresholds ?? [];
    lines.push(`${seriesName(step)} @ ${step.offeredRate}/s: ${verdict(results.every((result) => result.passed))}`);
    for (const result of results) {
      judged++;
      if (!result.passed) failed++;
      lines.push(`    ${verdict(result.passed)}  ${result.threshold.padEnd(18)} ${actualText(result)}`);
    }
  }
  lines.push(failed ? `thresholds: ${failed} of ${judged} failed` : `thresholds: all ${judged} held`);
  return lines;
}

/** A one-line progress bar for a running step. */
export function progressLine(label: string, phase: string, tick: Tick, width = 24): string {
  const share = Math.min(1, tick.elapsedSeconds / tick.durationSeconds);
  const filled = Math.round(share * width);
  return `${label} ${phase.padEnd(7)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${tick.elapsedSeconds.toFixed(0)}/${tick.durationSeconds}s  ${tick.rate} ok/s  p99 ${ms(tick.p99)} ms  in flight ${tick.inFlight}  errors ${tick.errors}`;
}

/** The comparison table for the terminal. */
export function comparisonTable(steps: StepResult[], rates: number[]): string {
  const rows = comparisonRows(steps, rates);
  const width = Math.max(6, ...rows.map((row) => row.series.length)) + 2;
  const cellWidth = 22;
  const head = `${'series'.padEnd(width)}${rates.map((r) => `p99 ms @ ${r}/s`.padEnd(cellWidth)).join('')}sustains (p99 < ${SUSTAINED.p99Ms} ms, < 1% err)`;
  return [
    head,
    ...rows.map(
      (row) =>
        `${row.series.padEnd(width)}${row.cells.map((cell) => cellText(cell).padEnd(cellWidth)).join('')}${row.sustained ? `${row.sustained}/s` : 'none'}`,
    ),
  ].join('\n');
}
