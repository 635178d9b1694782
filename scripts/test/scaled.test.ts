// npm run start:scaled: two gateway and two SSR instances behind Debian's nginx, and again behind
// HAProxy (--balancer haproxy). One instance of each is stopped (SIGTERM) under load: no request
// may fail. A gateway killed after a commit: a keyed write is retried, a plain one is not.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { SUBGRAPH_NAMES, portEnvironment } from '@supergraph-lab/config';
import { createAgent, endpointsAt, loadPage, runStep, targetNamed } from '@supergraph-lab/loadtest';
import { loadShopData } from '@supergraph-lab/seed';
import { graphql, reviewsTitled as countReviewsTitled } from '@supergraph-lab/stack';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { HAPROXY, NGINX, skipWithout } from '@supergraph-lab/stack/tools';
import { eventually } from '@supergraph-lab/testing';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LAB_TOKEN = 'scaled-test-lab-token-0123';
const ADMIN_TOKEN = 'scaled-test-admin-token-0123';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The lowest port of the kernel's ephemeral range, from which outgoing connections take their local ports. */
const EPHEMERAL_LOW = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);

/**
 * A base port P free with P + 1 (the balancer's operations listener) and P + 10 (the second
 * instance's port). Below the ephemeral range: start:scaled listens on it seconds after this
 * check, and on a busy machine a port inside the range was meanwhile taken as some connection's
 * local port (EADDRINUSE, both gateways at once when a burst of connections swept past them).
 */
async function pairOfPorts(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (EPHEMERAL_LOW - 10_000 - 11));
    const ports = [port, port + 1, port + 10];
    // free now, and not another role's of this run (nothing listens on those until start:scaled runs)
    if (ports.some((one) => handedOut.has(one))) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 1)) && (await portIsFree(port + 10))) {
      for (const one of ports) handedOut.add(one);
      return port;
    }
  }
}
/** Every port pairOfPorts has given this file: two roles' ports must never meet (the lab on a balancer's). */
const handedOut = new Set<number>();

/** The pid of the service process started from `entry` with `variable=value` in its environment. */
function pidOf(entry: string, variable: string, value: number): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entry)) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${variable}=${value}`)) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no process runs ${entry} with ${variable}=${value}`);
}

/**
 * start:scaled with `balancer` on a seeded database of its own and free ports: started before the
 * enclosing describe's first test that runs, stopped (unless a test did) in its after hook. Not in
 * a `before` hook: Node 20 runs one even when --test-name-pattern leaves none of its tests to
 * run, so running one test would start (and depend on) every stack of the file.
 */
function scaledStack(balancer: 'nginx' | 'haproxy') {
  const stack = {
    db: undefined as unknown as TestDatabase,
    child: undefined as unknown as ReturnType<typeof spawn>,
    output: '',
    gateway: 0,
    ssr: 0,
    balancer: 0,
    lab: 0,
    labData: '',
    subgraphs: {} as Record<string, number>,
  };
  const start = async () => {
    stack.db = await createTestDatabase('scaled');
    await loadShopData({ url: stack.db.url, items: 200, seed: 9 });
    stack.gateway = await pairOfPorts();
    stack.ssr = await pairOfPorts();
    stack.balancer = await pairOfPorts();
    stack.lab = await pairOfPorts();
    stack.labData = mkdtempSync(path.join(tmpdir(), 'sgl-scaled-lab-'));
    const subgraphs = await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await pairOfPorts()] as const));
    stack.subgraphs = Object.fromEntries(subgraphs);
    const env = {
      ...process.env,
      DATABASE_URL: stack.db.url,
      GATEWAY_PORT: String(stack.gateway),
      SSR_PORT: String(stack.ssr),
      NGINX_PORT: String(stack.balancer),
      LAB_PORT: String(stack.lab),
      LAB_TOKEN,
      LAB_DATA_DIR: stack.labData,
      ADMIN_TOKEN,
      ...portEnvironment(Object.fromEntries(subgraphs)),
      CACHE_MODE: 'off',
      // the kill point of the crash-after-commit tests (refused with NODE_ENV=production)
      NODE_ENV: 'test',
      TEST_CRASH_AFTER_COMMIT: 'on',
    };
    const child = spawn('npm', ['run', 'start:scaled', '--', '--balancer', balancer], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack.child = child;
    child.stdout!.on('data', (chunk) => (stack.output += chunk));
    child.stderr!.on('data', (chunk) => (stack.output += chunk));
    await eventually(
      () => {
        assert.equal(child.exitCode, null, `start:scaled exited early:\n${stack.output}`);
        return stack.output.includes('Ctrl-C stops everything');
      },
      // start:scaled itself gives each stage 60 s and exits when one is not ready: this only guards a hang
      240_000,
      () => `start:scaled to be ready:\n${stack.output}`,
      200,
    );
  };
  let started: Promise<void> | undefined;
  beforeEach(() => (started ??= start()));
  after(async () => {
    await started?.catch(() => undefined);
    const child = stack.child;
    // still running unless the test of Ctrl-C stopped it
    if (child && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await stack.db?.drop();
    if (stack.labData) rmSync(stack.labData, { recursive: true, force: true });
  });
  return stack;
}

for (const [balancer, tool] of [
  ['nginx', NGINX],
  ['haproxy', HAPROXY],
] as const)
  describe(`npm run start:scaled -- --balancer ${balancer}`, { skip: skipWithout(tool) }, () => {
    const stack = scaledStack(balancer);
    const agent = createAgent(64);
    after(async () => {
      await agent.close();
    });

    test(`prints where everything is, and ${balancer} answers for both gateways`, async () => {
      assert.match(
        stack.output,
        new RegExp(
          `behind ${balancer} :${stack.balancer} +gateway ${stack.gateway} \\+ ${stack.gateway + 10}, ssr ${stack.ssr} \\+ ${stack.ssr + 10}`,
        ),
      );
      const upstreams = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`http://127.0.0.1:${stack.balancer}/api/items/1`);
        assert.equal(response.status, 200);
        upstreams.add(response.headers.get('x-upstream') ?? '');
      }
      assert.deepEqual([...upstreams].sort(), [`127.0.0.1:${stack.gateway}`, `127.0.0.1:${stack.gateway + 10}`].sort());
    });

    test(
      "the lab's switches and cache panel reach every gateway and SSR instance; a run counts every gateway's fetches",
      {
        timeout: 90_000,
      },
      async () => {
        const lab = `http://127.0.0.1:${stack.lab}/lab/api`;
        const labHeaders = { authorization: `Bearer ${LAB_TOKEN}`, 'content-type': 'application/json' };
        /** Each instance's own cache mode (gateway, SSR), asked of it directly, not through the balancer. */
        const modes = async () =>
          Promise.all(
            [stack.gateway, stack.gateway + 10, stack.ssr, stack.ssr + 10].map(async (port) => {
              const answer = await fetch(`http://127.0.0.1:${port}/admin/settings`, {
                headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
              });
              const body = (await answer.json()) as { gateway?: { cacheMode: string }; cacheMode?: string };
              return `${port}: ${body.gateway?.cacheMode ?? body.cacheMode}`;
            }),
          );
        const everywhere = (mode: string) =>
          [stack.gateway, stack.gateway + 10, stack.ssr, stack.ssr + 10].map((port) => `${port}: ${mode}`);
        assert.deepEqual(await modes(), everywhere('off'));
        for (const mode of ['all', 'off']) {
          const switched = await fetch(`${lab}/settings`, {
            method: 'PUT',
            headers: labHeaders,
            body: JSON.stringify({ cacheMode: mode }),
          });
          assert.equal(switched.status, 200, await switched.text());
          assert.deepEqual(await modes(), everywhere(mode));
          if (mode !== 'all') continue;
          // pages through the balancer, half to each gateway: the lab's cache panel counts them all
          for (let i = 0; i < 8; i++)
            await graphql(`http://127.0.0.1:${stack.balancer}`, ITEM_PAGE_QUERY, itemPageVariables(3));
          const counted = async (port: number) => {
            const answer = await fetch(`http://127.0.0.1:${port}/cache`, {
              headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
            });
            const { layers } = (await answer.json()) as { layers: { response: { hits: number; misses: number } } };
            return layers.response.hits + layers.response.misses;
          };
          const [first, second] = [await counted(stack.gateway), await counted(stack.gateway + 10)];
          assert.ok(first > 0 && second > 0, `both gateways served pages: ${first}, ${second}`);
          const panel = (await (await fetch(`${lab}/cache`, { headers: labHeaders })).json()) as {
            layers: { response: { hits: number; misses: number } };
          };
          assert.equal(panel.layers.response.hits + panel.layers.response.misses, first + second);
        }
        // a run: its settings on every instance while it runs, and both gateways' counters in its figures
        const started = await fetch(`${lab}/runs`, {
          method: 'POST',
          headers: labHeaders,
          body: JSON.stringify({
            kind: 'load',
            targets: ['graphql'],
            rates: [20],
            durationSeconds: 3,
            warmupSeconds: 1,
            cacheMode: 'off',
            who: 'scaled test',
          }),
        });
        assert.equal(started.status, 202, await started.clone().text());
        const { run } = (await started.json()) as { run: { id: number } };
        const done = await eventually(
          async () => {
            const answer = await fetch(`${lab}/runs`, { headers: labHeaders });
            const { runs } = (await answer.json()) as { runs: { id: number; status: string; error: string | null }[] };
            const found = runs.find((one) => one.id === run.id);
            return found && found.status !== 'running' ? found : null;
          },
          60_000,
          () => `lab run ${run.id} to finish:\n${stack.output.slice(-2000)}`,
          200,
        );
        assert.equal(done.status, 'done', done.error ?? '');
        const { steps } = (await (await fetch(`${lab}/runs/${run.id}`, { headers: labHeaders })).json()) as {
          steps: { errors: number; mechanism: Record<string, unknown> | null }[];
        };
        const [page] = steps;
        assert.equal(page!.errors, 0);
        // the page: the item, then its photos and its reviews, whichever gateway served it
        assert.equal(page!.mechanism!.fetchesPerRequest, 3, JSON.stringify(page!.mechanism));
        assert.ok((page!.mechanism!.cpuMsByService as Record<string, number>).gateway! > 0);
      },
    );

    test(
      "an instance started again comes back with the lab's settings, not its environment's",
      { timeout: 90_000 },
      async () => {
        const lab = `http://127.0.0.1:${stack.lab}/lab/api`;
        const labHeaders = { authorization: `Bearer ${LAB_TOKEN}`, 'content-type': 'application/json' };
        const settingsOf = async (port: number) => {
          const answer = await fetch(`http://127.0.0.1:${port}/admin/settings`, {
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          });
          assert.equal(answer.status, 200);
          const body = (await answer.json()) as {
            gateway?: { cacheMode: string };
            cacheMode?: string;
            batching?: boolean;
          };
          return { cacheMode: body.gateway?.cacheMode ?? body.cacheMode, batching: body.batching };
        };
        const switchTo = async (settings: object) => {
          const answer = await fetch(`${lab}/settings`, {
            method: 'PUT',
            headers: labHeaders,
            body: JSON.stringify(settings),
          });
          assert.equal(answer.status, 200, await answer.text());
        };
        // the stack was started with CACHE_MODE=off and batching on
        await switchTo({ cacheMode: 'all', batching: false });
        try {
          const items = stack.subgraphs.items!;
          for (const [entry, variable, port, name] of [
            ['gateway/src/main.ts', 'GATEWAY_PORT', stack.gateway + 10, 'gateway2'],
            ['ssr/src/main.ts', 'SSR_PORT', stack.ssr + 10, 'ssr2'],
            ['subgraphs/items/src/main.ts', 'ITEMS_PORT', items, 'items'],
          ] as const) {
            const exits = stack.output.split(`${name} exited`).length;
            process.kill(pidOf(entry, variable, port), 'SIGKILL');
            await eventually(
              async () =>
                stack.output.split(`${name} exited`).length > exits &&
                (await fetch(`http://127.0.0.1:${port}/healthz`).then(
                  (answer) => answer.ok,
                  () => false,
                )),
              60_000,
              () => `${name} to be started again:\n${stack.output.slice(-2000)}`,
              200,
            );
            const now = await settingsOf(port);
            assert.equal(now.cacheMode, 'all', `${name} came back with CACHE_MODE ${now.cacheMode}`);
            if (name === 'items') assert.equal(now.batching, false, `${name} came back batching`);
          }
        } finally {
          await switchTo({ cacheMode: 'off', batching: true });
        }
      },
    );

    test('a switch one instance cannot take changes none', { timeout: 60_000 }, async () => {
      const lab = `http://127.0.0.1:${stack.lab}/lab/api`;
      const labHeaders = { authorization: `Bearer ${LAB_TOKEN}`, 'content-type': 'application/json' };
      const modes = async () =>
        Promise.all(
          [stack.gateway, stack.gateway + 10, stack.ssr].map(async (port) => {
            const answer = await fetch(`http://127.0.0.1:${port}/admin/settings`, {
              headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
            });
            const body = (await answer.json()) as { gateway?: { cacheMode: string }; cacheMode?: string };
            return `${port}: ${body.gateway?.cacheMode ?? body.cacheMode}`;
          }),
        );
      const before = await modes();
      // the second SSR instance answers nothing (stopped, not gone): the lab's call to it times out
      const paused = pidOf('ssr/src/main.ts', 'SSR_PORT', stack.ssr + 10);
      process.kill(paused, 'SIGSTOP');
      try {
        const answer = await fetch(`${lab}/settings`, {
          method: 'PUT',
          headers: labHeaders,
          body: JSON.stringify({ cacheMode: before[0]!.endsWith('off') ? 'all' : 'off' }),
        });
        const problem = (await answer.json()) as { detail: string };
        assert.equal(answer.status, 503, JSON.stringify(problem));
        assert.match(
          problem.detail,
          new RegExp(`the SSR service at http://127.0.0.1:${stack.ssr + 10} is unavailable`),
        );
      } finally {
        process.kill(paused, 'SIGCONT');
      }
      // the first instance had switched: it was put back
      assert.deepEqual(await modes(), before);
    });

    for (const [target, entry, variable, base, rate] of [
      ['graphql', 'gateway/src/main.ts', 'GATEWAY_PORT', () => stack.gateway, 80],
      ['ssr', 'ssr/src/main.ts', 'SSR_PORT', () => stack.ssr, 40],
    ] as const) {
      test(
        `stopping one ${target === 'graphql' ? 'gateway' : 'SSR'} instance under load (${target} at ${rate}/s) fails no request`,
        { timeout: 60_000 },
        async () => {
          const origin = `http://127.0.0.1:${stack.balancer}`;
          const endpoints = endpointsAt(origin);
          const pages = targetNamed(target);
          let n = 0;
          const send = (signal: AbortSignal) => loadPage(agent, pages.requests(endpoints, 1 + (n++ % 200), n), signal);
          // a fleet is restarted warm: the same load first, so that neither instance is still
          // compiling its code when one stops (a cold one, slow to accept, showed an occasional 502)
          await runStep({ rate, durationSeconds: 4, timeoutMs: 5000, send });
          const victim = pidOf(entry, variable, base());
          // the stop is what is tested: 1.5 s into the 10 s step, so the whole drain (3 s serving
          // while not ready, then up to 3 s refusing new connections) lands under load
          setTimeout(() => process.kill(victim, 'SIGTERM'), 1500);
          const result = await runStep({
            rate,
            durationSeconds: 10,
            timeoutMs: 5000,
            send,
          });
          assert.equal(result.sent, rate * 10);
          const balancerSaid = stack.output
            .split('\n')
            .filter((line) => new RegExp(`\\[(${balancer}|gateway1|ssr1|start)`).test(line))
            .slice(-30);
          assert.deepEqual(
            { errors: result.errors, samples: result.errorSamples, balancerSaid },
            { errors: 0, samples: [], balancerSaid },
          );
          const alive = () => {
            try {
              process.kill(victim, 0);
              return true;
            } catch {
              return false;
            }
          };
          await eventually(async () => !alive(), 15_000, 'the stopped instance to be gone');
          // the supervisor starts it again
          const instance = target === 'graphql' ? 'gateway1' : 'ssr1';
          await eventually(
            () => stack.output.includes(`${instance} exited`),
            30_000,
            () => `the supervisor to see ${instance} exit:\n${stack.output.slice(-3000)}`,
            100,
          );
        },
      );
    }

    /** Waits until the balancer has answered from both gateway instances again (a killed one is restarted). */
    const bothGatewaysServe = async () => {
      const both = [`127.0.0.1:${stack.gateway}`, `127.0.0.1:${stack.gateway + 10}`];
      const seen = new Set<string>();
      // one address each: a request the balancer had to pass on names both (and proves nothing)
      await eventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${stack.balancer}/api/items/1`);
          await response.body?.cancel();
          if (response.status === 200) seen.add(response.headers.get('x-upstream') ?? '');
          return both.every((address) => seen.has(address));
        },
        30_000,
        () => `both gateways to serve again:\n${stack.output.slice(-2000)}`,
        100,
      );
    };
    /** Gateway instances killed so far (SIGKILL: the crash hook, not a stop). */
    const killed = () => stack.output.match(/gateway\d exited \(SIGKILL\)/g)?.length ?? 0;
    const until = (condition: () => boolean, what: string) =>
      eventually(condition, 10_000, () => `${what}:\n${stack.output.slice(-2000)}`, 100);
    const reviewsTitled = (title: string) => countReviewsTitled(stack.db.url, title);
    /** A review posted through the balancer, whose gateway dies once the reviews service has committed it. */
    const postAndCrash = (title: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${stack.balancer}/api/items/7/reviews`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-crash-after-commit': '1', ...headers },
        body: JSON.stringify({ rating: 4, title, body: 'written once, whatever happens', author: 'crash test' }),
      });

    test(
      `a gateway killed after the commit: with an Idempotency-Key ${balancer} retries it, the client gets 201 and one row`,
      { timeout: 60_000 },
      async () => {
        await bothGatewaysServe();
        const kills = killed();
        const title = `crash-keyed-${randomUUID().slice(0, 8)}`;
        const response = await postAndCrash(title, { 'idempotency-key': randomUUID() });
        const body = (await response.json()) as { title?: string };
        assert.equal(response.status, 201, JSON.stringify(body));
        assert.equal(
          response.headers.get('idempotent-replayed'),
          'true',
          'the other instance replayed the stored answer',
        );
        assert.equal(body.title, title);
        assert.equal(await reviewsTitled(title), 1);
        await until(() => killed() === kills + 1, 'the instance that took it first to die');
      },
    );

    test(
      `a gateway killed after the commit: without a key ${balancer} does not send the POST again (502, one row)`,
      { timeout: 60_000 },
      async () => {
        await bothGatewaysServe();
        const kills = killed();
        const title = `crash-plain-${randomUUID().slice(0, 8)}`;
        // nginx answers 502. HAProxy does too on a new connection, but on a kept-alive one it
        // closes it without an answer (its way to pass a server's close on): either way, not a retry
        const answer = await postAndCrash(title).then(
          async (response) => {
            await response.body?.cancel();
            return response.status;
          },
          (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
        );
        assert.ok(
          answer === 502 || (balancer === 'haproxy' && answer === 'UND_ERR_SOCKET'),
          `${balancer} passed the failure on rather than write twice: ${answer}`,
        );
        assert.equal(await reviewsTitled(title), 1);
        await until(() => killed() === kills + 1, 'one instance to die, and no other to be sent the POST');
        await bothGatewaysServe();
      },
    );
  });

// its own start:scaled: stopping the shared one would end every test after it
describe('npm run start:scaled, then Ctrl-C', { skip: skipWithout(NGINX) }, () => {
  const stack = scaledStack('nginx');

  test('Ctrl-C stops nginx and every instance', { timeout: 60_000 }, async () => {
    process.kill(-stack.child.pid!, 'SIGINT');
    await new Promise((resolve) => stack.child.once('exit', resolve));
    await eventually(
      () => /\[start\] +stopped/.test(stack.output),
      20_000,
      () => `start:scaled to say it stopped:\n${stack.output.slice(-2000)}`,
      100,
    );
    for (const port of [stack.balancer, stack.gateway, stack.gateway + 10, stack.ssr, stack.ssr + 10])
      assert.ok(await portIsFree(port), `port ${port} closed`);
  });
});
