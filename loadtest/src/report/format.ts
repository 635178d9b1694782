import type { StepResult } from '../run.ts';
import type { ThresholdResult } from '../thresholds.ts';

/** A step passes when it kept up, with p99 under 100 ms and under 1% errors (the issue's bar). */
export const SUSTAINED = { p99Ms: 100, errorRate: 0.01 } as const;

/** Milliseconds for a table; '-' for none (NaN, or null once a report has been through JSON). */
export const ms = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '-'
    : value >= 100
      ? value.toFixed(0)
      : value >= 10
        ? value.toFixed(1)
        : value.toFixed(2);
export const rate = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
export const percent = (share: number) => (share === 0 ? '0' : share < 0.001 ? '<0.1' : (share * 100).toFixed(1));

/** A step's statements, fetches and CPU ms per request, as a table shows them ('-' where not read). */
export const mechanismCells = ({ mechanism }: StepResult): [string, string, string] => [
  ms(mechanism?.statementsPerRequest),
  ms(mechanism?.fetchesPerRequest),
  ms(mechanism?.cpuMsPerRequest),
];

/** A threshold's actual figure in its unit: "12.3 ms", "0.5%", "9.80/s", "4.00". */
export function actualText({ actual, unit }: ThresholdResult): string {
  if (actual === null) return 'not measured';
  if (unit === '%') return `${actual === 0 ? '0' : actual.toFixed(actual < 10 ? 2 : 1)}%`;
  if (unit === '/s') return `${rate(actual)}/s`;
  return unit ? `${ms(actual)} ${unit}` : ms(actual);
}

export function passes(step: StepResult): boolean {
  return (
    !step.saturated && !step.cancelled && step.errorRate < SUSTAINED.errorRate && step.latency.p99 < SUSTAINED.p99Ms
  );
}

/** A step's notes: saturated, cancelled, client-bound. */
export function notes(step: StepResult): string[] {
  const list: string[] = [];
  if (step.saturated) list.push('saturated');
  if (step.cancelled) list.push('cancelled');
  // the generator sent late: its own CPU, not the server, set part of the latency
  if (step.sendLagP99 > 10) list.push(`client lag p99 ${ms(step.sendLagP99)} ms`);
  return list;
}

/** Series key: the target, with its variant when the run had several. */
export const seriesName = (step: Pick<StepResult, 'target' | 'variant'>) =>
  step.variant ? `${step.target} (${step.variant})` : step.target;

/** Steps grouped by series, each group in rate order, in first-seen order. */
export function bySeries(steps: StepResult[]): Map<string, StepResult[]> {
  const groups = new Map<string, StepResult[]>();
  for (const step of steps) {
    const key = seriesName(step);
    groups.set(key, [...(groups.get(key) ?? []), step]);
  }
  for (const group of groups.values()) group.sort((a, b) => a.offeredRate - b.offeredRate);
  return groups;
}

/** The highest rate a series passes at, counting up from its lowest step (0 when even that fails). */
export function sustainedRate(steps: StepResult[]): number {
  let best = 0;
  for (const step of [...steps].sort((a, b) => a.offeredRate - b.offeredRate)) {
    if (!passes(step)) break;
    best = step.offeredRate;
  }
  return best;
}

/** One comparison row per series: p99 at each rate and the highest rate sustained. */
export function comparisonRows(steps: StepResult[], rates: number[]) {
  return [...bySeries(steps)].map(([series, group]) => ({
    series,
    target: group[0]!.target,
    variant: group[0]!.variant,
    cells: rates.map((wanted) => group.find((step) => step.offeredRate === wanted) ?? null),
    sustained: sustainedRate(group),
  }));
}

export function cellText(step: StepResult | null): string {
  if (!step) return '-';
  const marks = [
    step.saturated ? 'sat' : '',
    step.errorRate >= SUSTAINED.errorRate ? `${percent(step.errorRate)}% err` : '',
  ].filter(Boolean);
  return `${ms(step.latency.p99)}${marks.length ? ` (${marks.join(', ')})` : ''}`;
}

/** The comparison as a Markdown table (the README shows the latest). */
export function comparisonMarkdown(steps: StepResult[], rates: number[]): string {
  const rows = comparisonRows(steps, rates);
  const head = `| target | variant | ${rates.map((r) => `p99 ms @ ${r}/s`).join(' | ')} | highest rate with p99 < ${SUSTAINED.p99Ms} ms, < 1% errors |`;
  const rule = `|${' --- |'.repeat(rates.length + 3)}`;
  const lines = rows.map(
    (row) =>
      `| ${row.target} | ${row.variant ?? ''} | ${row.cells.map(cellText).join(' | ')} | ${row.sustained ? `${row.sustained}/s` : 'none'} |`,
  );
  return [head, rule, ...lines].join('\n');
}
