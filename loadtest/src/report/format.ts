import type { StepResult } from '../run.ts';
import type { ErrorReason } from '../step.ts';
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

/** What a step came to: failing (any error), saturated (answered short of the rate, no errors) or ok. */
export interface StepStatus {
  kind: 'failing' | 'saturated' | 'ok';
  /** The word with the figure behind it: "failing: 82.0% errors", "saturated: 41.0 of 100/s". */
  text: string;
}

/**
 * The one judgement of a step that the lab, the terminal table and the HTML report show: a step
 * with errors is failing, whatever its rate (errors answered fast are not saturation); one that
 * answered short of its offered rate without errors is saturated.
 */
export function stepStatus(step: StepResult): StepStatus {
  if (step.errors > 0) {
    const short = step.saturated ? ', short of the offered rate' : '';
    return { kind: 'failing', text: `failing: ${percent(step.errorRate)}% errors${short}` };
  }
  if (step.saturated)
    return { kind: 'saturated', text: `saturated: ${rate(step.achievedRate)} of ${rate(step.offeredRate)}/s` };
  return { kind: 'ok', text: 'ok' };
}

/** The rule `fastest` applies, as the lab prints it beside the verdict. */
export const VERDICT_RULE = 'fastest: lowest p99 among finished steps under 1% errors that kept the offered rate';

/** The step `VERDICT_RULE` picks among `steps` (those at one rate), or null when none qualifies. */
export function fastest<T extends StepResult>(steps: T[]): T | null {
  const eligible = steps.filter(
    (step) =>
      !step.cancelled &&
      !step.saturated &&
      step.errorRate < SUSTAINED.errorRate &&
      typeof step.latency.p99 === 'number' &&
      Number.isFinite(step.latency.p99),
  );
  return eligible.sort((a, b) => a.latency.p99 - b.latency.p99)[0] ?? null;
}

/** A step's errors by reason; a report stored before reasons existed gives one per kind, with its first sample. */
export function errorReasonsOf(step: StepResult): ErrorReason[] {
  if (step.errorReasons) return step.errorReasons;
  return Object.entries(step.errorKinds).map(([kind, count]) => {
    const sample = step.errorSamples.find((one) => one.kind === kind) ?? { kind, url: '', message: '' };
    return { kind: sample.kind, count: count ?? 0, sample } as ErrorReason;
  });
}

/**
 * Latency worth plotting: none for a step over 1% errors, whose fast failures would draw a
 * healthy-looking line.
 */
export const plottedLatency = (step: StepResult, value: number): number | null =>
  overErrorBar(step.errors, step.completed) ? null : value;

/** More than 1% of `completed` failed: too many errors for their latency to stand for the server's. */
export const overErrorBar = (errors: number, completed: number) => errors > SUSTAINED.errorRate * completed;

/** A reason in a few words: "HTTP 503", "timeout", "GraphQL errors in a 200". */
export const reasonLabel = (reason: Pick<ErrorReason, 'kind' | 'status'>) =>
  reason.kind === 'status'
    ? `HTTP ${reason.status ?? '?'}`
    : reason.kind === 'graphql'
      ? `GraphQL errors${reason.status ? ` in a ${reason.status}` : ''}`
      : `${reason.kind}${reason.status ? ` ${reason.status}` : ''}`;

const perRequest = (value: number | null | undefined, unit: string) =>
  value === null || value === undefined ? '—' : `${ms(value)}${unit}`;

/**
 * Why a step came out as it did, per request: its cache hit share and, when the services'
 * counters were read, SQL statements, subgraph fetches and CPU ms by service; "—" for what was not measured.
 */
export function whyLine(step: StepResult): string {
  const mechanism = step.mechanism;
  const byService = Object.entries(mechanism?.cpuMsByService ?? {})
    .map(([service, cpu]) => `${service} ${ms(cpu)}`)
    .join(', ');
  return [
    `cache hits ${step.cacheHitRatio === null ? '—' : `${percent(step.cacheHitRatio)}%`}`,
    `SQL ${perRequest(mechanism?.statementsPerRequest, '')}/req`,
    `subgraph fetches ${perRequest(mechanism?.fetchesPerRequest, '')}/req`,
    `CPU ${perRequest(mechanism?.cpuMsPerRequest, ' ms')}/req${byService ? ` (${byService})` : ''}`,
  ].join(' · ');
}

/** A step's notes: its status, cancelled, client-bound. */
export function notes(step: StepResult): string[] {
  const list: string[] = [];
  const status = stepStatus(step);
  if (status.kind !== 'ok') list.push(status.text);
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
  const status = stepStatus(step).kind;
  const marks = [
    status === 'saturated' ? 'sat' : '',
    status === 'failing' ? `${percent(step.errorRate)}% err` : '',
  ].filter(Boolean);
  return `${ms(step.latency.p99)}${marks.length ? ` (${marks.join(', ')})` : ''}`;
}

/** The comparison as a Markdown table (docs/benchmarks.md shows the latest). */
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
