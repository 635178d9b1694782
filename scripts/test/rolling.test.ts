// A rolling restart behind each balancer loses no request: start:scaled's topology (two gateway
// instances behind deploy/nginx.conf or deploy/haproxy.cfg, draining as start:scaled's do), a
// closed loop of 10 clients sending the item page query (POST /graphql, which a balancer must
// not send twice), and three stops in turn: SIGTERM, exit, start again, back in the balancer.
// The longer measurement: npm run bench:rolling.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readToolConfig } from '@supergraph-lab/config';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { rollingStops } from '@supergraph-lab/loadtest';
import { loadShopData } from '@supergraph-lab/seed';
import { startRollingStack, type RollingStack } from '@supergraph-lab/stack/rolling';
import { HAPROXY, NGINX, skipWithout } from '@supergraph-lab/stack/tools';

const ITEMS = 200;

for (const [balancer, tool] of [
  ['nginx', NGINX],
  ['haproxy', HAPROXY],
] as const)
  describe(`rolling restart of the gateways behind ${balancer}`, { skip: skipWithout(tool) }, () => {
    let db: TestDatabase;
    let stack: RollingStack | undefined;
    before(async () => {
      db = await createTestDatabase(`rolling_${balancer}`);
      await loadShopData({ url: db.url, items: ITEMS, seed: 3 });
      stack = await startRollingStack({
        balancer,
        databaseUrl: db.url,
        tools: readToolConfig(),
        env: { CACHE_MODE: 'off' },
      });
    });
    after(async () => {
      await stack?.stop();
      await db?.drop();
    });

    test(
      'three stops under a closed loop of 10 POST /graphql clients fail no request',
      { timeout: 300_000 },
      async () => {
        const results = await rollingStops({
          origin: stack!.origin,
          victims: stack!.gateways,
          stops: 3,
          connections: 10,
          load: 'graphql',
          items: ITEMS,
        });
        assert.deepEqual(
          results.map(({ instance, failed, samples, exitCode }) => ({ instance, failed, samples, exitCode })),
          ['gateway1', 'gateway2', 'gateway1'].map((instance) => ({ instance, failed: 0, samples: [], exitCode: 0 })),
        );
        for (const result of results) assert.ok(result.ok > 0, `${result.instance}: requests were served meanwhile`);
      },
    );
  });
