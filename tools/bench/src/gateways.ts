// npm run bench:gateways: the item page through the monolith, the project's gateway, Hive Gateway
// (JavaScript and Rust planner) and Grafbase over the same real subgraphs, in the shape of the
// published gateway benchmarks: a closed loop of 50 connections, a warm-up, then a measured
// window, in alternating rounds, with every cache layer off. Per target: pages/s, p50/p95/p99,
// errors, the gateway's CPU ms per page and RSS, the subgraphs' and Postgres's CPU ms per page.
// --stub-subgraphs puts a subgraph answering from memory (stub-subgraph.ts) in front of each real
// one, so what is left is the gateways' own cost. Table on stdout; --json and --html files.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { SUBGRAPH_NAMES, type SubgraphName } from '@supergraph-lab/config';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import {
  cpuSnapshot,
  cpuSpent,
  escapeXml,
  machineInfo,
  postgresBackendsOf,
  positive,
  reportPage,
  runClosedLoop,
  writeReportFiles,
  type CpuGroups,
} from '@supergraph-lab/loadtest';
import { GATEWAY_CHOICES, gatewayUnavailable, GATEWAYS, readyProbe } from '@supergraph-lab/stack/gateways';
import {
  serviceCommand,
  startGateway,
  startMonolith,
  startProcess,
  type StartedProcess,
} from '@supergraph-lab/stack/processes';
import { waitReady } from '@supergraph-lab/testing';
import { biasedItemId } from '@supergraph-lab/db';
import { freePort, median, postGraphQL, scratchDatabase, startServices, type RunningStack } from './harness.ts';

/** What a row measures: the monolith, or a gateway GATEWAY can name. */
const TARGETS = ['monolith', ...GATEWAYS] as const;
type Target = (typeof TARGETS)[number];
const LABELS: Record<Target, string> = {
  monolith: 'monolith (no gateway)',
  ...Object.fromEntries(GATEWAYS.map((kind) => [kind, GATEWAY_CHOICES[kind].label])),
} as Record<Target, string>;
/** In stub mode, pages ask for items 1..STUB_ITEMS, so the warm-up has seen every subgraph request. */
const STUB_ITEMS = 200;

/** What the load generator saw of a target: pages/s, latency percentiles (ms), errors. */
interface Served {
  pagesPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  firstError: string | null;
}

/** One measured window of one target. */
interface Window extends Served {
  gatewayCpuMs: number | null;
  subgraphsCpuMs: number;
  postgresCpuMs: number;
  rssMb: number;
}

/** One target's row: medians over its windows (errors summed, RSS the largest). */
export interface GatewayRow extends Served {
  target: Target;
  label: string;
  /** CPU ms per page of the process the page was sent to (null for the monolith: it is the service). */
  gatewayCpuMsPerPage: number | null;
  subgraphsCpuMsPerPage: number;
  /** Everything the page cost the Node (or Rust) services: gateway and subgraphs, or the monolith. */
  servicesCpuMsPerPage: number;
  postgresCpuMsPerPage: number;
  rssMb: number;
}

export interface GatewaysReport {
  title: string;
  startedAt: string;
  settings: Record<string, unknown>;
  machine: ReturnType<typeof machineInfo>;
  skipped: { target: Target; why: string }[];
  rows: GatewayRow[];
  stubs?: { hits: number; misses: number };
}

const USAGE =
  'usage: npm run bench:gateways -- [--items N] [--connections C] [--warmup S] [--seconds S] [--rounds R] ' +
  '[--only monolith,apollo,hive,hive-rust,grafbase] [--stub-subgraphs] [--json FILE] [--html FILE]';

function readOptions() {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '15' },
      seconds: { type: 'string', default: '60' },
      rounds: { type: 'string', default: '3' },
      only: { type: 'string' },
      'stub-subgraphs': { type: 'boolean', default: false },
      json: { type: 'string' },
      html: { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((name) => name.trim()) ?? [...TARGETS];
  const unknown = only.filter((name) => !(TARGETS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`--only: no target ${unknown.join(', ')}; ${USAGE}`);
  return {
    items: Math.round(positive('items', values.items, 10_000_000)),
    connections: Math.round(positive('connections', values.connections, 1024)),
    warmup: positive('warmup', values.warmup, 3600),
    seconds: positive('seconds', values.seconds, 3600),
    rounds: Math.round(positive('rounds', values.rounds, 100)),
    only: only as Target[],
    stub: values['stub-subgraphs'],
    json: values.json,
    html: values.html,
  };
}

/** Resident memory of a process, MB (0 when it is gone). */
function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const startedAt = new Date().toISOString();
  const log = (line: string) => process.stderr.write(`bench:gateways: ${line}\n`);
  const skipped: GatewaysReport['skipped'] = [];
  const targets = options.only.filter((target) => {
    const why =
      target === 'monolith'
        ? options.stub
          ? 'the monolith has no subgraphs to stub: it reads the database in process'
          : null
        : gatewayUnavailable(target);
    if (why) skipped.push({ target, why });
    return !why;
  });
  for (const { target, why } of skipped) log(`skipping ${target}: ${why}`);

  log(`seeding ${options.items.toLocaleString('en')} items`);
  const database = await scratchDatabase('gateways', options.items);
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    CACHE_MODE: 'off',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  const started: StartedProcess[] = [];
  let stack: RunningStack | undefined;
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
  try {
    // the subgraphs (and the stack's own gateway, idle here: each target gets a process of its own)
    stack = await startServices(database.url, { CACHE_MODE: 'off', GATEWAY: 'apollo' });
    const real = stack;
    let upstream = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, real.urls[name]])) as Record<
      SubgraphName,
      string
    >;
    const subgraphPids = () => SUBGRAPH_NAMES.map((name) => real.pids[name]!);
    let stubPids: number[] = [];
    if (options.stub) {
      const stubs = await Promise.all(
        SUBGRAPH_NAMES.map(async (name) => {
          const port = await freePort();
          const stub = startProcess(serviceCommand('tools/bench/src/stub-subgraph.ts'), {
            ...env,
            STUB_PORT: String(port),
            STUB_UPSTREAM: real.urls[name],
          });
          started.push(stub);
          return [name, `http://127.0.0.1:${port}`, stub.pid] as const;
        }),
      );
      for (const [name, url] of stubs) await waitReady(url, { name: `the ${name} stub` });
      upstream = Object.fromEntries(stubs.map(([name, url]) => [name, url])) as Record<SubgraphName, string>;
      stubPids = stubs.map(([, , pid]) => pid);
    }

    // every target at once, then each waited for: they idle while another is measured
    const endpoints = new Map<Target, { url: string; pid: number }>();
    for (const target of targets) {
      const port = await freePort();
      const process_ = target === 'monolith' ? startMonolith(port, env) : startGateway(target, port, upstream, env);
      started.push(process_);
      endpoints.set(target, { url: `http://127.0.0.1:${port}`, pid: process_.pid });
    }
    await Promise.all(
      targets.map((target) =>
        waitReady(endpoints.get(target)!.url, {
          name: LABELS[target],
          timeoutMs: 60_000,
          probe: target === 'monolith' ? undefined : readyProbe(target),
        }),
      ),
    );

    const nextId = options.stub
      ? () => 1 + Math.floor(Math.random() * Math.min(STUB_ITEMS, options.items))
      : () => biasedItemId(options.items);
    const send = (url: string) => () =>
      postGraphQL(agent, `${url}/graphql`, ITEM_PAGE_QUERY, itemPageVariables(nextId()));

    if (options.stub) {
      // every page once through every target: each gateway's own subgraph requests are then in memory
      for (const target of targets)
        for (let id = 1; id <= Math.min(STUB_ITEMS, options.items); id++)
          await postGraphQL(agent, `${endpoints.get(target)!.url}/graphql`, ITEM_PAGE_QUERY, itemPageVariables(id));
    }
    for (const target of targets) {
      log(`warming ${LABELS[target]} for ${options.warmup} s`);
      await runClosedLoop({
        connections: options.connections,
        durationSeconds: options.warmup,
        send: send(endpoints.get(target)!.url),
      });
    }
    const stubStats = async () => {
      if (!options.stub) return undefined;
      const all = await Promise.all(
        Object.values(upstream).map(
          async (url) => (await (await fetch(`${url}/stats`)).json()) as { hits: number; misses: number },
        ),
      );
      return {
        hits: all.reduce((sum, one) => sum + one.hits, 0),
        misses: all.reduce((sum, one) => sum + one.misses, 0),
      };
    };
    const stubsBefore = await stubStats();

    const windows = new Map<Target, Window[]>(targets.map((target) => [target, []]));
    const windowSeconds = options.seconds / options.rounds;
    for (let round = 0; round < options.rounds; round++) {
      // each round starts one target later, so none is always first (or always after the same one)
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const target of order) {
        const { url, pid } = endpoints.get(target)!;
        const groups: CpuGroups = {
          front: () => [pid],
          subgraphs: () => (options.stub ? stubPids : subgraphPids()),
          // the backends of this run's database only: not another database's, nor the cluster's own
          postgres: () => postgresBackendsOf(database.url),
        };
        let firstError: string | null = null;
        const before = cpuSnapshot(groups);
        const measured = await runClosedLoop({
          connections: options.connections,
          durationSeconds: windowSeconds,
          send: () =>
            send(url)().catch((error: Error) => {
              firstError ??= error.message;
              throw error;
            }),
        });
        const spent = cpuSpent(before, cpuSnapshot(groups));
        const pages = Math.max(measured.ok, 1);
        windows.get(target)!.push({
          pagesPerSecond: measured.okPerSecond,
          p50: measured.latency.p50,
          p95: measured.p95,
          p99: measured.latency.p99,
          errors: measured.errors,
          firstError,
          gatewayCpuMs: target === 'monolith' ? null : spent.front! / pages,
          subgraphsCpuMs: target === 'monolith' ? spent.front! / pages : spent.subgraphs! / pages,
          postgresCpuMs: spent.postgres! / pages,
          rssMb: rssMb(pid),
        });
        log(
          `round ${round + 1}/${options.rounds} ${LABELS[target]}: ${measured.okPerSecond.toFixed(0)} pages/s, ` +
            `${measured.errors} errors, ${((spent.front! + (target === 'monolith' ? 0 : spent.subgraphs!)) / pages).toFixed(2)} ms service CPU per page`,
        );
      }
    }
    const stubsAfter = await stubStats();

    const rows = targets.map((target): GatewayRow => {
      const runs = windows.get(target)!;
      const gateway = target === 'monolith' ? null : median(runs.map((run) => run.gatewayCpuMs!));
      const subgraphs = median(runs.map((run) => run.subgraphsCpuMs));
      return {
        target,
        label: LABELS[target],
        pagesPerSecond: median(runs.map((run) => run.pagesPerSecond)),
        p50: median(runs.map((run) => run.p50)),
        p95: median(runs.map((run) => run.p95)),
        p99: median(runs.map((run) => run.p99)),
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
        firstError: runs.find((run) => run.firstError)?.firstError ?? null,
        gatewayCpuMsPerPage: gateway,
        subgraphsCpuMsPerPage: target === 'monolith' ? 0 : subgraphs,
        servicesCpuMsPerPage: (gateway ?? 0) + subgraphs,
        postgresCpuMsPerPage: median(runs.map((run) => run.postgresCpuMs)),
        rssMb: Math.max(...runs.map((run) => run.rssMb)),
      };
    });
    const report: GatewaysReport = {
      title: `supergraph-lab bench:gateways: the item page through each gateway${options.stub ? ' (stub subgraphs)' : ''}`,
      startedAt,
      settings: { ...options, json: undefined, html: undefined, windowSeconds, cacheMode: 'off' },
      machine: machineInfo(),
      skipped,
      rows,
      ...(stubsBefore && stubsAfter
        ? { stubs: { hits: stubsAfter.hits - stubsBefore.hits, misses: stubsAfter.misses - stubsBefore.misses } }
        : {}),
    };
    process.stdout.write(`\n${gatewaysTable(report)}\n`);
    await writeReportFiles({ json: options.json, html: options.html }, report, () => gatewaysHtml(report), log);
    if (rows.some((row) => row.errors)) process.exitCode = 1;
  } finally {
    await Promise.all(started.map((one) => one.stop()));
    await stack?.stop();
    await agent.close();
    await database.drop();
  }
}

const fixed = (value: number | null, digits = 2) => (value === null ? '—' : value.toFixed(digits));

/** The report's rows as lines of a Markdown table, with each target's ratios to the project's gateway and the monolith. */
function tableLines(report: GatewaysReport): string[][] {
  const project = report.rows.find((row) => row.target === 'apollo');
  const monolith = report.rows.find((row) => row.target === 'monolith');
  return report.rows.map((row) => [
    row.label,
    row.pagesPerSecond.toFixed(0),
    project ? `${(row.pagesPerSecond / project.pagesPerSecond).toFixed(2)}x` : '—',
    `${fixed(row.p50, 1)} / ${fixed(row.p95, 1)} / ${fixed(row.p99, 1)}`,
    String(row.errors),
    fixed(row.gatewayCpuMsPerPage),
    row.target === 'monolith' ? '—' : fixed(row.subgraphsCpuMsPerPage),
    fixed(row.servicesCpuMsPerPage),
    monolith ? `${(row.servicesCpuMsPerPage / monolith.servicesCpuMsPerPage).toFixed(2)}x` : '—',
    fixed(row.postgresCpuMsPerPage),
    row.rssMb.toFixed(0),
  ]);
}

const HEADER = [
  'target',
  'pages/s',
  'vs project',
  'p50 / p95 / p99 ms',
  'errors',
  'gateway CPU ms/page',
  'subgraphs CPU ms/page',
  'services CPU ms/page',
  'vs monolith',
  'Postgres ms/page',
  'gateway RSS MB',
];

/** The comparison as a Markdown table, with the run's settings and what was skipped. */
export function gatewaysTable(report: GatewaysReport): string {
  const s = report.settings as ReturnType<typeof readOptions> & { windowSeconds: number };
  const lines = [
    `${report.title}: ${s.items} items, ${s.connections} connections, ${s.warmup} s warm-up, ` +
      `${s.rounds} x ${s.windowSeconds} s measured, CACHE_MODE=off, ${report.machine.cpus} cores`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `| --- | ${HEADER.slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
    ...tableLines(report).map((cells) => `| ${cells.join(' | ')} |`),
    '',
    '"services" is the gateway plus the three subgraphs (the monolith: its one process); Postgres is the backends of the run\'s database.',
  ];
  const floor = subgraphsAlone(report);
  if (floor) lines.push(floor);
  if (report.stubs)
    lines.push(
      `stub subgraphs during the measured windows: ${report.stubs.hits} answers from memory, ${report.stubs.misses} misses`,
    );
  for (const row of report.rows.filter((one) => one.errors))
    lines.push(`${row.label}: ${row.errors} errors, the first: ${row.firstError}`);
  for (const { target, why } of report.skipped) lines.push(`skipped ${target}: ${why}`);
  return lines.join('\n');
}

/**
 * What no gateway can take off the federated page: the subgraphs' CPU alone, behind each gateway,
 * against the monolith's whole page (null without a monolith row or with stub subgraphs).
 */
export function subgraphsAlone(report: GatewaysReport): string | null {
  const monolith = report.rows.find((row) => row.target === 'monolith');
  const federated = report.rows.filter((row) => row.target !== 'monolith').map((row) => row.subgraphsCpuMsPerPage);
  if (report.stubs || !monolith || !federated.length || !(monolith.servicesCpuMsPerPage > 0)) return null;
  const low = Math.min(...federated);
  const high = Math.max(...federated);
  const ratio = (value: number) => (value / monolith.servicesCpuMsPerPage).toFixed(2);
  return (
    `the subgraphs alone, behind whichever gateway: ${fixed(low)}-${fixed(high)} ms a page, ` +
    `${ratio(low)}-${ratio(high)}x the monolith's ${fixed(monolith.servicesCpuMsPerPage)} ` +
    '(the part of the federated page no faster gateway removes)'
  );
}

function gatewaysHtml(report: GatewaysReport): string {
  const table =
    `<table><tr>${HEADER.map((cell) => `<th>${escapeXml(cell)}</th>`).join('')}</tr>` +
    tableLines(report)
      .map((cells) => `<tr>${cells.map((cell) => `<td>${escapeXml(cell)}</td>`).join('')}</tr>`)
      .join('') +
    '</table>';
  const notes = gatewaysTable(report)
    .split('\n')
    .filter((line) => line && !line.startsWith('|'))
    .slice(1)
    .map((line) => `<p>${escapeXml(line)}</p>`)
    .join('');
  const facts: [string, string][] = [
    ['started', report.startedAt],
    ['settings', JSON.stringify(report.settings)],
    [
      'machine',
      `${report.machine.cpus} x ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}`,
    ],
  ];
  return reportPage(report.title, facts, `${table}${notes}`);
}

main().catch((error: Error) => {
  console.error(`bench:gateways: ${error.message}`);
  process.exitCode = 1;
});
