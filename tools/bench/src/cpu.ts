// npm run bench:cpu: CPU ms per page for each service process (and Postgres) over a fixed
// workload, with every cache layer off: the federated GraphQL page, the direct REST page (four
// calls), the SSR page, a write, and how the GraphQL cost grows with the rows a page returns.
// CPU per page is far steadier than requests/s on a shared machine.
import { mkdir, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseCliArgs, SERVICE_NAMES, stringOptions } from '@supergraph-lab/config';
import { ITEM_PAGE_QUERY, itemPageVariables, LISTING_QUERY } from '@supergraph-lab/http/documents';
import { scratchDatabase, startServices, type RunningStack, type ServiceName } from '@supergraph-lab/stack/processes';
import {
  cpuSnapshot,
  cpuSpent,
  itemIds,
  loadPages,
  median,
  postgresBackendsOf,
  positive,
  summarizeProfile,
  targetNamed,
  type CpuGroups,
  type Endpoints,
  type Outcome,
  type RequestSpec,
  type Window,
} from '@supergraph-lab/loadtest';

interface Workload {
  name: string;
  description: string;
  requests: (endpoints: Endpoints, id: number, n: number) => RequestSpec[];
}

const graphqlPage =
  (first: number): Workload['requests'] =>
  (endpoints, id) => [
    {
      method: 'POST',
      url: `${endpoints.gateway}/graphql`,
      body: { query: ITEM_PAGE_QUERY, variables: { ...itemPageVariables(id), first } },
      graphql: true,
    },
  ];
const target = (name: string, label: string): Workload => ({
  name: label,
  description: targetNamed(name).description,
  requests: targetNamed(name).requests,
});

/** The fixed workload: the contract's four (page three ways and a write), then the scaling rows. */
const WORKLOADS: Workload[] = [
  target('graphql', 'graphql'),
  target('rest', 'rest'),
  target('ssr', 'ssr'),
  target('graphql-mutation', 'write'),
  { name: 'graphql reviews(first: 20)', description: 'the item page query with 20 reviews', requests: graphqlPage(20) },
  {
    name: 'graphql reviews(first: 100)',
    description: 'the item page query with 100 reviews',
    requests: graphqlPage(100),
  },
  {
    name: 'graphql listing(first: 20)',
    description: '20 items with photo and review summary (three subgraphs, batched)',
    requests: (endpoints) => [
      {
        method: 'POST',
        url: `${endpoints.gateway}/graphql`,
        body: { query: LISTING_QUERY, variables: { first: 20 } },
        graphql: true,
      },
    ],
  },
];

// every service of the registry, in its order (the contract's)
const SERVICES: readonly ServiceName[] = SERVICE_NAMES;

/** Runs `pages` page loads, `concurrency` at a time; throws when any failed. Returns the seconds it took. */
async function drive(
  workload: Workload,
  endpoints: Endpoints,
  nextId: () => number,
  pages: number,
  concurrency: number,
): Promise<number> {
  const started = performance.now();
  let failure: Outcome | undefined;
  const ids = Array.from({ length: pages }, nextId);
  const ok = await loadPages({
    endpoints,
    target: workload,
    ids,
    concurrency,
    timeoutMs: 10_000,
    onFailure: (outcome) => (failure ??= outcome),
  });
  if (ok < pages)
    throw new Error(`${workload.name}: ${pages - ok} of ${pages} pages failed, the first: ${failure?.error?.message}`);
  return (performance.now() - started) / 1000;
}

const USAGE =
  'usage: npm run bench:cpu -- [--items N] [--pages N] [--rounds R] [--warmup N] [--concurrency C] [--only NAMES] [--profile DIR] [--json FILE]';

async function main(): Promise<void> {
  const values = parseCliArgs(
    process.argv.slice(2),
    stringOptions({
      items: '5000',
      pages: '1000',
      rounds: '3',
      warmup: '500',
      concurrency: '16',
      only: undefined,
      profile: undefined,
      json: undefined,
    }),
    USAGE,
  );
  const items = Math.round(positive('items', values.items, 10_000_000));
  const pages = Math.round(positive('pages', values.pages, 1_000_000));
  const warmup = Math.round(positive('warmup', values.warmup, 1_000_000));
  const concurrency = Math.round(positive('concurrency', values.concurrency, 1024));
  const rounds = Math.round(positive('rounds', values.rounds, 100));
  const only = values.only?.split(',').map((name) => name.trim());
  // a name picks the workload of that exact name, else every workload it begins: "graphql" is the
  // four GraphQL rows, "graphql" alone would need a name no other row starts with
  const picks = (name: string, workload: Workload) =>
    WORKLOADS.some((w) => w.name === name) ? workload.name === name : workload.name.startsWith(name);
  const workloads = only ? WORKLOADS.filter((workload) => only.some((name) => picks(name, workload))) : WORKLOADS;
  if (workloads.length === 0)
    throw new Error(
      `--only: no workload starts with ${only!.join(' or ')}; there are ${WORKLOADS.map((w) => `"${w.name}"`).join(', ')}`,
    );
  const profileDir = values.profile ? path.resolve(values.profile) : null;

  process.stderr.write(`bench:cpu: seeding ${items.toLocaleString('en')} items\n`);
  const database = await scratchDatabase('cpu', items);
  let stack: RunningStack | null = null;
  let stackPids: RunningStack['pids'] = {};
  const windows: Window[] = [];
  const rows: {
    workload: string;
    description: string;
    pagesPerSecond: number;
    cpuMsPerPage: Record<string, number>;
  }[] = [];
  try {
    // every cache layer off: this measures the uncached work of each service
    stack = await startServices(
      database.url,
      { CACHE_MODE: 'off', LAB: 'off' },
      true,
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    const running = stack;
    stackPids = stack.pids;
    const endpoints: Endpoints = stack.urls;
    const groups: CpuGroups = Object.fromEntries([
      ...SERVICES.map((name) => [name, () => [running.pids[name]!]] as const),
      // the backends of this run's database only: not another database's, nor the cluster's own
      ['postgres', () => postgresBackendsOf(database.url)] as const,
    ]);
    const nextId = itemIds(items);
    // warm every path first (JIT, pools, plan caches), so no workload pays for the next one's start
    for (const workload of workloads) await drive(workload, endpoints, nextId, warmup, concurrency);
    // rounds interleave the workloads, so a drift (JIT, heap growth, a busy neighbour) spreads over all of them
    const measured = new Map<Workload, { perPage: Record<string, number>; pagesPerSecond: number }[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const workload of workloads) {
        const before = cpuSnapshot(groups);
        const from = Number(process.hrtime.bigint() / 1000n);
        const seconds = await drive(workload, endpoints, nextId, pages, concurrency);
        const spent = cpuSpent(before, cpuSnapshot(groups));
        windows.push([from, Number(process.hrtime.bigint() / 1000n)]);
        const perPage = Object.fromEntries(Object.entries(spent).map(([group, ms]) => [group, ms / pages]));
        perPage.services = SERVICES.reduce((total, name) => total + perPage[name]!, 0);
        measured.set(workload, [...(measured.get(workload) ?? []), { perPage, pagesPerSecond: pages / seconds }]);
        process.stderr.write(
          `bench:cpu: round ${round}/${rounds} ${workload.name}: ${perPage.services!.toFixed(2)} ms of service CPU per page\n`,
        );
      }
    }
    for (const workload of workloads) {
      const runs = measured.get(workload)!;
      const cpuMsPerPage = Object.fromEntries(
        Object.keys(runs[0]!.perPage).map((group) => [group, median(runs.map((run) => run.perPage[group]!))]),
      );
      rows.push({
        workload: workload.name,
        description: workload.description,
        pagesPerSecond: median(runs.map((run) => run.pagesPerSecond)),
        cpuMsPerPage,
      });
    }
  } finally {
    await stack?.stop();
    await database.drop();
  }

  const columns = [...SERVICES, 'services', 'postgres'];
  const header = `| workload (median of ${rounds} x ${pages} pages, ${concurrency} at a time, CACHE_MODE=off) | ${columns.join(' | ')} | pages/s |`;
  const lines = [header, `| --- | ${columns.map(() => '---:').join(' | ')} | ---: |`];
  for (const row of rows)
    lines.push(
      `| ${row.workload} | ${columns.map((column) => row.cpuMsPerPage[column]!.toFixed(2)).join(' | ')} | ${row.pagesPerSecond.toFixed(0)} |`,
    );
  console.log(
    `\nCPU ms per page, by process (${items.toLocaleString('en')} items; "services" is the sum of the Node services)\n`,
  );
  console.log(lines.join('\n'));

  if (values.json) {
    await mkdir(path.dirname(path.resolve(values.json)), { recursive: true });
    await writeFile(values.json, JSON.stringify({ items, pages, concurrency, rows }, null, 2));
  }
  if (profileDir) {
    console.log(`\nCPU profiles in ${profileDir}, over the measured pages only (no start-up or warm-up)`);
    // the windows too, for reading the profiles with other tools
    await writeFile(path.join(profileDir, 'windows.json'), JSON.stringify({ pids: stackPids, windows }));
    const pidOf = Object.fromEntries(Object.entries(stackPids).map(([name, pid]) => [pid, name]));
    for (const file of readdirSync(profileDir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .sort()) {
      // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main one
      const [, , , pid, thread] = file.split('.');
      const summary = summarizeProfile(path.join(profileDir, file), 20, windows);
      if (summary.sampleMs < 1) continue;
      console.log(
        `\n${pidOf[pid!] ?? `pid ${pid}`}${thread === '0' ? '' : ` (thread ${thread})`}: ${(summary.sampleMs / 1000).toFixed(1)} s busy  (${file})`,
      );
      console.log('  by self time:');
      for (const frame of summary.self)
        console.log(
          `  ${frame.selfPercent.toFixed(1).padStart(5)}% self ${frame.totalPercent.toFixed(1).padStart(5)}% total  ${frame.frame}`,
        );
      console.log('  by inclusive time:');
      for (const frame of summary.total)
        console.log(
          `  ${frame.selfPercent.toFixed(1).padStart(5)}% self ${frame.totalPercent.toFixed(1).padStart(5)}% total  ${frame.frame}`,
        );
    }
  }
}

main().catch((error: Error) => {
  console.error(`bench:cpu: ${error.message}`);
  process.exitCode = 1;
});
