// What the services did for a step's requests, from their own counters: each service's /metrics
// read right before and right after the step, the deltas divided by the step's successful
// requests. /metrics is open on every service (packages/http/src/server.ts): no admin token.
import { PROCESS_INSTANCE_METRIC, SERVICE_NAMES, SUBGRAPH_NAMES } from '@supergraph-lab/config';
import { request } from 'undici';
import type { StepMechanism } from './step.ts';
import type { Endpoints } from './targets.ts';

/** The services read, by the names reports use (bench:cpu's): the registry's. */
const SERVICES = SERVICE_NAMES;
const SUBGRAPHS = SUBGRAPH_NAMES;

/** Each service's metric totals at one moment; null for a service whose /metrics did not answer. */
export type CounterSnapshot = Record<keyof Endpoints, Map<string, number> | null>;

/**
 * Prometheus text format to each metric's total over its label sets (`name{labels} value`
 * lines; comments, and values that are not finite numbers, skipped).
 */
export function metricTotals(text: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{.*\})?\s+(\S+)/.exec(line);
    const value = Number(match?.[2]);
    if (match && Number.isFinite(value)) totals.set(match[1]!, (totals.get(match[1]!) ?? 0) + value);
  }
  return totals;
}

/** One service's metric totals, or null when its /metrics does not answer 200 within `timeoutMs`. */
async function scrape(baseUrl: string, timeoutMs: number): Promise<Map<string, number> | null> {
  try {
    const answer = await request(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await answer.body.text();
    return answer.statusCode === 200 ? metricTotals(text) : null;
  } catch {
    return null;
  }
}

/**
 * Where each service's /metrics is read: its one address, or every instance's when it runs as
 * several behind a balancer (through which each read would reach another instance).
 */
export type MetricsSources = { [name in keyof Endpoints]: string | readonly string[] };

/** The totals of every instance of a service, summed; null when any of them did not answer. */
async function scrapeInstances(sources: string | readonly string[], timeoutMs: number) {
  const instances = await Promise.all(
    (typeof sources === 'string' ? [sources] : sources).map((url) => scrape(url, timeoutMs)),
  );
  if (instances.some((totals) => totals === null)) return null;
  const sum = new Map<string, number>();
  // a labelled counter an instance has not counted yet is absent there: zero
  for (const totals of instances as Map<string, number>[])
    for (const [metric, value] of totals) sum.set(metric, (sum.get(metric) ?? 0) + value);
  return sum;
}

/** Every service's metric totals now (each instance's, summed), read in parallel. */
export async function readCounters(sources: MetricsSources, timeoutMs = 2000): Promise<CounterSnapshot> {
  const totals = await Promise.all(SERVICES.map((name) => scrapeInstances(sources[name], timeoutMs)));
  return Object.fromEntries(SERVICES.map((name, i) => [name, totals[i]])) as CounterSnapshot;
}

/**
 * Which processes answered (summed over a service's instances): another value when one
 * restarted, or when a read through a balancer reached another instance. The services' own
 * gauge; a peer's prom-client start time (whole seconds) where it has no such gauge.
 */
const identity = (totals: Map<string, number> | null | undefined) =>
  totals?.get(PROCESS_INSTANCE_METRIC) ?? totals?.get('process_start_time_seconds');

/**
 * Statements, fetches and CPU per successful request between two snapshots. A figure is null
 * when a service it sums did not answer, lacks the series (another gateway, a subgraph on a
 * client it did not make), restarted in between (its process identity changed, or its counter
 * went back) or was another process the second time (a balancer's other instance); and all are null
 * when no request succeeded.
 */
export function mechanismBetween(before: CounterSnapshot, after: CounterSnapshot, ok: number): StepMechanism {
  const delta = (service: (typeof SERVICES)[number], metric: string) => {
    const from = before[service]?.get(metric);
    const to = after[service]?.get(metric);
    // other processes than the ones read before: their counters are not this step's
    if (identity(before[service]) !== identity(after[service])) return null;
    return from === undefined || to === undefined || to < from ? null : to - from;
  };
  const perRequest = (values: (number | null)[], scale = 1) =>
    ok > 0 && values.every((value) => value !== null)
      ? (values.reduce<number>((sum, value) => sum + value!, 0) * scale) / ok
      : null;
  const cpuSeconds = SERVICES.map((service) => delta(service, 'process_cpu_seconds_total'));
  return {
    statementsPerRequest: perRequest(SUBGRAPHS.map((service) => delta(service, 'db_statements_total'))),
    fetchesPerRequest: perRequest([delta('gateway', 'subgraph_fetches_total')]),
    cpuMsPerRequest: perRequest(cpuSeconds, 1000),
    cpuMsByService: Object.fromEntries(
      SERVICES.flatMap((service, i) => {
        const ms = perRequest([cpuSeconds[i] ?? null], 1000);
        return ms === null ? [] : [[service, ms]];
      }),
    ),
  };
}
