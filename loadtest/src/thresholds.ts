// Pass/fail criteria for a step, as k6 users write them: `p99<100`, `errors<1%`, `rate>=95%`,
// `statements<=10`. The CLI's --threshold parses them and its exit status says whether every
// step met them; the lab can judge its steps with the same two functions.
import { UsageError } from '@supergraph-lab/config';
import type { StepMeasurement } from './step.ts';

type Operator = '<' | '<=' | '>' | '>=';

/** What a threshold reads from a step, in its unit; null when the step has no such figure. */
interface Metric {
  /** How it is written after the number: the first is the default, the rest also accepted. */
  units: readonly string[];
  read(step: StepMeasurement, unit: string): number | null;
}

const latency =
  (pick: (summary: StepMeasurement['latency']) => number): Metric['read'] =>
  (step) => {
    const value = pick(step.latency);
    // NaN (no answers), or null once a report has been through JSON
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };

/** Every metric a threshold can name, with its units. */
const METRICS: Record<string, Metric> = {
  p50: { units: ['ms', ''], read: latency((summary) => summary.p50) },
  p90: { units: ['ms', ''], read: latency((summary) => summary.p90) },
  p99: { units: ['ms', ''], read: latency((summary) => summary.p99) },
  max: { units: ['ms', ''], read: latency((summary) => summary.max) },
  errors: { units: ['%'], read: (step) => step.errorRate * 100 },
  // achieved successful requests/s, absolute or as a share of the offered rate
  rate: {
    units: ['/s', '', '%'],
    read: (step, unit) => (unit === '%' ? (step.achievedRate / step.offeredRate) * 100 : step.achievedRate),
  },
  statements: { units: [''], read: (step) => step.mechanism?.statementsPerRequest ?? null },
  fetches: { units: [''], read: (step) => step.mechanism?.fetchesPerRequest ?? null },
  cpu: { units: ['ms', ''], read: (step) => step.mechanism?.cpuMsPerRequest ?? null },
};

const ALIASES: Record<string, string> = { 'p(50)': 'p50', 'p(90)': 'p90', 'p(99)': 'p99' };

/** A parsed threshold: `metric op value` in the metric's `unit`. */
export interface Threshold {
  /** As written (trimmed): how reports name it. */
  text: string;
  metric: string;
  op: Operator;
  value: number;
  /** The unit the value is in: `ms`, `%`, `/s`, or '' for a count per request. */
  unit: string;
}

/** How one step fared against one threshold. */
export interface ThresholdResult {
  threshold: string;
  /** The step's figure in the threshold's unit; null when the step has none (which fails). */
  actual: number | null;
  unit: string;
  passed: boolean;
}

const FORM = /^([a-z][a-z0-9]*|p\(\d+\))\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|%|\/s)?$/i;
const EXAMPLES = 'e.g. p99<100, errors<1%, rate>=95%, statements<=10, cpu<5';

/**
 * `p99<100` to a Threshold: a metric (p50, p90, p99, max in ms; errors in %; rate in requests/s
 * or % of the offered rate; statements, fetches and cpu ms per request), an operator (<, <=, >,
 * >=) and a number with its unit. A UsageError naming the bad text otherwise.
 */
export function parseThreshold(text: string): Threshold {
  const trimmed = text.trim();
  const match = FORM.exec(trimmed);
  if (!match)
    throw new UsageError(
      `threshold ${JSON.stringify(text)} is not <metric><operator><number>: the operators are <, <=, >, >=; ${EXAMPLES}`,
    );
  const [, name, op, number, unit = ''] = match;
  const metric = ALIASES[name!.toLowerCase()] ?? name!.toLowerCase();
  const definition = METRICS[metric];
  if (!definition)
    throw new UsageError(
      `threshold ${JSON.stringify(text)}: unknown metric "${name}"; choose from ${Object.keys(METRICS).join(', ')}`,
    );
  const unitName = (one: string) => (one ? `"${one}"` : 'a bare number');
  if (!definition.units.includes(unit.toLowerCase()))
    throw new UsageError(
      `threshold ${JSON.stringify(text)}: ${metric} takes ${definition.units.map(unitName).join(' or ')}, got ${unitName(unit)}`,
    );
  const value = Number(number);
  if (metric === 'errors' && value > 100)
    throw new UsageError(`threshold ${JSON.stringify(text)}: errors is a share of requests, at most 100%`);
  return { text: trimmed, metric, op: op as Operator, value, unit: unit.toLowerCase() || definition.units[0]! };
}

/** Every threshold in a list of `--threshold` values, each of which may hold several separated by commas. */
export function parseThresholds(values: readonly string[]): Threshold[] {
  return values.flatMap((value) => value.split(',')).map(parseThreshold);
}

const HOLDS: Record<Operator, (actual: number, limit: number) => boolean> = {
  '<': (actual, limit) => actual < limit,
  '<=': (actual, limit) => actual <= limit,
  '>': (actual, limit) => actual > limit,
  '>=': (actual, limit) => actual >= limit,
};

/** How `step` fares against each threshold, in their order. A figure the step lacks fails its threshold. */
export function evaluateThresholds(step: StepMeasurement, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = METRICS[threshold.metric]!.read(step, threshold.unit);
    return {
      threshold: threshold.text,
      actual,
      unit: threshold.unit,
      passed: actual !== null && HOLDS[threshold.op](actual, threshold.value),
    };
  });
}
