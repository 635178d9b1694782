import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { connect } from '@supergraph-lab/db';
import { createTestDatabase } from '@supergraph-lab/db/testing';
import { HAPROXY, NGINX, skipWithout } from '@supergraph-lab/stack/tools';
import { BALANCED_SHUTDOWN, writeBalancerConfig } from '@supergraph-lab/stack/balancer';
import { SERVICE_NODE_FLAGS } from '@supergraph-lab/stack/processes';
import { BUNDLES, compiledCommand, type BundleName } from '@supergraph-lab/config';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  network_mode?: string;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const nginxConf = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
const upstream = (name: string) =>
  [...new RegExp(`upstream ${name} \\{([^}]*)\\}`).exec(nginxConf)![1]!.matchAll(/server 127\.0\.0\.1:(\d+)/g)].map(
    (match) => Number(match[1]),
  );

describe('docker-compose.yml', () => {
  test('has every part of the stack', () => {
    for (const name of [
      'postgres',
      'redis',
      'migrate',
      'items',
      'reviews',
      'photos',
      'gateway-1',
      'gateway-2',
      'ssr-1',
      'ssr-2',
      'lab',
      'nginx',
      'net',
    ])
      assert.ok(services[name], `service ${name}`);
  });

  test('depends_on only names services that exist, healthy only ones with a healthcheck, and has no cycle', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[dependency], `${name} depends on unknown ${dependency}`);
        assert.ok(
          ['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition),
          `${name}: ${condition}`,
        );
        if (condition === 'service_healthy')
          assert.ok(
            services[dependency]!.healthcheck,
            `${name} waits for ${dependency} to be healthy, which has no healthcheck`,
          );
      }
      if (service.network_mode?.startsWith('service:')) {
        const owner = service.network_mode.slice('service:'.length);
        assert.ok(services[owner], `${name} shares the network of unknown ${owner}`);
      }
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, trail: string[]) => {
      assert.ok(!visiting.has(name), `dependency cycle: ${[...trail, name].join(' -> ')}`);
      if (done.has(name)) return;
      visiting.add(name);
      const service = services[name]!;
      const implied = service.network_mode?.startsWith('service:') ? [service.network_mode.slice(8)] : [];
      for (const next of [...Object.keys(service.depends_on ?? {}), ...implied]) visit(next, [...trail, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  test('the services get the environment they read, with the ports nginx.conf sends traffic to', () => {
    const apps = ['items', 'reviews', 'photos', 'gateway-1', 'gateway-2', 'ssr-1', 'ssr-2', 'migrate'];
    for (const name of apps) {
      const env = services[name]!.environment!;
      assert.match(env.DATABASE_URL!, /^postgresql:\/\/shop:shop@postgres:5432\/shop$/, name);
      assert.equal(env.REDIS_URL, 'redis://redis:6379', name);
      assert.equal(services[name]!.network_mode, 'service:net', `${name} shares the app tier's network`);
      assert.ok(
        existsSync(path.join(ROOT, services[name]!.build ?? '.', 'Dockerfile')),
        `${name} builds from a Dockerfile`,
      );
    }
    assert.deepEqual(
      ['gateway-1', 'gateway-2'].map((name) => Number(services[name]!.environment!.GATEWAY_PORT)),
      upstream('gateway'),
    );
    assert.deepEqual(
      ['ssr-1', 'ssr-2'].map((name) => Number(services[name]!.environment!.SSR_PORT)),
      upstream('ssr'),
    );
    // through nginx's operations listener: the lab's admin and cache calls go there too
    for (const name of ['ssr-1', 'ssr-2'])
      assert.equal(services[name]!.environment!.GATEWAY_URL, 'http://127.0.0.1:8081');
    // the lab: where nginx sends /lab, reaching the gateways as the SSR instances do, its runs in a volume
    const lab = services.lab!.environment!;
    assert.deepEqual([Number(lab.LAB_PORT)], upstream('lab'));
    assert.equal(lab.GATEWAY_URL, 'http://127.0.0.1:8081');
    assert.equal(lab.SSR_URL, `http://127.0.0.1:${upstream('ssr')[0]}`);
    assert.ok(services.lab!.volumes!.includes(`labdata:${lab.LAB_DATA_DIR}`));
    assert.ok(compose.volumes && 'labdata' in compose.volumes);
    // every service's command runs the image's bundle of it, built from a file that exists
    for (const [name, bundle] of [
      ['items', 'items'],
      ['reviews', 'reviews'],
      ['photos', 'photos'],
      ['gateway-1', 'gateway'],
      ['ssr-1', 'ssr'],
      ['lab', 'lab'],
    ] as const satisfies readonly (readonly [string, BundleName])[]) {
      assert.deepEqual(services[name]!.command, compiledCommand(bundle), `${name} runs dist/${bundle}.js`);
      const entry = BUNDLES.find((candidate) => candidate.name === bundle)!.entry;
      assert.ok(existsSync(path.join(ROOT, entry)), `${name}: ${entry}`);
    }
    assert.equal(services.items!.environment!.NODE_OPTIONS, SERVICE_NODE_FLAGS.join(' '));
    // healthchecks ask each instance on its own port
    for (const [name, port] of [
      ['items', 4001],
      ['gateway-2', 4010],
      ['ssr-2', 3010],
      ['lab', 3100],
    ] as const)
      assert.match(services[name]!.healthcheck!.test.join(' '), new RegExp(`127\\.0\\.0\\.1:${port}/`));
  });

  test("nginx mounts deploy/nginx.conf, the file start:scaled uses, and publishes it on the host's loopback", () => {
    assert.ok(services.nginx!.volumes!.includes('./deploy/nginx.conf:/etc/nginx/deploy/nginx.conf:ro'));
    assert.equal(services.nginx!.network_mode, 'service:net');
    assert.deepEqual(services.net!.ports, ['127.0.0.1:8080:8080', '127.0.0.1:8081:8081']);
    for (const [name, service] of Object.entries(services))
      for (const published of service.ports ?? [])
        assert.match(published, /^127\.0\.0\.1:/, `${name} publishes ${published} on loopback only`);
    assert.match(nginxConf, /listen 127\.0\.0\.1:8080;/);
    assert.match(nginxConf, /listen 127\.0\.0\.1:8081;/);
    const script = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts['start:scaled'] as string;
    assert.match(script, /scripts\/start\.ts --scaled/);
    // start:scaled writes deploy/nginx.conf as it is when it runs on the default ports
    const written = writeBalancerConfig(
      'nginx',
      { balancer: 8080, gateways: [4000, 4010], ssrs: [3000, 3010] },
      mkdtempSync(path.join(tmpdir(), 'sgl-compose-')),
    );
    assert.equal(readFileSync(written, 'utf8'), nginxConf);
  });

  test('the instances drain as start:scaled’s do, and compose waits for the whole drain before SIGKILL', () => {
    const seconds = (value: string) => Number(/^(\d+)s$/.exec(value)?.[1] ?? Number.NaN);
    for (const name of ['gateway-1', 'gateway-2', 'ssr-1', 'ssr-2']) {
      const service = services[name]! as Service & { stop_grace_period?: string };
      const env = service.environment!;
      assert.deepEqual(
        { drainMs: Number(env.SHUTDOWN_DRAIN_MS), idleMs: Number(env.SHUTDOWN_IDLE_MS) },
        BALANCED_SHUTDOWN,
        name,
      );
      const drain = Number(env.SHUTDOWN_DRAIN_MS) + Number(env.SHUTDOWN_IDLE_MS) + Number(env.SHUTDOWN_TIMEOUT_MS);
      assert.ok(
        seconds(service.stop_grace_period ?? '') * 1000 > drain,
        `${name}: stop_grace_period above ${drain} ms`,
      );
    }
  });

  test('compose will not start without an ADMIN_TOKEN and a LAB_TOKEN of its own, and hides the schema', () => {
    const raw = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    assert.doesNotMatch(raw, /(ADMIN|LAB)_TOKEN:-/, 'no default token');
    for (const name of ['items', 'reviews', 'photos', 'gateway-1', 'gateway-2', 'ssr-1', 'ssr-2', 'migrate']) {
      const env = services[name]!.environment!;
      // ${VAR:?message}: compose stops with the message when VAR is unset or empty
      assert.match(env.ADMIN_TOKEN!, /^\$\{ADMIN_TOKEN:\?[^}]+\}$/, name);
      assert.match(env.LAB_TOKEN!, /^\$\{LAB_TOKEN:\?[^}]+\}$/, name);
      assert.equal(env.GRAPHQL_INTROSPECTION, 'off', name);
    }
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^ENV .*\bGRAPHQL_INTROSPECTION=off\b/m);
  });

  test('Redis is a bounded cache that comes back', () => {
    const redis = services.redis!;
    const command = redis.command!.join(' ');
    assert.match(command, /--maxmemory 256mb\b/);
    assert.match(command, /--maxmemory-policy allkeys-lru\b/);
    assert.equal(redis.restart, 'unless-stopped');
  });

  test(
    "nginx's command puts deploy/nginx.conf's two listeners on the container's interfaces",
    { skip: skipWithout(NGINX) },
    () => {
      // the command as compose runs it, on this checkout's file and a scratch one
      const prefix = mkdtempSync(path.join(tmpdir(), 'sgl-compose-nginx-'));
      const script = services.nginx!.command!.at(-1)!;
      const [rewrite] = script.split(' && exec ');
      const written = path.join(prefix, 'nginx.conf');
      const run = spawnSync(
        'sh',
        [
          '-c',
          rewrite!
            .replace('/etc/nginx/deploy/nginx.conf', path.join(ROOT, 'deploy', 'nginx.conf'))
            .replace('/tmp/nginx.conf', written),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.match(script, /&& exec nginx -c \/tmp\/nginx\.conf -g 'daemon off;'$/);
      const dump = spawnSync(NGINX.path, ['-T', '-p', `${prefix}/`, '-c', written], { encoding: 'utf8' });
      assert.equal(dump.status, 0, dump.stderr);
      assert.deepEqual(
        [...dump.stdout.matchAll(/^\s*listen\s+([^;]+);/gm)].map((match) => match[1]),
        ['8080', '8081'],
      );
    },
  );

  test('migrate seeds only an empty database', () => {
    assert.match(
      services.migrate!.command!.join(' '),
      new RegExp(
        `^sh -c ${compiledCommand('migrate').join(' ')} && ${compiledCommand('seed').join(' ')} --items \\S+ --if-empty$`,
      ),
    );
  });
});

test('db:seed --if-empty seeds an empty database and leaves a seeded one alone', async () => {
  const db = await createTestDatabase('seed_if_empty');
  const items = async () => {
    const client = await connect(db.url);
    try {
      return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM items')).rows[0]!.n;
    } finally {
      await client.end();
    }
  };
  // the command compose's migrate service runs, with the URL it would be given
  const seed = (count: number) =>
    spawnSync(
      process.execPath,
      ['--import', './scripts/preload.mjs', 'packages/seed/src/cli/seed.ts', '--items', String(count), '--if-empty'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url },
        encoding: 'utf8',
      },
    );
  try {
    const first = seed(30);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(await items(), 30);
    const again = seed(50);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already has 30 items: nothing to do \(--if-empty\)/);
    assert.equal(await items(), 30);
  } finally {
    await db.drop();
  }
});

test('deploy/nginx.conf passes nginx -t (Debian nginx)', { skip: skipWithout(NGINX) }, () => {
  const prefix = mkdtempSync(path.join(tmpdir(), 'sgl-nginx-'));
  // nginx -t reports on stderr and exits 1 on any error
  const result = spawnSync(NGINX.path, ['-t', '-p', `${prefix}/`, '-c', path.join(ROOT, 'deploy', 'nginx.conf')], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /syntax is ok/);
  assert.match(result.stderr, /test is successful/);
});

test('deploy/haproxy.cfg passes haproxy -c (Debian haproxy)', { skip: skipWithout(HAPROXY) }, () => {
  const result = spawnSync(HAPROXY.path, ['-c', '-f', path.join(ROOT, 'deploy', 'haproxy.cfg')], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Configuration file is valid/);
  assert.doesNotMatch(result.stderr, /WARNING/, 'no warnings either');
});

test('deploy/haproxy.cfg balances the same instances as nginx.conf, with the same retry rules', () => {
  const haproxy = readFileSync(path.join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8');
  const backend = (name: string) => {
    const body = new RegExp(`^backend ${name}\n((?:  .*\n|\n)*)`, 'm').exec(haproxy)?.[1] ?? '';
    const servers = [...body.matchAll(/server \S+ 127\.0\.0\.1:(\d+)(.*)/g)];
    return { body, ports: servers.map((m) => Number(m[1])), backups: servers.filter((m) => / backup\b/.test(m[2]!)) };
  };
  assert.deepEqual(backend('gateway').ports, upstream('gateway'));
  assert.deepEqual(backend('gateway_keyed').ports, upstream('gateway'));
  assert.deepEqual(backend('ssr').ports, upstream('ssr'));
  assert.deepEqual(backend('lab').ports, upstream('lab'));
  assert.equal(backend('lab').backups.length, 0, 'one lab for the stack, as in nginx.conf');
  // once sent, a write is passed on only with an Idempotency-Key (nginx: non_idempotent only in @keyed)
  assert.match(backend('gateway').body, /http-request disable-l7-retry unless METH_GET \|\| METH_HEAD/);
  assert.doesNotMatch(backend('gateway_keyed').body, /disable-l7-retry/);
  assert.match(haproxy, /use_backend gateway_keyed if api keyed/);
  assert.match(haproxy, /^\s*retries 1$/m, 'two tries in all (nginx: proxy_next_upstream_tries 2)');
});
