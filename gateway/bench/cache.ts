// npm run bench:cache [-- --items N --seconds S --connections C --rounds R --writes W]: the item
// page through the gateway with CACHE_MODE off, entity and all (Redis at REDIS_URL), measured
// side by side in alternating rounds, then a write-then-read loop that counts stale reads.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { biasedItemId } from '@supergraph-lab/db';
import { concurrent, median, postGraphQL, scratchDatabase, sequential, startServices, type PageLoad } from './harness.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    sequential: { type: 'string', default: '1500' },
    rounds: { type: 'string', default: '2' },
    writes: { type: 'string', default: '300' },
  },
});
const ITEMS = Number(values.items);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SEQUENTIAL = Number(values.sequential);
const ROUNDS = Number(values.rounds);
const WRITES = Number(values.writes);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MODES = ['off', 'entity', 'all'] as const;

const PAGE = `query Page($id: ID!) { item(id: $id) { id name description brand priceCents currency stock
  primaryPhoto { url altText width height } photos { url altText width height position }
  reviewSummary { count averageRating histogram }
  reviews(first: 5) { edges { cursor node { id rating title body author createdAt } } pageInfo { hasNextPage endCursor } } } }`;

const agent = new Agent({ connections: CONNECTIONS, keepAliveTimeout: 30_000 });

async function json(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await request(url, {
    method: method as 'GET',
    dispatcher: agent,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : null };
}

const database = await scratchDatabase('cache', ITEMS);
const results = Object.fromEntries(MODES.map((mode) => [mode, { p50: [] as number[], p99: [] as number[], rps: [] as number[], cp99: [] as number[] }]));
try {
  console.log(`bench:cache: ${ITEMS} items, ${os.cpus().length} cores, Node ${process.version}; modes ${MODES.join(', ')}; ${ROUNDS} rounds; ` +
    `sequential ${SEQUENTIAL} pages, then ${CONNECTIONS} connections for ${SECONDS} s, after a ${SECONDS} s warm-up`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      // a namespace of its own: every run starts with a cold cache
      const services = await startServices(database.url, { CACHE_MODE: mode, REDIS_URL, CACHE_NAMESPACE: `bench-${randomUUID().slice(0, 8)}` });
      try {
        const load: PageLoad = (id) => postGraphQL(agent, `${services.base(services.ports.gateway)}/graphql`, PAGE, { id: String(id) });
        await concurrent(load, ITEMS, CONNECTIONS, SECONDS);
        const seq = await sequential(load, ITEMS, SEQUENTIAL);
        const conc = await concurrent(load, ITEMS, CONNECTIONS, SECONDS);
        if (conc.errors) console.log(`  ${mode}: ${conc.errors} errors`);
        Object.entries({ p50: seq.p50, p99: seq.p99, rps: conc.rps, cp99: conc.p99 }).forEach(([name, value]) => results[mode]![name as 'p50']!.push(value));
        console.log(`round ${round} ${mode.padEnd(7)} sequential p50 ${seq.p50.toFixed(2)} ms p99 ${seq.p99.toFixed(2)} ms; ${CONNECTIONS} connections ${conc.rps.toFixed(0)} pages/s p99 ${conc.p99.toFixed(1)} ms`);
      } finally {
        await services.stop();
      }
    }
  }
  const off = results.off!;
  console.log(`\nmedians          seq p50 ms  seq p99 ms     pages/s   p99 ms   pages/s vs off`);
  for (const mode of MODES) {
    const r = results[mode]!;
    console.log(`${mode.padEnd(16)} ${median(r.p50).toFixed(2).padStart(10)} ${median(r.p99).toFixed(2).padStart(11)} ${median(r.rps).toFixed(0).padStart(11)} ${median(r.cp99).toFixed(1).padStart(8)} ${(median(r.rps) / median(off.rps)).toFixed(2).padStart(12)}x`);
  }

  // write-then-read: every write, over each protocol and entry point, checked on every read path
  const services = await startServices(database.url, { CACHE_MODE: 'all', REDIS_URL, CACHE_NAMESPACE: `bench-${randomUUID().slice(0, 8)}` });
  try {
    const gw = services.base(services.ports.gateway);
    const items = services.base(services.ports.items);
    const reviews = services.base(services.ports.reviews);
    let stale = 0;
    let reads = 0;
    for (let n = 0; n < WRITES; n++) {
      const id = biasedItemId(ITEMS);
      // warm every path first, so a stale entry would be there to be served
      for (let warm = 0; warm < 2; warm++) {
        await postGraphQL(agent, `${gw}/graphql`, PAGE, { id: String(id) });
        await json('GET', `${gw}/api/items/${id}`);
        await json('GET', `${gw}/api/items/${id}/reviews/summary`);
      }
      const name = `Stale check ${n}`;
      const writes = [
        () => json('PATCH', `${gw}/api/items/${id}`, { name }),
        () => json('POST', `${gw}/graphql`, { query: `mutation { updateItem(id: "${id}", input: { name: "${name}" }) { id } }` }),
        () => json('PATCH', `${items}/api/items/${id}`, { name }),
      ];
      await writes[n % writes.length]!();
      const before = (await json('GET', `${reviews}/api/items/${id}/reviews/summary`)).body.count;
      await (n % 2 ? json('POST', `${gw}/api/items/${id}/reviews`, { rating: 5, title: 't', body: 'b', author: 'bench' }) : json('POST', `${reviews}/api/items/${id}/reviews`, { rating: 5, title: 't', body: 'b', author: 'bench' }));
      const viaGraphQL = (await json('POST', `${gw}/graphql`, { query: PAGE, variables: { id: String(id) } })).body.data.item;
      const viaRest = (await json('GET', `${gw}/api/items/${id}`)).body;
      const summary = (await json('GET', `${gw}/api/items/${id}/reviews/summary`)).body;
      reads += 3;
      if (viaGraphQL.name !== name || viaGraphQL.reviewSummary.count !== before + 1) stale++;
      if (viaRest.name !== name) stale++;
      if (summary.count !== before + 1) stale++;
    }
    console.log(`\nwrite-then-read: ${WRITES} writes (REST via gateway, GraphQL, REST straight to the subgraph; reviews both ways), ${reads} reads: ${stale} stale`);
  } finally {
    await services.stop();
  }
} catch (error) {
  console.error(`bench:cache: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await agent.close();
  await database.drop();
}
