// npm run bench:gateway [-- --items N --seconds S --connections C]: the item page through the
// gateway against the same data fetched straight from the three subgraphs (three requests in
// parallel, as a client without a gateway would), so the gateway's own cost shows as a ratio.
// Services run as separate processes on a scratch database; medians of alternating rounds.
import os from 'node:os';
import { Agent } from 'undici';
import {
  alternatingRounds,
  benchOptions,
  postGraphQL,
  printMedians,
  scratchDatabase,
  startServices,
  type PageLoad,
} from './harness.ts';

const PAGE_FIELDS = {
  item: 'id name description brand priceCents currency stock',
  reviews:
    'reviewSummary { count averageRating histogram } reviews(first: 5) { edges { cursor node { id rating title body author createdAt } } pageInfo { hasNextPage endCursor } }',
  photos: 'primaryPhoto { url altText width height } photos { url altText width height position }',
};
const GATEWAY_QUERY = `query Page($id: ID!) { item(id: $id) { ${PAGE_FIELDS.item} ${PAGE_FIELDS.reviews} ${PAGE_FIELDS.photos} } }`;
const entities = (fields: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ... on Item { ${fields} } } }`;

const options = benchOptions('bench:gateway', { rounds: 3 });
const ITEMS = options.items;
const SECONDS = options.seconds;
const CONNECTIONS = options.connections;
const SEQUENTIAL = options.sequential;
const ROUNDS = options.rounds;

const agent = new Agent({ connections: CONNECTIONS, keepAliveTimeout: 30_000 });
const post = (url: string, query: string, variables: Record<string, unknown>) =>
  postGraphQL(agent, url, query, variables);

let services: Awaited<ReturnType<typeof startServices>> | undefined;
const database = await scratchDatabase('gateway', ITEMS);
try {
  services = await startServices(database.url, { CACHE_MODE: 'off' });
  const { ports, base } = services;
  const viaGateway: PageLoad = (id) => post(`${base(ports.gateway)}/graphql`, GATEWAY_QUERY, { id: String(id) });
  const direct: PageLoad = (id) => {
    const representations = [{ __typename: 'Item', id: String(id) }];
    return Promise.all([
      post(`${base(ports.items)}/graphql`, `query($id: ID!) { item(id: $id) { ${PAGE_FIELDS.item} } }`, {
        id: String(id),
      }),
      post(`${base(ports.reviews)}/graphql`, entities(PAGE_FIELDS.reviews), { r: representations }),
      post(`${base(ports.photos)}/graphql`, entities(PAGE_FIELDS.photos), { r: representations }),
    ]);
  };

  console.log(
    `bench:gateway: ${ITEMS} items, ${os.cpus().length} cores, Node ${process.version}; CACHE_MODE=off; ${ROUNDS} alternating rounds; ` +
      `sequential ${SEQUENTIAL} pages, then ${CONNECTIONS} connections for ${SECONDS} s`,
  );
  printMedians(
    await alternatingRounds(
      [
        ['gateway', viaGateway],
        ['direct', direct],
      ],
      options,
    ),
  );
} catch (error) {
  console.error(`bench:gateway: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await services?.stop();
  await agent.close();
  await database.drop();
}
