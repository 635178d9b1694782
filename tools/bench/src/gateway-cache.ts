// npm run bench:cache [-- --items N --seconds S --connections C --rounds R --writes W
//                          --cache-store redis,memcached]: the item page through the gateway with
// CACHE_MODE off, then entity and all on each cache store, measured side by side in alternating
// rounds, then per store a write-then-read loop that counts stale reads.
// Each store's URL: tools/stack/src/stores.ts (the configured one, else Redis's default or a
// memcached of the bench's own).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Agent, request } from 'undici';
import { biasedItemId } from '@supergraph-lab/db';
import { argsOrExit, type CacheStoreKind } from '@supergraph-lab/config';
import { benchStoreUrls, parseCacheStores } from '@supergraph-lab/stack/stores';
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

const options = benchOptions(
  'bench:cache',
  { rounds: 2 },
  { writes: '300', items: '10000' },
  { 'cache-store': 'redis' },
);
const ITEMS = options.items;
const SECONDS = options.seconds;
const CONNECTIONS = options.connections;
const SEQUENTIAL = options.sequential;
const ROUNDS = options.rounds;
const WRITES = options.writes!;
const STORES = argsOrExit('bench:cache', () => parseCacheStores(options.words['cache-store']!));
const storeUrls = await benchStoreUrls(STORES);
const STORE_URLS = storeUrls.urls;
/** What each round measures: the cache off once, then each cached mode on each store. */
const SETUPS = [
  { name: 'off', mode: 'off', store: null },
  ...STORES.flatMap((store) =>
    (['entity', 'all'] as const).map((mode) => ({
      name: STORES.length > 1 ? `${mode} ${store}` : mode,
      mode,
      store,
    })),
  ),
];
const ADMIN_TOKEN = `bench-${randomUUID()}`;

/** The gateway's per-layer counts (the entity layer summed over the subgraphs). */
async function cacheStats(
  gateway: string,
): Promise<{ response: { hits: number; misses: number }; entity: { hits: number; misses: number } }> {
  const response = await request(`${gateway}/cache`, {
    dispatcher: agent,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const body = (await response.body.json()) as {
    layers: { response: { hits: number; misses: number }; entity: { hits: number; misses: number } };
  };
  return { response: body.layers.response, entity: body.layers.entity };
}

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
const results = Object.fromEntries(
  SETUPS.map(({ name }) => [
    name,
    { p50: [] as number[], p99: [] as number[], rps: [] as number[], cp99: [] as number[] },
  ]),
);
try {
  console.log(
    `bench:cache: ${ITEMS} items, ${os.cpus().length} cores, Node ${process.version}; ${SETUPS.map(({ name }) => name).join(', ')}; ${ROUNDS} rounds; ` +
      `sequential ${SEQUENTIAL} pages, then ${CONNECTIONS} connections for ${SECONDS} s, after every item's page once and 5 s of load`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name, mode, store } of SETUPS) {
      // a namespace of its own: every run starts with a cold cache
      const services = await startServices(database.url, {
        CACHE_MODE: mode,
        CACHE_URL: STORE_URLS[store ?? STORES[0]!]!,
        ADMIN_TOKEN,
        CACHE_NAMESPACE: `bench-${randomUUID().slice(0, 8)}`,
      });
      try {
        const gateway = services.base(services.ports.gateway);
        const load: PageLoad = (id) => postGraphQL(agent, `${gateway}/graphql`, PAGE, { id: String(id) });
        // a warm cache: every item's page once (nothing to warm with the cache off)
        let next = 1;
        if (mode !== 'off') {
          await Promise.all(
            Array.from({ length: CONNECTIONS }, async () => {
              while (next <= ITEMS) await load(next++);
            }),
          );
        }
        await concurrent(load, ITEMS, CONNECTIONS, Math.min(SECONDS, 5));
        const before = await cacheStats(gateway);
        const seq = await sequential(load, ITEMS, SEQUENTIAL);
        const conc = await concurrent(load, ITEMS, CONNECTIONS, SECONDS);
        if (conc.errors) console.log(`  ${name}: ${conc.errors} errors`);
        Object.entries({ p50: seq.p50, p99: seq.p99, rps: conc.rps, cp99: conc.p99 }).forEach(([figure, value]) =>
          results[name]![figure as 'p50']!.push(value),
        );
        const after = await cacheStats(gateway);
        const ratio = (layer: 'response' | 'entity') => {
          const hits = after[layer].hits - before[layer].hits;
          const misses = after[layer].misses - before[layer].misses;
          return hits + misses ? `${((100 * hits) / (hits + misses)).toFixed(0)}%` : '-';
        };
        console.log(
          `round ${round} ${name.padEnd(16)} sequential p50 ${seq.p50.toFixed(2)} ms p99 ${seq.p99.toFixed(2)} ms; ${CONNECTIONS} connections ${conc.rps.toFixed(0)} pages/s p99 ${conc.p99.toFixed(1)} ms; hit ratio while measured: response ${ratio('response')}, entity ${ratio('entity')}`,
        );
      } finally {
        await services.stop();
      }
    }
  }
  const off = results.off!;
  console.log(`\nmedians          seq p50 ms  seq p99 ms     pages/s   p99 ms   pages/s vs off`);
  for (const { name } of SETUPS) {
    const r = results[name]!;
    console.log(
      `${name.padEnd(16)} ${median(r.p50).toFixed(2).padStart(10)} ${median(r.p99).toFixed(2).padStart(11)} ${median(r.rps).toFixed(0).padStart(11)} ${median(r.cp99).toFixed(1).padStart(8)} ${(median(r.rps) / median(off.rps)).toFixed(2).padStart(12)}x`,
    );
  }

  if (STORES.length > 1) {
    // what caching buys on each store, as a ratio to the same uncached baseline, and the stores' ratio of those
    const gain = (store: string) => median(results[`all ${store}`]!.rps) / median(off.rps);
    const [first, second] = STORES as [string, string];
    console.log(
      `\ncached/uncached pages/s: ${STORES.map((store) => `${store} ${gain(store).toFixed(2)}x`).join(', ')}; ` +
        `${second}/${first} ${(gain(second) / gain(first)).toFixed(2)}`,
    );
  }
  for (const store of STORES) await writeThenRead(store);
} catch (error) {
  console.error(`bench:cache: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await agent.close();
  await database.drop();
  await storeUrls.stop();
}

/** Every write, over each protocol and entry point, checked on every read path, with CACHE_MODE=all on `store`. */
async function writeThenRead(store: CacheStoreKind): Promise<void> {
  const services = await startServices(database.url, {
    CACHE_MODE: 'all',
    CACHE_URL: STORE_URLS[store]!,
    ADMIN_TOKEN,
    CACHE_NAMESPACE: `bench-${randomUUID().slice(0, 8)}`,
  });
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
        () =>
          json('POST', `${gw}/graphql`, {
            query: `mutation { updateItem(id: "${id}", input: { name: "${name}" }) { id } }`,
          }),
        () => json('PATCH', `${items}/api/items/${id}`, { name }),
      ];
      await writes[n % writes.length]!();
      const before = (await json('GET', `${reviews}/api/items/${id}/reviews/summary`)).body.count;
      await (n % 2
        ? json('POST', `${gw}/api/items/${id}/reviews`, { rating: 5, title: 't', body: 'b', author: 'bench' })
        : json('POST', `${reviews}/api/items/${id}/reviews`, { rating: 5, title: 't', body: 'b', author: 'bench' }));
      const viaGraphQL = (await json('POST', `${gw}/graphql`, { query: PAGE, variables: { id: String(id) } })).body.data
        .item;
      const viaRest = (await json('GET', `${gw}/api/items/${id}`)).body;
      const summary = (await json('GET', `${gw}/api/items/${id}/reviews/summary`)).body;
      reads += 3;
      if (viaGraphQL.name !== name || viaGraphQL.reviewSummary.count !== before + 1) stale++;
      if (viaRest.name !== name) stale++;
      if (summary.count !== before + 1) stale++;
    }
    console.log(
      `\nwrite-then-read on ${store}: ${WRITES} writes (REST via gateway, GraphQL, REST straight to the subgraph; ` +
        `reviews both ways), ${reads} reads: ${stale} stale`,
    );
  } finally {
    await services.stop();
  }
}
