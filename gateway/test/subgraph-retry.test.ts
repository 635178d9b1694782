// SubgraphDataSource sends a query once more when its connection is lost before the answer (a
// subgraph stopping closes its kept-alive connections), never a mutation, and counts each retry.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Agent } from 'undici';
import { SubgraphDataSource, type GatewayContext } from '../src/datasource.ts';

let server: Server;
let url = '';
/** Requests the stand-in subgraph read, and how many of the next it drops (connection closed, no answer). */
const seen: string[] = [];
let toDrop = 0;
const agent = new Agent({ keepAliveTimeout: 10_000 });

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push((JSON.parse(body) as { query: string }).query);
      if (toDrop > 0) {
        toDrop--;
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { ok: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
after(async () => {
  await agent.close();
  server.close();
});

/** Runs `query` (a query or a mutation) through a fresh data source; the answer and the retries counted. */
async function fetchThrough(query: string, operation: 'query' | 'mutation') {
  const count = { count: 0, retries: 0 };
  const source = new SubgraphDataSource('items', url, agent, 5000, count);
  const context = { requestId: 'r', dependencies: {}, creates: {} } as unknown as GatewayContext;
  const options = {
    request: { query },
    context,
    incomingRequestContext: { operation: { operation } },
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  const answer = await source.process(options).then(
    (response) => response.data,
    (error: Error & { extensions?: { code?: string } }) => error.extensions?.code ?? error.message,
  );
  return { answer, count };
}

test('a query whose connection is lost before the answer is sent once more, and counted', async () => {
  seen.length = 0;
  toDrop = 1;
  const { answer, count } = await fetchThrough('{ ok }', 'query');
  assert.deepEqual(answer, { ok: true });
  assert.deepEqual(seen, ['{ ok }', '{ ok }']);
  assert.deepEqual(count, { count: 2, retries: 1 });
});

test('only once: a query lost twice is a SUBGRAPH_UNAVAILABLE error', async () => {
  seen.length = 0;
  toDrop = 2;
  const { answer, count } = await fetchThrough('{ ok }', 'query');
  assert.equal(answer, 'SUBGRAPH_UNAVAILABLE');
  assert.deepEqual(count, { count: 2, retries: 1 });
});

test('a mutation is never sent again: it may have been committed', async () => {
  seen.length = 0;
  toDrop = 1;
  const { answer, count } = await fetchThrough('mutation { ok }', 'mutation');
  assert.equal(answer, 'SUBGRAPH_UNAVAILABLE');
  assert.deepEqual(seen, ['mutation { ok }']);
  assert.deepEqual(count, { count: 1, retries: 0 });
});
