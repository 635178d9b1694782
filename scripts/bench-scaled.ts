// npm run bench:scaled: the item page query through nginx with one gateway instance against two,
// in the same run (alternating rounds, medians). Subgraphs, two gateways and two nginx (one
// upstream each way) as processes on a scratch database; CACHE_MODE=off (--cache) so the gateways work.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CACHE_MODES, readToolConfig } from '@supergraph-lab/config';
import { createAgent, loadPage, targetNamed } from '@supergraph-lab/loadtest';
import { scratchDatabase, startServices } from '@supergraph-lab/stack/processes';
import { freePort, waitReady } from '@supergraph-lab/testing';
import { median } from '../gateway/bench/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const NGINX = readToolConfig().nginxBin;

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    cache: { type: 'string', default: 'off' },
  },
});
const cacheMode = values.cache;
if (!(CACHE_MODES as readonly string[]).includes(cacheMode))
  throw new Error(`--cache must be one of ${CACHE_MODES.join(', ')}, got "${cacheMode}"`);
const [items, seconds, connections, rounds] = [values.items, values.seconds, values.connections, values.rounds].map(
  Number,
) as [number, number, number, number];

/** nginx on `port` in front of `gateways`, from deploy/nginx.conf with its upstream rewritten. */
function startNginx(port: number, gateways: number[]): ChildProcess {
  const prefix = path.join(tmpdir(), `sgl-bench-nginx-${port}`);
  mkdirSync(prefix, { recursive: true });
  const conf = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8')
    .replace('listen 8080;', `listen ${port};`)
    .replace(
      /upstream gateway \{[^}]*?keepalive 64;/s,
      `upstream gateway {\n${gateways.map((gateway) => `    server 127.0.0.1:${gateway};`).join('\n')}\n    keepalive 64;`,
    );
  writeFileSync(path.join(prefix, 'nginx.conf'), conf);
  return spawn(NGINX, ['-p', `${prefix}/`, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'inherit',
  });
}

/** Closed loop: `connections` clients asking for pages for `seconds`; pages/s and p99. */
async function measure(origin: string, maxId: number) {
  const agent = createAgent(connections);
  const graphql = targetNamed('graphql');
  const endpoints = { gateway: origin, ssr: origin, items: origin, reviews: origin, photos: origin };
  const until = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const outcome = await loadPage(
          agent,
          graphql.requests(endpoints, 1 + Math.floor(Math.random() * maxId), 0),
          AbortSignal.timeout(5000),
        );
        if (outcome.ok) latencies.push(performance.now() - started);
        else errors++;
      }
    }),
  );
  await agent.close();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN, errors };
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
    GATEWAY_PORT: String(second),
    ITEMS_PORT: String(stack.ports.items),
    REVIEWS_PORT: String(stack.ports.reviews),
    PHOTOS_PORT: String(stack.ports.photos),
  },
  stdio: 'inherit',
});
const [onePort, twoPort] = [await freePort(), await freePort()];
const nginxes = [startNginx(onePort, [stack.ports.gateway]), startNginx(twoPort, [stack.ports.gateway, second])];
try {
  for (const port of [second, onePort, twoPort]) await waitReady(`http://127.0.0.1:${port}`, { timeoutMs: 30_000 });
  // warm both paths (JIT, plans, connections)
  await measure(`http://127.0.0.1:${twoPort}`, items);
  const results: Record<'one' | 'two', { rps: number; p99: number; errors: number }[]> = { one: [], two: [] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, port] of (round % 2
      ? [
          ['two', twoPort],
          ['one', onePort],
        ]
      : [
          ['one', onePort],
          ['two', twoPort],
        ]) as ['one' | 'two', number][]) {
      const result = await measure(`http://127.0.0.1:${port}`, items);
      results[name].push(result);
      console.log(
        `round ${round + 1}: ${name} gateway instance${name === 'two' ? 's' : ''}: ${result.rps.toFixed(0)} pages/s, p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors`,
      );
    }
  }
  const [one, two] = [results.one, results.two].map((list) => ({
    rps: median(list.map((r) => r.rps)),
    p99: median(list.map((r) => r.p99)),
  }));
  console.log(
    `\n${items.toLocaleString('en')} items, CACHE_MODE=${cacheMode}, ${connections} connections through nginx, medians of ${rounds} rounds:`,
  );
  console.log(`  1 gateway instance:  ${one!.rps.toFixed(0)} pages/s, p99 ${one!.p99.toFixed(1)} ms`);
  console.log(
    `  2 gateway instances: ${two!.rps.toFixed(0)} pages/s, p99 ${two!.p99.toFixed(1)} ms  (${(two!.rps / one!.rps).toFixed(2)}x)`,
  );
} finally {
  for (const nginx of nginxes) nginx.kill('SIGTERM');
  extra.kill('SIGTERM');
  await stack.stop();
  await database.drop();
}
