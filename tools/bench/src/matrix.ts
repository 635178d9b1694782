// npm run bench: the standard matrix. Every target x CACHE_MODE off/all x rate steps against a
// fresh 100k-item database and the services as processes; a comparison table and the reports.
// --db postgres,mariadb, --cache-store redis,memcached and --balancer nginx,haproxy add those as
// variants side by side (each database's server and store's URL: tools/stack/src/stores.ts; a
// balancer in front of the gateway and the SSR service, with deploy/'s file).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir } from 'node:os';
import {
  CACHE_MODES,
  parseChoices,
  parseCliArgs,
  readConfig,
  readToolConfig,
  stringOptions,
  UsageError,
} from '@supergraph-lab/config';
import { parseBalancers, startBalancer, type Balancer } from '@supergraph-lab/stack/balancer';
import { scratchDatabase, startServices } from '@supergraph-lab/stack/processes';
import { benchDatabaseServer, benchStoreUrls, parseCacheStores, parseDatabases } from '@supergraph-lab/stack/stores';
import { freePort, waitReady } from '@supergraph-lab/testing';
import {
  comparisonMarkdown,
  comparisonTable,
  consoleReporter,
  itemIds,
  loadPages,
  machineInfo,
  nonNegative,
  parseRates,
  parseTargets,
  positive,
  primeCaches,
  renderHtmlReport,
  runLoadTest,
  summarySvg,
  targetNamed,
  type LoadTestReport,
  type StepResult,
} from '@supergraph-lab/loadtest';
import { runSeconds } from '@supergraph-lab/loadtest/plan';

const USAGE =
  'usage: npm run bench -- [--items N] [--target NAMES] [--modes off,all] [--rps 1,10,100,1000] [--duration S] [--warmup S] ' +
  '[--timeout MS] [--connections C] [--out DIR] [--prime SHARE] [--warm N] [--cache-store redis,memcached] [--balancer nginx,haproxy] [--db postgres,mariadb]';

async function main(): Promise<number> {
  const values = parseCliArgs(
    process.argv.slice(2),
    stringOptions({
      items: '100000',
      target: 'all',
      modes: 'off,all',
      rps: '1,10,100,1000',
      duration: '5',
      warmup: '2',
      timeout: '2000',
      connections: '256',
      out: 'reports/bench',
      prime: '0.1',
      warm: '500',
      'cache-store': undefined,
      balancer: undefined,
      db: undefined,
    }),
    USAGE,
  );
  const modes = parseChoices(values.modes, CACHE_MODES, '--modes', USAGE);
  const items = Math.round(positive('items', values.items, 10_000_000));
  const primeShare = nonNegative('prime', values.prime, 1);
  const warmPages = Math.round(nonNegative('warm', values.warm, 100_000));
  const databases = values.db === undefined ? null : parseDatabases(values.db);
  const stores = values['cache-store'] ? parseCacheStores(values['cache-store']) : null;
  const balancers = values.balancer === undefined ? null : parseBalancers(values.balancer, 'one or both');
  /** What the matrix runs, each a variant of its own: on each database, the cache modes, on each store, behind each balancer. */
  const variants = (databases ?? [null]).flatMap((db) =>
    modes.flatMap((mode) =>
      (stores ?? [null]).flatMap((store) =>
        ((balancers as Balancer[] | null) ?? [null]).map((balancer) => ({
          db,
          mode,
          store,
          balancer,
          name: [
            ...(db ? [db] : []),
            `cache ${mode}`,
            ...(store ? [store] : []),
            ...(balancer ? [`via ${balancer}`] : []),
          ].join(' · '),
        })),
      ),
    ),
  );
  const settings = {
    targets: parseTargets(values.target),
    rates: parseRates(values.rps),
    durationSeconds: positive('duration', values.duration, 600),
    warmupSeconds: nonNegative('warmup', values.warmup, 600),
    timeoutMs: positive('timeout', values.timeout, 60_000),
    connections: Math.round(positive('connections', values.connections, 65_536)),
  };
  const notes: string[] = [];
  if (!stores && !readConfig().cacheUrl)
    notes.push(
      'no CACHE_URL or REDIS_URL: "all" means the in-memory entity cache only (the gateway layers need a shared store)',
    );
  const estimate = variants.length * runSeconds(settings);
  process.stderr.write(
    `bench: ${settings.targets.length} targets x ${variants.length} variants ` +
      `(${variants.map((variant) => variant.name).join(', ')}) x ${settings.rates.length} rates, ` +
      `about ${Math.ceil(estimate / 60)} min of load\n`,
  );

  const startedAt = new Date().toISOString();
  const seeding = performance.now();
  // the same data set on each database compared (without --db, DATABASE_URL's)
  const scratch = new Map<string, Awaited<ReturnType<typeof scratchDatabase>>>();
  for (const db of databases ?? [null]) {
    scratch.set(db ?? '', await scratchDatabase('matrix', items, db ? benchDatabaseServer(db) : undefined));
  }
  const seeded = databases ? ` in ${databases.join(' and ')}` : '';
  const seedSeconds = (performance.now() - seeding) / 1000;
  process.stderr.write(`bench: ${items.toLocaleString('en')} items seeded${seeded} in ${seedSeconds.toFixed(1)} s\n`);
  const steps: StepResult[] = [];
  const cancel = new AbortController();
  const stop = () => cancel.abort();
  // Ctrl-C or a kill: stop the load, then the services and the scratch database go too
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const print = consoleReporter();
  const storeUrls = stores ? await benchStoreUrls(stores) : null;
  try {
    for (const [index, { db, mode, store, balancer, name: variant }] of variants.entries()) {
      if (cancel.signal.aborted) break;
      const adminToken = randomBytes(16).toString('hex');
      // a namespace per run and mode: nothing cached by an earlier run or the other mode is served
      // entries outlive the run (the default TTL of 5 min would expire the primed ones mid-run)
      const env = {
        CACHE_MODE: mode,
        ADMIN_TOKEN: adminToken,
        CACHE_NAMESPACE: `bench-${process.pid}-${index}`,
        CACHE_TTL_SECONDS: '7200',
        ...(store ? { CACHE_URL: storeUrls!.urls[store]! } : {}),
      };
      const stack = await startServices(scratch.get(db ?? '')!.url, env, true);
      const front = balancer ? await frontWith(balancer, stack.ports.gateway, stack.ports.ssr) : null;
      try {
        // behind a balancer: the gateway's and the SSR service's requests go through it
        const endpoints = front ? { ...stack.urls, gateway: front.url, ssr: front.url } : stack.urls;
        if (warmPages > 0) {
          // freshly started services run unoptimised code for their first thousands of requests:
          // without this, whichever step comes first measures the JIT, not the architecture
          const started = performance.now();
          const nextId = itemIds(items);
          for (const name of settings.targets) {
            const ids = Array.from({ length: warmPages }, nextId);
            await loadPages({
              endpoints,
              target: targetNamed(name),
              ids,
              timeoutMs: settings.timeoutMs,
              signal: cancel.signal,
            });
          }
          process.stderr.write(
            `bench: ${variant}: services warmed with ${warmPages} pages of each target in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
          );
          // what the warm-up cached is not the steady state the priming below sets up
          if (mode !== 'off') await flushCaches(endpoints.gateway, adminToken);
        }
        if (mode !== 'off' && primeShare > 0) {
          // a shop's cache in its steady state holds the hot items: load the newest share once each
          const ids = Array.from({ length: Math.ceil(items * primeShare) }, (_, i) => items - i);
          const started = performance.now();
          const ok = await primeCaches({ endpoints, ids, timeoutMs: settings.timeoutMs, signal: cancel.signal });
          const note = `${variant}: primed with the page query for the newest ${ids.length.toLocaleString('en')} items (${ok} ok) in ${((performance.now() - started) / 1000).toFixed(1)} s`;
          notes.push(note);
          process.stderr.write(`bench: ${note}\n`);
        }
        steps.push(
          ...(await runLoadTest({
            ...settings,
            endpoints,
            // behind a balancer its /metrics is one gateway's: each service's counters are read from it directly
            metricsEndpoints: stack.urls,
            maxItemId: items,
            variant,
            signal: cancel.signal,
            onEvent: print,
          })),
        );
        // leave the store as it was found
        await flushCaches(endpoints.gateway, adminToken);
      } finally {
        front?.process.kill('SIGTERM');
        await stack.stop();
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    for (const database of scratch.values()) await database.drop();
    await storeUrls?.stop();
  }

  const report: LoadTestReport = {
    title: [
      'supergraph-lab bench: REST vs GraphQL vs SSR, cache off and on',
      ...(databases ? [`on ${databases.join(' and ')}`] : []),
      ...(stores ? [`on ${stores.join(' and ')}`] : []),
      ...(balancers ? [`behind ${balancers.join(' and ')}`] : []),
    ].join(', '),
    startedAt,
    finishedAt: new Date().toISOString(),
    settings: { ...settings, variants: variants.map((variant) => variant.name), notes },
    machine: machineInfo(),
    dataSet: { maxItemId: items, items },
    steps,
  };
  const out = path.resolve(values.out);
  await mkdir(out, { recursive: true });
  const table = comparisonMarkdown(steps, settings.rates);
  await writeFile(path.join(out, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(out, 'bench.html'), renderHtmlReport(report));
  await writeFile(path.join(out, 'bench.svg'), summarySvg(report));
  await writeFile(path.join(out, 'bench.md'), `${table}\n`);
  const machine = report.machine;
  process.stdout.write(
    `\n${comparisonTable(steps, settings.rates)}\n\n${items.toLocaleString('en')} items, ${machine.cpus} cores, Node ${machine.node}\n`,
  );
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}/bench.{json,html,svg,md}\n`);
  return cancel.signal.aborted ? 130 : 0;
}

/** `balancer` on a free port in front of the gateway and the SSR service, once it answers. */
async function frontWith(balancer: Balancer, gateway: number, ssr: number) {
  const port = await freePort();
  const child = startBalancer(balancer, {
    port,
    gateways: [gateway],
    ssrs: [ssr],
    dir: `${tmpdir()}/sgl-bench-${balancer}-${port}`,
    tools: readToolConfig(),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, { name: balancer, timeoutMs: 30_000 });
  return { url, process: child };
}

/** Empties every cache layer of the running stack (the gateway relays it to the subgraphs). */
async function flushCaches(gateway: string, adminToken: string): Promise<void> {
  await fetch(`${gateway}/cache/flush`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } }).catch(
    () => undefined,
  );
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`bench: ${error instanceof UsageError ? error.message : (error.stack ?? error.message)}\n`);
    process.exit(2);
  },
);
