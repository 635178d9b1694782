// deploy/nginx.conf and deploy/haproxy.cfg, written as start:scaled writes them: every listener
// on loopback, and the shop's listener routes pages, GraphQL and REST only; the admin, cache,
// metrics and lab routes answer on the operations listener alone. Checked on the configuration
// the balancer itself reads back (nginx -T, haproxy -c), then by requests through the running
// balancer to stand-in instances that say who was asked what; and which requests that failed once
// sent it sends again (a keyed POST only).
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readToolConfig } from '@supergraph-lab/config';
import { BALANCERS, startBalancer, writeBalancerConfig } from '@supergraph-lab/stack/balancer';
import { HAPROXY, NGINX, skipWithout } from '@supergraph-lab/stack/tools';
import { eventually, freePort } from '@supergraph-lab/testing';

/** Routes the public may reach, and whom the balancer sends them to. */
const SHOP_ROUTES: [string, 'gateway' | 'ssr'][] = [
  ['/', 'ssr'],
  ['/items/7', 'ssr'],
  ['/items/7?source=rest', 'ssr'],
  ['/spa/items/7', 'ssr'],
  ['/assets/client-0123456789ab.js', 'ssr'],
  ['/images/products/ab/0123456789abcdef_800x600.svg', 'ssr'],
  ['/graphql', 'gateway'],
  ['/api/items/7', 'gateway'],
  ['/playground/index.js', 'gateway'],
  ['/healthz', 'gateway'],
  ['/readyz', 'gateway'],
];
/** Routes for operations only: on the shop's listener they are 404 and reach no instance. */
const OPERATIONS_ROUTES: [string, 'gateway' | 'lab'][] = [
  ['/cache', 'gateway'],
  ['/cache/entries?limit=5', 'gateway'],
  ['/admin/settings', 'gateway'],
  ['/metrics', 'gateway'],
  ['/lab', 'lab'],
  ['/lab/api/state', 'lab'],
  ['/lab/assets/lab-0123456789ab.js', 'lab'],
];
/** The same routes spelled to slip past a prefix rule. */
const DISGUISED = [
  '/items/../cache',
  '/api/../admin/settings',
  '/api/%2e%2e/metrics',
  '/images/..%2F..%2Flab',
  '//cache',
  '/graphql/../lab',
];

/** The `x-drop-first` values some stand-in has already dropped. */
const dropped = new Set<string>();

/**
 * A stand-in instance: answers every request with its role and the path it was asked for. A
 * request with an `x-drop-first` header the stand-ins have not seen yet is read and then its
 * connection closed with no answer (an instance dying under it, after it may have committed).
 */
function standIn(role: 'gateway' | 'ssr' | 'lab', asked: string[]): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    const drop = req.headers['x-drop-first'];
    if (typeof drop === 'string' && !dropped.has(drop)) {
      dropped.add(drop);
      asked.push(`${role} ${req.method} ${req.url} dropped`);
      req.resume().once('end', () => req.socket.destroy());
      return;
    }
    if (typeof drop === 'string') asked.push(`${role} ${req.method} ${req.url} answered`);
    if (req.url !== '/readyz') asked.push(`${role} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ role, path: req.url }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(Object.assign(server, { port: (server.address() as { port: number }).port })),
    ),
  );
}

/** GET `rawPath` as written (no URL normalisation on the way) from `host:port`. */
function get(port: number, rawPath: string, host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject).end();
  });
}

/**
 * Sends `method` to `rawPath` on a connection of its own with a small JSON body; the status, or
 * the error's code when the balancer closed the connection without an answer.
 */
function send(
  port: number,
  method: string,
  rawPath: string,
  headers: Record<string, string>,
): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: rawPath,
        method,
        agent: false,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        res.resume().once('end', () => resolve(res.statusCode!));
      },
    );
    req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end('{"rating":4}');
  });
}

const SHOP_PREFIX = /^\/(items|spa|assets|images|api|playground)\//;

/** Whether a TCP connection to `host:port` is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000, () => socket.destroy());
    socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/** This machine's addresses other than loopback (a listener on every interface answers there). */
const outsideAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((address) => address && !address.internal && address.family === 'IPv4')
  .map((address) => address!.address);

for (const [balancer, tool] of [
  ['nginx', NGINX],
  ['haproxy', HAPROXY],
] as const)
  describe(`deploy/${BALANCERS[balancer].file} as start:scaled writes it`, { skip: skipWithout(tool) }, () => {
    const asked: string[] = [];
    const servers: Server[] = [];
    let child: ChildProcess;
    let shop = 0;
    let operations = 0;

    before(async () => {
      const [gateway1, gateway2, ssr1, ssr2, lab] = await Promise.all([
        standIn('gateway', asked),
        standIn('gateway', asked),
        standIn('ssr', asked),
        standIn('ssr', asked),
        standIn('lab', asked),
      ]);
      servers.push(gateway1, gateway2, ssr1, ssr2, lab);
      shop = await freePort();
      operations = await freePort();
      child = startBalancer(balancer, {
        port: shop,
        operationsPort: operations,
        gateways: [gateway1.port, gateway2.port],
        ssrs: [ssr1.port, ssr2.port],
        lab: lab.port,
        dir: mkdtempSync(path.join(tmpdir(), `sgl-routes-${balancer}-`)),
        tools: readToolConfig(),
      });
      await eventually(
        async () => (await get(shop, '/readyz').catch(() => null))?.status === 200,
        10_000,
        `${balancer} to answer`,
      );
    });
    after(async () => {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      for (const server of servers) server.close();
    });

    test('every listener it reads is on loopback: the shop and operations, on the ports given', () => {
      const prefix = mkdtempSync(path.join(tmpdir(), `sgl-check-${balancer}-`));
      const file = writeBalancerConfig(
        balancer,
        { balancer: 18080, operations: 18081, gateways: [14000, 14010], ssrs: [13000, 13010] },
        prefix,
      );
      const tools = readToolConfig();
      let binds: string[];
      if (balancer === 'nginx') {
        // -T: the configuration as nginx parsed it, every included file with it
        const dump = spawnSync(tools.nginxBin, ['-T', '-p', `${prefix}/`, '-c', file], { encoding: 'utf8' });
        assert.equal(dump.status, 0, dump.stderr);
        binds = [...dump.stdout.matchAll(/^\s*listen\s+([^;]+);/gm)].map((match) => match[1]!);
      } else {
        const check = spawnSync(tools.haproxyBin, ['-c', '-f', file], { encoding: 'utf8' });
        assert.equal(check.status, 0, check.stderr);
        binds = [...readFileSync(file, 'utf8').matchAll(/^\s*bind\s+(\S+)/gm)].map((match) => match[1]!);
      }
      assert.deepEqual(binds, ['127.0.0.1:18080', '127.0.0.1:18081']);
    });

    test('nothing answers on the machine’s other addresses', { skip: outsideAddresses.length === 0 }, async () => {
      assert.ok(await accepts('127.0.0.1', shop), 'it does listen on loopback');
      for (const address of outsideAddresses)
        for (const port of [shop, operations])
          assert.equal(await accepts(address, port), false, `${address}:${port} is refused`);
    });

    test('the shop listener routes pages, GraphQL and REST; operations, those and the rest', async () => {
      for (const [route, role] of SHOP_ROUTES)
        for (const port of [shop, operations]) {
          const answer = await get(port, route);
          assert.equal(answer.status, 200, `${route} on ${port === shop ? 'shop' : 'operations'}`);
          assert.deepEqual(JSON.parse(answer.body), { role, path: route });
        }
      for (const [route, role] of OPERATIONS_ROUTES) {
        const answer = await get(operations, route);
        assert.equal(answer.status, 200, `${route} on operations`);
        assert.deepEqual(JSON.parse(answer.body), { role, path: route });
      }
    });

    test('the admin, cache, metrics and lab routes are 404 on the shop listener and reach no instance', async () => {
      asked.length = 0;
      for (const route of [...OPERATIONS_ROUTES.map(([route]) => route), ...DISGUISED]) {
        const answer = await get(shop, route);
        // refused, or passed as written to the page or API route its prefix names (whose router
        // has nothing there): never to an operations route
        const reached = answer.status === 200 ? (JSON.parse(answer.body) as { path: string }).path : null;
        assert.ok(
          answer.status === 404 || answer.status === 400 || (reached === route && SHOP_PREFIX.test(route)),
          `${route}: ${answer.status} ${answer.body}`,
        );
      }
      const operationsPaths = /^(gateway|ssr|lab) \/(cache|admin|metrics|lab)\b/;
      assert.deepEqual(
        asked.filter((line) => operationsPaths.test(line)),
        [],
      );
      assert.deepEqual(
        asked.filter((line) => OPERATIONS_ROUTES.some(([route]) => line.endsWith(` ${route}`))),
        [],
      );
    });

    test('a keyed POST that failed once sent is retried on the other instance; a keyed PATCH is not', async () => {
      for (const [method, path] of [
        ['PATCH', '/api/reviews/7'],
        ['POST', '/graphql'],
      ] as const) {
        // nginx leaves an instance that failed a request out for 5 s: both serve again first
        const upstreams = new Set<string>();
        await eventually(
          async () => {
            const response = await fetch(`http://127.0.0.1:${shop}/api/items/7`);
            await response.body?.cancel();
            upstreams.add(response.headers.get('x-upstream') ?? '');
            return [...upstreams].filter((address) => /^127\.0\.0\.1:\d+$/.test(address)).length === 2;
          },
          15_000,
          'both gateway stand-ins to serve',
        );
        asked.length = 0;
        const drop = randomUUID();
        const answer = await send(shop, method, path, { 'idempotency-key': randomUUID(), 'x-drop-first': drop });
        const seen = asked.filter((line) => line.startsWith(`gateway ${method} ${path} `));
        if (method === 'POST') {
          // the other instance replays the stored answer or does the create: the client gets it
          assert.equal(answer, 200, `${method} ${path}`);
          assert.deepEqual(seen, [`gateway ${method} ${path} dropped`, `gateway ${method} ${path} answered`]);
        } else {
          // sent again after a newer write, it would undo that one: the failure is passed on
          assert.ok(answer === 502 || answer === 'ECONNRESET', `${method} ${path} was not retried: ${answer}`);
          assert.deepEqual(seen, [`gateway ${method} ${path} dropped`], `${method} ${path} reached one instance`);
        }
      }
    });
  });
