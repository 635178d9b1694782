import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import {
  PROCESS_INSTANCE_METRIC,
  SERVICE_NAMES,
  SERVICES,
  SUBGRAPH_NAMES,
  type ServiceKind,
} from '@supergraph-lab/config';
import { LISTING_QUERY } from '@supergraph-lab/http/documents';
import { graphql, rest } from '@supergraph-lab/stack';
import { seededStack } from '@supergraph-lab/stack/fixture';
import { freePort } from '@supergraph-lab/testing';
import {
  mechanismBetween,
  metricTotals,
  readCounters,
  runLoadTest,
  type CounterSnapshot,
  type Endpoints,
  type MetricsSources,
} from '../src/index.ts';

const ADMIN_TOKEN = 'test-admin-token-mechanism-0123';

describe("a step's mechanism, read from the services' /metrics", () => {
  // statements are what this measures: no cache in front of them
  const stack = seededStack('loadtest_mechanism', { items: 60, seed: 13, env: { CACHE_MODE: 'off', ADMIN_TOKEN } });
  /** The stack's services, and an SSR address nothing answers on. */
  const endpoints = async (): Promise<Endpoints> => ({
    gateway: stack.gatewayUrl,
    ...stack.subgraphUrls,
    ssr: `http://127.0.0.1:${await freePort()}`,
  });

  /** Switches DataLoader batching in every subgraph through the gateway's admin route. */
  async function batching(on: boolean): Promise<void> {
    const answer = await rest(
      stack.gatewayUrl,
      'PUT',
      '/admin/settings',
      { batching: on },
      {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      },
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  }

  /** Statements and fetches per listing of `first` items, over three listings. */
  async function perListing(first: number) {
    const services = await endpoints();
    const listing = async () => {
      const result = await graphql(stack.gatewayUrl, LISTING_QUERY, { first });
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.equal(result.data!.items.edges.length, first);
    };
    // not counted: a client's first statements include one-offs (Prisma asks MariaDB's version)
    await listing();
    const before = await readCounters(services);
    for (let i = 0; i < 3; i++) await listing();
    return mechanismBetween(before, await readCounters(services), 3);
  }

  test('with batching off a listing of N items costs statements that grow with N; with it on, they do not', async () => {
    await batching(false);
    const offFive = await perListing(5);
    const offTwenty = await perListing(20);
    await batching(true);
    const onFive = await perListing(5);
    const onTwenty = await perListing(20);

    // off: each item's primary photo and review summary is a statement of its own (N+1)
    assert.ok(
      offTwenty.statementsPerRequest! >= offFive.statementsPerRequest! + 2 * 15,
      `batching off: ${offFive.statementsPerRequest} statements for 5 items, ${offTwenty.statementsPerRequest} for 20`,
    );
    // on: one statement per table whatever N is
    assert.equal(onTwenty.statementsPerRequest, onFive.statementsPerRequest);
    assert.ok(onFive.statementsPerRequest! >= 3 && onFive.statementsPerRequest! < offFive.statementsPerRequest!);
    // the query plan is the same either way: items, then photos and reviews for every item at once
    for (const mechanism of [offFive, offTwenty, onFive, onTwenty]) assert.equal(mechanism.fetchesPerRequest, 3);
  });

  test('each load-test step carries what the services counted; a service that does not answer is null, not a crash', async () => {
    await batching(true);
    const [page, restPage] = await runLoadTest({
      targets: ['graphql', 'rest-gateway'],
      rates: [10],
      durationSeconds: 1,
      warmupSeconds: 0,
      timeoutMs: 10_000,
      connections: 8,
      endpoints: await endpoints(),
      maxItemId: 60,
    });
    for (const step of [page!, restPage!]) assert.equal(step.errors, 0, JSON.stringify(step.errorSamples));
    const mechanism = page!.mechanism!;
    // the item page: the item, then its photos and its reviews and summary
    assert.equal(mechanism.fetchesPerRequest, 3);
    assert.ok(mechanism.statementsPerRequest! >= 3, `statements per page: ${mechanism.statementsPerRequest}`);
    // no SSR answered: its CPU and so the total are unknown, the others' are there
    assert.equal(mechanism.cpuMsPerRequest, null);
    assert.deepEqual(
      Object.keys(mechanism.cpuMsByService).sort(),
      SERVICE_NAMES.filter((name) => name !== 'ssr').sort(),
    );
    for (const ms of Object.values(mechanism.cpuMsByService)) assert.ok(ms > 0);
    // the REST page through the gateway: each of its four calls forwarded once (no REST cache here)
    assert.equal(restPage!.mechanism!.fetchesPerRequest, 4);
  });
});

test('metricTotals sums each metric over its label sets and skips comments and non-numbers', () => {
  const totals = metricTotals(
    [
      '# HELP subgraph_fetches_total Fetches',
      '# TYPE subgraph_fetches_total counter',
      'subgraph_fetches_total{subgraph="items",service="gateway"} 4',
      'subgraph_fetches_total{subgraph="re}views",service="gateway"} 6',
      'process_cpu_seconds_total{service="gateway"} 1.5e-1',
      'http_request_duration_seconds_bucket{le="+Inf"} 7',
      'nodejs_gc_weird NaN',
      '',
    ].join('\n'),
  );
  assert.equal(totals.get('subgraph_fetches_total'), 10);
  assert.equal(totals.get('process_cpu_seconds_total'), 0.15);
  assert.equal(totals.get('http_request_duration_seconds_bucket'), 7);
  assert.equal(totals.has('nodejs_gc_weird'), false);
});

test('mechanismBetween divides by successful requests and says null for what it could not count', () => {
  // every service of the registry reports its CPU; the subgraphs their statements, the gateway its fetches
  const counters = (kind: ServiceKind, statements: number, fetches: number, cpu: number) => {
    const totals = new Map([['process_cpu_seconds_total', cpu]]);
    if (kind === 'gateway') totals.set('subgraph_fetches_total', fetches);
    if (kind === 'subgraph') totals.set('db_statements_total', statements);
    return totals;
  };
  const snapshot = (statements: number, fetches: number, cpu: number) =>
    Object.fromEntries(
      SERVICES.map((service) => [service.name, counters(service.kind, statements, fetches, cpu)]),
    ) as CounterSnapshot;
  const each = (names: readonly string[], ms: number) => Object.fromEntries(names.map((name) => [name, ms]));
  const before = snapshot(10, 5, 1);
  const after = snapshot(30, 35, 1.5);
  assert.deepEqual(mechanismBetween(before, after, 10), {
    statementsPerRequest: 2 * SUBGRAPH_NAMES.length,
    fetchesPerRequest: 3,
    cpuMsPerRequest: 50 * SERVICE_NAMES.length,
    cpuMsByService: each(SERVICE_NAMES, 50),
  });
  // a subgraph that did not answer, a gateway without the series, an SSR that restarted
  const gaps: CounterSnapshot = { ...after, reviews: null, gateway: new Map(), ssr: snapshot(0, 0, 0.2).ssr };
  assert.deepEqual(mechanismBetween(before, gaps, 10), {
    statementsPerRequest: null,
    fetchesPerRequest: null,
    cpuMsPerRequest: null,
    cpuMsByService: each(
      SUBGRAPH_NAMES.filter((name) => name !== 'reviews'),
      50,
    ),
  });
  // nothing succeeded: nothing to divide by
  assert.deepEqual(mechanismBetween(before, after, 0), {
    statementsPerRequest: null,
    fetchesPerRequest: null,
    cpuMsPerRequest: null,
    cpuMsByService: {},
  });
});

test("several instances of a service are summed; another process's counters are never taken for this one's", async () => {
  // two gateway processes behind a balancer, started in the same second (prom-client's start
  // time is in whole seconds): told apart by the services' instance gauge
  const process = (instance: number) => ({ instance, fetches: 0, cpu: 0 });
  const first = process(81_234_567);
  const second = process(92_345_678);
  const text = (one: ReturnType<typeof process>) =>
    [
      `process_start_time_seconds 1700000000`,
      `${PROCESS_INSTANCE_METRIC} ${one.instance}`,
      `process_cpu_seconds_total ${one.cpu}`,
      `subgraph_fetches_total{subgraph="items"} ${one.fetches}`,
    ].join('\n');
  let turn = 0;
  const servers = await Promise.all(
    [
      () => text(first),
      () => text(second),
      // a balancer: each read from the other instance
      () => text(turn++ % 2 === 0 ? first : second),
    ].map(
      (answer) =>
        new Promise<Server>((resolve) => {
          const server = createServer((_request, response) => response.end(answer()));
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const [one, two, balanced] = servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const others = Object.fromEntries(SERVICE_NAMES.map((name) => [name, one!])) as Endpoints;
  try {
    const each: MetricsSources = { ...others, gateway: [one!, two!] };
    const through: MetricsSources = { ...others, gateway: balanced! };
    const [before, beforeThrough] = [await readCounters(each), await readCounters(through)];
    first.fetches += 30;
    second.fetches += 30;
    first.cpu += 0.01;
    second.cpu += 0.01;
    const [after, afterThrough] = [await readCounters(each), await readCounters(through)];
    // twenty pages of three fetches, served half by each instance
    assert.equal(mechanismBetween(before, after, 20).fetchesPerRequest, 3);
    assert.equal(mechanismBetween(before, after, 20).cpuMsByService.gateway, 1);
    // through the balancer the second read was the other process: not a figure, rather than half of one
    assert.equal(mechanismBetween(beforeThrough, afterThrough, 20).fetchesPerRequest, null);
    assert.equal(mechanismBetween(beforeThrough, afterThrough, 20).cpuMsByService.gateway, undefined);
    // a peer without the gauge: its start time tells a restart
    const peer = (started: number, fetches: number): CounterSnapshot => ({
      ...before,
      gateway: new Map([
        ['process_start_time_seconds', started],
        ['subgraph_fetches_total', fetches],
      ]),
    });
    assert.equal(mechanismBetween(peer(1, 0), peer(1, 60), 20).fetchesPerRequest, 3);
    assert.equal(mechanismBetween(peer(1, 0), peer(2, 60), 20).fetchesPerRequest, null);
    // an instance that does not answer leaves its service unknown
    const gone = await readCounters({ ...each, gateway: [one!, `http://127.0.0.1:${await freePort()}`] });
    assert.equal(gone.gateway, null);
  } finally {
    for (const server of servers) server.close();
  }
});
