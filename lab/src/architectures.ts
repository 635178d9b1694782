// Architecture as an A/B switch: the item page's GraphQL query through the stack's gateway, each
// peer gateway and the monolith, side by side, each a closed loop of the same length; per target
// pages/s, latency, errors and CPU ms per page (the front process and the subgraphs), and a
// verdict against the project's gateway. The lab starts the monolith and the peers itself, as
// child processes over the stack's subgraphs, on first use; and it shows Apollo's query plan for
// the page, so the hops are there to read.
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { prettyFormatQueryPlan, QueryPlanner } from '@apollo/query-planner';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '@supergraph-lab/config';
import { AppError } from '@supergraph-lab/http';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import {
  cpuSnapshot,
  cpuSpent,
  mechanismBetween,
  readCounters,
  runClosedLoop,
  type Endpoints,
} from '@supergraph-lab/loadtest';
import { composeSupergraph, readSubgraphSources } from '@supergraph-lab/gateway/supergraph';
import { GATEWAY_CHOICES, gatewayUnavailable, GATEWAYS, readyProbe } from '@supergraph-lab/stack/gateways';
import { startGateway, startMonolith, type StartedProcess } from '@supergraph-lab/stack/processes';
import { freePort, waitReady } from '@supergraph-lab/testing';
import { parse } from 'graphql';
import { Agent, request } from 'undici';
import type { ArchitectureChoice, ArchitectureRow, ComparisonState } from './protocol.ts';
import type { StackControl } from './stack.ts';

/** The stack's own gateway (whichever GATEWAY runs on its port), the monolith, then the peers. */
const TARGETS = ['gateway', 'monolith', ...GATEWAYS.filter((kind) => kind !== 'apollo')] as const;
type Target = (typeof TARGETS)[number];

/** Apollo's query plan for the item page over the supergraph composed from the subgraphs' SDL files. */
export function itemPageQueryPlan(config: Config): string {
  const supergraph = Supergraph.build(composeSupergraph(readSubgraphSources(config.subgraphUrls)));
  const operation = operationFromDocument(supergraph.apiSchema(), parse(ITEM_PAGE_QUERY));
  return prettyFormatQueryPlan(new QueryPlanner(supergraph).buildQueryPlan(operation));
}

export interface Architectures {
  /** What can be compared here, with what each lacks and why one cannot run. */
  choices(): ArchitectureChoice[];
  /**
   * Starts a comparison in the background (longer than a request may take): each available target
   * in turn, a warm-up, then `seconds` of `connections` callers. A CONFLICT while one runs.
   */
  compare(options: { seconds: number; connections: number; maxItemId: number }): void;
  /** The comparison running, or the last one's result or error. */
  comparison(): ComparisonState;
  close(): Promise<void>;
}

/**
 * The architectures the lab compares over the stack at `endpoints`. The monolith needs the
 * stack's database (DATABASE_URL); a peer needs its package.
 */
export function createArchitectures(
  config: Config,
  endpoints: Endpoints,
  /** The lab's admin switch of the stack's API caches, and where the stack's /metrics are read. */
  stack: Pick<StackControl, 'applyToApi' | 'metricsSources'>,
): Architectures {
  // its own connections: a comparison may use up to 64 callers
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const started = new Map<Target, { url: string; process: StartedProcess }>();
  let state: ComparisonState = { running: false, result: null, error: null };
  const unavailable = (target: Target): string | null => {
    if (target === 'gateway') return null;
    if (target === 'monolith') return config.databaseUrl ? null : 'the monolith needs the stack’s DATABASE_URL';
    return gatewayUnavailable(target);
  };
  const label = (target: Target) =>
    target === 'gateway'
      ? "the stack's gateway"
      : target === 'monolith'
        ? 'monolith (no gateway)'
        : GATEWAY_CHOICES[target].label;

  /** The target's URL and the process whose CPU is its (null: the stack's gateway, read from its /metrics). */
  const endpointOf = async (target: Target): Promise<{ url: string; pid: number | null }> => {
    if (target === 'gateway') return { url: endpoints.gateway, pid: null };
    const running = started.get(target);
    if (running) return { url: running.url, pid: running.process.pid };
    const port = await freePort();
    // the stack's database, caches off: what is compared is the uncached page
    const env = {
      ...process.env,
      DATABASE_URL: config.databaseUrl,
      CACHE_MODE: 'off',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    };
    const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, endpoints[name]])) as Record<
      SubgraphName,
      string
    >;
    const child = target === 'monolith' ? startMonolith(port, env) : startGateway(target, port, subgraphUrls, env);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, {
        name: label(target),
        timeoutMs: 60_000,
        probe: target === 'monolith' ? undefined : readyProbe(target),
      });
    } catch (error) {
      await child.stop();
      throw error;
    }
    started.set(target, { url, process: child });
    return { url, pid: child.pid };
  };

  const measure = async (
    target: Target,
    options: { seconds: number; connections: number; maxItemId: number },
  ): Promise<ArchitectureRow> => {
    const { url, pid } = await endpointOf(target);
    let firstError: string | null = null;
    const send = async () => {
      const id = 1 + Math.floor(Math.random() * options.maxItemId);
      const answer = await request(`${url}/graphql`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ITEM_PAGE_QUERY, variables: itemPageVariables(id) }),
      });
      const body = (await answer.body.json()) as { errors?: { message: string }[] };
      if (answer.statusCode !== 200 || body.errors) {
        firstError ??= `HTTP ${answer.statusCode}: ${body.errors?.[0]?.message ?? ''}`;
        throw new Error(firstError);
      }
    };
    // a short warm-up: a child just started runs unoptimised code
    await runClosedLoop({ connections: options.connections, durationSeconds: 1, send });
    const groups = { front: () => (pid === null ? [] : [pid]) };
    const sources = await stack.metricsSources();
    const counters = await readCounters(sources);
    const cpu = cpuSnapshot(groups);
    const loop = await runClosedLoop({ connections: options.connections, durationSeconds: options.seconds, send });
    const spent = cpuSpent(cpu, cpuSnapshot(groups));
    const mechanism = mechanismBetween(counters, await readCounters(sources), loop.ok);
    const subgraphs = SUBGRAPH_NAMES.map((name) => mechanism.cpuMsByService[name]);
    const subgraphsCpu =
      target === 'monolith' || subgraphs.some((ms) => ms === undefined)
        ? null
        : subgraphs.reduce<number>((sum, ms) => sum + ms!, 0);
    const frontCpu =
      pid === null ? (mechanism.cpuMsByService.gateway ?? null) : loop.ok ? spent.front! / loop.ok : null;
    return {
      target,
      label: label(target),
      lacks: target === 'gateway' || target === 'monolith' ? '' : GATEWAY_CHOICES[target].lacks,
      pagesPerSecond: loop.okPerSecond,
      p50: loop.latency.p50,
      p99: loop.latency.p99,
      errors: loop.errors,
      firstError,
      gatewayCpuMsPerPage: target === 'monolith' ? null : frontCpu,
      cpuMsPerPage:
        target === 'monolith' ? frontCpu : frontCpu === null || subgraphsCpu === null ? null : frontCpu + subgraphsCpu,
    };
  };

  return {
    choices: () =>
      TARGETS.map((target) => ({
        target,
        label: label(target),
        lacks: target === 'gateway' || target === 'monolith' ? '' : GATEWAY_CHOICES[target].lacks,
        unavailable: unavailable(target),
      })),
    compare(options) {
      if (state.running) throw new AppError('CONFLICT', 'a comparison is in progress');
      state = { running: true, result: null, error: null };
      void (async () => {
        // the stack's caches off for the comparison, as the monolith and the peers run: uncached pages
        const before = await stack.applyToApi({ cacheMode: 'off' });
        try {
          const rows: ArchitectureRow[] = [];
          for (const target of TARGETS.filter((one) => !unavailable(one))) rows.push(await measure(target, options));
          return { ...options, rows, verdict: verdictOf(rows) };
        } finally {
          await stack.applyToApi(before, { restoring: true });
        }
      })().then(
        (result) => (state = { running: false, result, error: null }),
        (error: Error) => (state = { running: false, result: null, error: error.message }),
      );
    },
    comparison: () => state,
    async close() {
      await Promise.all([...started.values()].map((one) => one.process.stop()));
      started.clear();
      await agent.close();
    },
  };
}

/** One line per target against the stack's gateway: its pages/s and CPU per page as ratios. */
export function verdictOf(rows: ArchitectureRow[]): string[] {
  const base = rows.find((row) => row.target === 'gateway');
  if (!base) return [];
  return rows
    .filter((row) => row !== base)
    .map((row) => {
      if (row.errors) return `${row.label}: ${row.errors} failed pages (${row.firstError}); not comparable`;
      const speed = (row.pagesPerSecond / base.pagesPerSecond).toFixed(2);
      const cpu =
        row.cpuMsPerPage !== null && base.cpuMsPerPage
          ? ` at ${(row.cpuMsPerPage / base.cpuMsPerPage).toFixed(2)}x its CPU per page`
          : '';
      return `${row.label}: ${speed}x the pages/s of the stack's gateway${cpu}`;
    });
}
