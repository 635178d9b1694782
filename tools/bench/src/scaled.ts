// npm run bench:scaled: the item page query through a load balancer, two setups measured in the
// same run (alternating rounds, medians):
//   default                        nginx in front of one gateway instance against nginx in front of two
//   --balancer nginx,haproxy       nginx against HAProxy, each in front of the same two instances
// Subgraphs, two gateways and the balancers (deploy/nginx.conf, deploy/haproxy.cfg) as processes
// on a scratch database; CACHE_MODE=off (--cache) so the gateways work.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  argsOrExit,
  CACHE_MODES,
  parseChoices,
  parseCliArgs,
  parseCount,
  readToolConfig,
  stringOptions,
} from '@supergraph-lab/config';
import { portEnvironment } from '@supergraph-lab/config/services';
import { createAgent, endpointsAt, loadPage, runClosedLoop, targetNamed } from '@supergraph-lab/loadtest';
import { scratchDatabase, startServices } from '@supergraph-lab/stack/processes';
import { freePort, waitReady } from '@supergraph-lab/testing';
import { median } from './harness.ts';
import { parseBalancers, startBalancer, type Balancer } from '@supergraph-lab/stack/balancer';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOOLS = readToolConfig();
const USAGE =
  'usage: npm run bench:scaled -- [--items N] [--seconds S] [--connections C] [--rounds R] [--cache MODE] [--balancer nginx,haproxy]';

function readArgs() {
  const values = parseCliArgs(
    process.argv.slice(2),
    stringOptions({ items: '20000', seconds: '10', connections: '64', rounds: '3', cache: 'off', balancer: undefined }),
    USAGE,
  );
  const [cache] = parseChoices(values.cache, CACHE_MODES, '--cache', USAGE);
  const balancers = values.balancer === undefined ? undefined : parseBalancers(values.balancer, 2);
  return {
    items: parseCount(values.items, '--items'),
    seconds: parseCount(values.seconds, '--seconds'),
    connections: parseCount(values.connections, '--connections'),
    rounds: parseCount(values.rounds, '--rounds'),
    cacheMode: cache!,
    balancers: balancers as [Balancer, Balancer] | undefined,
  };
}

const options = argsOrExit('bench:scaled', readArgs);
const { items, seconds, connections, rounds, cacheMode } = options;

/** Closed loop: `connections` clients asking for pages for `seconds`; pages/s and p99. */
async function measure(origin: string) {
  const agent = createAgent(connections);
  const graphql = targetNamed('graphql');
  const endpoints = endpointsAt(origin);
  try {
    const result = await runClosedLoop({
      connections,
      durationSeconds: seconds,
      send: async () => {
        const outcome = await loadPage(
          agent,
          graphql.requests(endpoints, 1 + Math.floor(Math.random() * items), 0),
          AbortSignal.timeout(5000),
        );
        if (!outcome.ok) throw new Error(outcome.error?.message ?? 'failed');
      },
    });
    return { rps: result.okPerSecond, p99: result.latency.p99, errors: result.errors };
  } finally {
    await agent.close();
  }
}

const database = await scratchDatabase('scaled', items);
// one namespace for both gateways (they share a cache), fresh for this run
const cacheEnv = { CACHE_MODE: cacheMode, CACHE_NAMESPACE: `bench-scaled-${process.pid}` };
const stack = await startServices(database.url, cacheEnv);
const second = await freePort();
const extra = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'gateway/src/main.ts')], {
  env: {
    ...process.env,
    ...cacheEnv,
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
    // the stack's subgraphs
    ...portEnvironment(stack.ports),
    GATEWAY_PORT: String(second),
  },
  stdio: 'inherit',
});
const both = [stack.ports.gateway, second];
const setups: { name: string; port: number; gateways: number[]; balancer: Balancer }[] = options.balancers
  ? options.balancers.map((balancer) => ({ name: `${balancer}, 2 instances`, port: 0, gateways: both, balancer }))
  : [
      { name: 'nginx, 1 instance', port: 0, gateways: [stack.ports.gateway], balancer: 'nginx' },
      { name: 'nginx, 2 instances', port: 0, gateways: both, balancer: 'nginx' },
    ];
for (const setup of setups) setup.port = await freePort();
// the page backends point at the gateways too: no page is asked for here, and HAProxy's checks pass
const balancers = setups.map((setup) =>
  startBalancer(setup.balancer, {
    port: setup.port,
    gateways: setup.gateways,
    ssrs: setup.gateways,
    dir: path.join(tmpdir(), `sgl-bench-${setup.balancer}-${setup.port}`),
    tools: TOOLS,
  }),
);
try {
  for (const port of [second, ...setups.map((setup) => setup.port)])
    await waitReady(`http://127.0.0.1:${port}`, { timeoutMs: 30_000 });
  // warm every path (JIT, plans, connections)
  for (const setup of setups) await measure(`http://127.0.0.1:${setup.port}`);
  const results = setups.map(() => [] as { rps: number; p99: number; errors: number }[]);
  for (let round = 0; round < rounds; round++) {
    // alternate which goes first: a drift in the machine's load falls on both alike
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const index of order) {
      const setup = setups[index]!;
      const result = await measure(`http://127.0.0.1:${setup.port}`);
      results[index]!.push(result);
      console.log(
        `round ${round + 1}: ${setup.name}: ${result.rps.toFixed(0)} pages/s, p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors`,
      );
    }
  }
  const [a, b] = results.map((list) => ({
    rps: median(list.map((r) => r.rps)),
    p99: median(list.map((r) => r.p99)),
    errors: list.reduce((sum, r) => sum + r.errors, 0),
  }));
  console.log(
    `\n${items.toLocaleString('en')} items, CACHE_MODE=${cacheMode}, ${connections} connections, medians of ${rounds} rounds:`,
  );
  console.log(`  ${setups[0]!.name}: ${a!.rps.toFixed(0)} pages/s, p99 ${a!.p99.toFixed(1)} ms, ${a!.errors} errors`);
  console.log(
    `  ${setups[1]!.name}: ${b!.rps.toFixed(0)} pages/s, p99 ${b!.p99.toFixed(1)} ms, ${b!.errors} errors  (${(b!.rps / a!.rps).toFixed(2)}x)`,
  );
} finally {
  for (const balancer of balancers) balancer.kill('SIGTERM');
  extra.kill('SIGTERM');
  await stack.stop();
  await database.drop();
}
