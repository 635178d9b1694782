// npm run bench:ssr [-- --items N --seconds S --connections C --rounds R]: the uncached SSR page
// against the bare GraphQL page query it is built from, measured side by side (CACHE_MODE=off),
// with the page built over REST beside them.
import os from 'node:os';
import { Agent, request } from 'undici';
import {
  alternatingRounds,
  benchOptions,
  postGraphQL,
  printMedians,
  scratchDatabase,
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
  printMedians(await alternatingRounds(targets, options));
} catch (error) {
  console.error(`bench:ssr: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await services.stop();
  await agent.close();
  await database.drop();
}
