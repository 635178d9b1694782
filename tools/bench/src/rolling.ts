// npm run bench:rolling: rolling restarts under load, failed requests per stop. start:scaled's
// topology (tools/stack/src/rolling.ts) behind nginx and/or HAProxy on a scratch database; a
// closed loop of C clients sends the item page query (POST /graphql) or, with --service ssr, the
// SSR page (GET) through the balancer while the two instances of --service are stopped (SIGTERM)
// and started again in turn, K times. --service items restarts the items subgraph behind the
// gateways instead (one instance: its restart is an outage; what is measured is what it costs).
//   npm run bench:rolling -- --balancer nginx,haproxy --connections 10,50 --cache all,off --stops 10
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
import { median, rollingStops, type StopResult } from '@supergraph-lab/loadtest';
import { parseBalancers } from '@supergraph-lab/stack/balancer';
import { scratchDatabase } from '@supergraph-lab/stack/processes';
import { startRollingStack, type RollingStack } from '@supergraph-lab/stack/rolling';

const TOOLS = readToolConfig();
const SERVICES = ['gateway', 'ssr', 'items'] as const;
const USAGE =
  'usage: npm run bench:rolling -- [--balancer nginx,haproxy] [--connections 10,50] [--cache all,off] [--stops K] [--service gateway|ssr|items] [--items N]';

function readArgs() {
  const values = parseCliArgs(
    process.argv.slice(2),
    stringOptions({
      balancer: 'nginx,haproxy',
      connections: '10',
      cache: 'all',
      stops: '10',
      service: 'gateway',
      items: '2000',
    }),
    USAGE,
  );
  const caches = parseChoices(values.cache, CACHE_MODES, '--cache', USAGE);
  const [service] = parseChoices(values.service, SERVICES, '--service', USAGE);
  return {
    balancers: parseBalancers(values.balancer, 'one or both'),
    connections: values.connections.split(',').map((count) => parseCount(count, '--connections')),
    caches,
    stops: parseCount(values.stops, '--stops'),
    service: service!,
    items: parseCount(values.items, '--items'),
  };
}

const options = argsOrExit('bench:rolling', readArgs);

const victimsOf = (stack: RollingStack) =>
  options.service === 'gateway' ? stack.gateways : options.service === 'ssr' ? stack.ssrs : [stack.subgraphs.items];

// a balancer's 502 page, as one short line
const compact = (message: string) =>
  message
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .slice(0, 160);

const describeStop = (result: StopResult) =>
  `${result.instance} exit ${result.exitCode} after ${(result.stopMs / 1000).toFixed(1)} s: ` +
  `${result.ok} ok, ${result.failed} failed` +
  (result.samples.length
    ? `\n      ${result.samples.map((sample) => `${sample.status ?? sample.kind} ${compact(sample.message)}`).join('\n      ')}`
    : '');

const database = await scratchDatabase('rolling', options.items);
const summary: string[] = [];
try {
  for (const balancer of options.balancers)
    for (const cache of options.caches) {
      const stack = await startRollingStack({
        balancer,
        databaseUrl: database.url,
        tools: TOOLS,
        withSsr: options.service === 'ssr',
        env: { CACHE_MODE: cache, CACHE_NAMESPACE: `bench-rolling-${process.pid}-${cache}` },
      });
      try {
        for (const connections of options.connections) {
          const label = `${balancer}, CACHE_MODE=${cache}, ${connections} connections, ${options.service} stops`;
          console.log(`${label}:`);
          const results = await rollingStops({
            origin: stack.origin,
            victims: victimsOf(stack),
            stops: options.stops,
            connections,
            load: options.service === 'ssr' ? 'ssr' : 'graphql',
            items: options.items,
            // a subgraph is not behind the balancer: its restart is done once it is ready again
            servedAgain: options.service !== 'items',
            onStop: (result, index) => console.log(`  stop ${index + 1}: ${describeStop(result)}`),
          });
          // the final counts: a request sent during a stop may end after the next one began
          results.forEach((result, index) => console.log(`  stop ${index + 1} in all: ${describeStop(result)}`));
          const failed = results.map((result) => result.failed);
          const line =
            `${label}: failed per stop ${failed.join(' ')} (median ${median(failed)}, total ` +
            `${failed.reduce((a, b) => a + b, 0)} of ${results.reduce((a, r) => a + r.ok + r.failed, 0)})`;
          console.log(line);
          summary.push(line);
        }
      } finally {
        await stack.stop();
      }
    }
} finally {
  await database.drop();
}
console.log(`\n${path.basename(import.meta.filename)} ${process.argv.slice(2).join(' ')}`);
for (const line of summary) console.log(`  ${line}`);
