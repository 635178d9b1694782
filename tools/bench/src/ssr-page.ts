// npm run bench:ssr [-- --items N --seconds S --connections C --rounds R]: the uncached SSR page
// against the bare GraphQL page query it is built from, measured side by side (CACHE_MODE=off),
// with the page built over REST beside them.
import os from 'node:os';
import { Agent, request } from 'undici';
import {
  benchOptions,
  concurrent,
  median,
  postGraphQL,
  scratchDatabase,
  sequential,
  startServices,
  type PageLoad,
} from './harness.ts';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';

const options = benchOptions('bench:ssr', { rounds: 2 });
const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });

async function html(url: string): Promise<void> {
  const response = await request(url, { dispatcher: agent });
  const body = await response.body.text();
  if (response.statusCode !== 200 || !body.includes('</html>')) throw new Error(`HTTP ${response.statusCode}`);
}

const database = await scratchDatabase('ssr', options.items);
const services = await startServices(database.url, { CACHE_MODE: 'off' }, true);
try {
  const gateway = services.base(services.ports.gateway);
  const ssr = services.base(services.ports.ssr);
  const targets: [string, PageLoad][] = [
    ['graphql query', (id) => postGraphQL(agent, `${gateway}/graphql`, ITEM_PAGE_QUERY, itemPageVariables(id))],
    ['ssr (graphql)', (id) => html(`${ssr}/items/${id}`)],
    ['ssr (rest)', (id) => html(`${ssr}/items/${id}?source=rest`)],
  ];
  console.log(
    `bench:ssr: ${options.items} items, ${os.cpus().length} cores, Node ${process.version}; CACHE_MODE=off; ${options.rounds} alternating rounds; ` +
      `sequential ${options.sequential} pages, then ${options.connections} connections for ${options.seconds} s`,
  );
  const results = new Map(
    targets.map(([name]) => [
      name,
      { p50: [] as number[], p99: [] as number[], rps: [] as number[], cp99: [] as number[] },
    ]),
  );
  for (let round = 1; round <= options.rounds; round++) {
    for (const [name, load] of targets) {
      const seq = await sequential(load, options.items, options.sequential);
      const conc = await concurrent(load, options.items, options.connections, options.seconds);
      const r = results.get(name)!;
      r.p50.push(seq.p50);
      r.p99.push(seq.p99);
      r.rps.push(conc.rps);
      r.cp99.push(conc.p99);
      console.log(
        `round ${round} ${name.padEnd(14)} sequential p50 ${seq.p50.toFixed(2)} ms p99 ${seq.p99.toFixed(2)} ms; ${options.connections} connections ${conc.rps.toFixed(0)}/s p99 ${conc.p99.toFixed(1)} ms${conc.errors ? `; ${conc.errors} errors` : ''}`,
      );
    }
  }
  const base = median(results.get('graphql query')!.rps);
  console.log(`\nmedians          seq p50 ms  seq p99 ms    per s   p99 ms   vs graphql query`);
  for (const [name, r] of results) {
    console.log(
      `${name.padEnd(16)} ${median(r.p50).toFixed(2).padStart(10)} ${median(r.p99).toFixed(2).padStart(11)} ${median(r.rps).toFixed(0).padStart(8)} ${median(r.cp99).toFixed(1).padStart(8)} ${(median(r.rps) / base).toFixed(2).padStart(12)}x`,
    );
  }
} catch (error) {
  console.error(`bench:ssr: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await services.stop();
  await agent.close();
  await database.drop();
}
