// GATEWAY: each gateway choice starts on the gateway port over the same subgraphs, serves the
// item page and the listing with the same answers as the project's gateway, and stops cleanly.
// A peer whose package is absent is skipped, with one line saying which package to install.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SUBGRAPH_NAMES, type SubgraphName } from '@supergraph-lab/config';
import { ITEM_PAGE_QUERY, itemPageVariables, LISTING_QUERY } from '@supergraph-lab/http/documents';
import { freePort, listening, waitReady } from '@supergraph-lab/testing';
import { graphql } from '../src/client.ts';
import { GATEWAY_CHOICES, gatewayUnavailable, GATEWAYS, readyProbe } from '../src/gateways.ts';
import { scratchDatabase, startGateway, startServices, type RunningStack } from '../src/processes.ts';

const OPERATIONS: [string, string, Record<string, unknown>][] = [
  ['the item page', ITEM_PAGE_QUERY, itemPageVariables(3)],
  ['the item page of another item', ITEM_PAGE_QUERY, { ...itemPageVariables(8), sort: 'HIGHEST' }],
  ['a missing item', ITEM_PAGE_QUERY, itemPageVariables(999_999)],
  ['the listing', LISTING_QUERY, { first: 5 }],
];

describe('GATEWAY puts each gateway on the gateway port', () => {
  let database: { url: string; drop(): Promise<void> };
  let stack: RunningStack;
  const expected = new Map<string, unknown>();
  before(async () => {
    database = await scratchDatabase('gateways', 40);
    stack = await startServices(database.url, { CACHE_MODE: 'off', GATEWAY: 'apollo' });
    for (const [name, query, variables] of OPERATIONS) {
      const answer = await graphql(stack.urls.gateway, query, variables);
      assert.equal(answer.errors, undefined, name);
      expected.set(name, answer);
    }
  });
  after(async () => {
    await stack?.stop();
    await database?.drop();
  });

  for (const kind of GATEWAYS.filter((one) => one !== 'apollo')) {
    const why = gatewayUnavailable(kind);
    test(
      `${kind}: ${GATEWAY_CHOICES[kind].label} starts, answers as the project's gateway, stops`,
      { skip: why ?? false },
      async () => {
        const port = await freePort();
        const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, stack.urls[name]])) as Record<
          SubgraphName,
          string
        >;
        const gateway = startGateway(kind, port, subgraphUrls, { ...process.env, LOG_LEVEL: 'warn' });
        try {
          const url = `http://127.0.0.1:${port}`;
          await waitReady(url, { name: kind, probe: readyProbe(kind) });
          for (const [name, query, variables] of OPERATIONS)
            assert.deepEqual(await graphql(url, query, variables), expected.get(name), `${kind}: ${name}`);
          if (kind === 'hive-rust')
            assert.match(
              readFileSync(`/proc/${gateway.pid}/maps`, 'utf8'),
              /hive_router_query_planner/,
              'the Rust planner is loaded',
            );
        } finally {
          await gateway.stop();
        }
        assert.equal(await listening(port), false, `${kind} left its port open`);
      },
    );
  }
});
