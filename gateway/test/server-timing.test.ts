import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { readConfig } from '@supergraph-lab/config';
import { createSsrService, type SsrService } from '@supergraph-lab/ssr';
import { seededStack } from '@supergraph-lab/stack/fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAGE = '{ item(id: "7") { name reviewSummary { count } primaryPhoto { url } } }';

/** `db;dur=1.2, total;dur=3` as { db: 1.2, total: 3 }. */
function parts(header: string | null): Record<string, number> {
  assert.ok(header, 'a Server-Timing header');
  return Object.fromEntries(
    header.split(',').map((entry) => {
      const [name, ...params] = entry.trim().split(';');
      return [name!, Number(params.find((param) => param.startsWith('dur='))!.slice(4))];
    }),
  );
}

describe('Server-Timing on every service', () => {
  // entity cache only: every request still reaches the subgraphs and, on a miss, Postgres
  const env = { REDIS_URL, CACHE_NAMESPACE: `sgl-st-${randomUUID().slice(0, 8)}`, CACHE_MODE: 'entity' };
  const stack = seededStack('timing', { items: 20, seed: 3, env });
  let ssr: SsrService;
  let ssrUrl: string;

  before(async () => {
    ssr = createSsrService(readConfig({ ...env, LOG_LEVEL: 'silent', CACHE_MODE: 'off' }), {
      gatewayUrl: stack.gatewayUrl,
    });
    ssrUrl = await ssr.listen(0);
  });
  after(async () => {
    await ssr?.close();
  });

  test('a subgraph reports its database and cache time, within its total', async () => {
    const response = await fetch(`${stack.subgraphUrls.items}/api/items/3`);
    const timing = parts(response.headers.get('server-timing'));
    assert.ok(timing.db! > 0, JSON.stringify(timing));
    assert.ok(timing.cache! > 0, JSON.stringify(timing));
    assert.ok(timing.db! <= timing.total! && timing.cache! <= timing.total!);
  });

  test('the gateway reports each subgraph fetch of a GraphQL query', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: PAGE }),
    });
    assert.equal(response.status, 200);
    const timing = parts(response.headers.get('server-timing'));
    for (const name of ['items', 'reviews', 'photos'])
      assert.ok(timing[name]! > 0 && timing[name]! <= timing.total!, `${name} in ${JSON.stringify(timing)}`);
  });

  test('the gateway reports the owner fetch of a REST call', async () => {
    const response = await fetch(`${stack.gatewayUrl}/api/items/3/reviews/summary`);
    assert.equal(response.status, 200);
    assert.ok(parts(response.headers.get('server-timing')).reviews! > 0);
  });

  test('an SSR page reports its data fetch and its render', async () => {
    const response = await fetch(`${ssrUrl}/items/5`);
    assert.equal(response.status, 200);
    const timing = parts(response.headers.get('server-timing'));
    assert.ok(timing.data! > 0 && timing.render! > 0, JSON.stringify(timing));
    assert.ok(timing.data! + timing.render! <= timing.total! + 0.01);
  });
});
