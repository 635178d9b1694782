// The production image without a Docker engine: the Dockerfile's shape (two stages, production
// dependencies only, non-root, a health check, one image for every process), what the compiled
// bundles import against what its runtime stage installs, and the image's commands run as it runs
// them (plain node on dist/, no tsx) against the real Postgres and Redis, through a stop.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BUNDLES,
  bundleFile,
  compiledCommand,
  portEnvironment,
  SERVICES,
  type BundleName,
} from '@supergraph-lab/config';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import { freePort, waitReady } from '@supergraph-lab/testing';

const ROOT = path.resolve(import.meta.dirname, '../..');
const readJson = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's stages, each its instructions (continuation lines joined, comments dropped). */
function dockerfileStages(): { from: string; name: string | undefined; instructions: Instruction[] }[] {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    const [, keyword, args] = match as unknown as [string, string, string];
    if (keyword === 'FROM') {
      const [from, as, name] = args.trim().split(/\s+/);
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else stages.at(-1)!.instructions.push({ keyword, args: args.replace(/\s+/g, ' ').trim() });
  }
  return stages;
}

const [buildStage, runtimeStage, ...extra] = dockerfileStages();
const runs = (stage: typeof buildStage) => stage!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const exec = (stage: typeof buildStage, keyword: string) =>
  stage!.instructions
    .filter((i) => i.keyword === keyword)
    .map((i) => JSON.parse(i.args.replace(/^.*?(\[.*\])$/, '$1')));

/** The runtime stage's production install, and the workspaces it names. */
function runtimeInstall(): { command: string; workspaces: string[] } {
  const command = runs(runtimeStage).find((run) => run.startsWith('npm ci'))!;
  return { command, workspaces: [...command.matchAll(/--workspace (\S+)/g)].map((match) => match[1]!) };
}

/** Every package the runtime stage's workspaces depend on, the workspace packages they reach followed through. */
function runtimeDependencies(): Set<string> {
  const byName = new Map<string, string>();
  for (const pattern of readJson('package.json').workspaces as string[]) {
    const folders = pattern.endsWith('/*')
      ? readdirSync(path.join(ROOT, pattern.slice(0, -2))).map((name) => `${pattern.slice(0, -2)}/${name}`)
      : [pattern];
    for (const folder of folders)
      if (existsSync(path.join(ROOT, folder, 'package.json')))
        byName.set(readJson(`${folder}/package.json`).name, folder);
  }
  const found = new Set<string>();
  const visit = (folder: string) => {
    for (const name of Object.keys(readJson(`${folder}/package.json`).dependencies ?? {})) {
      if (found.has(name)) continue;
      found.add(name);
      if (byName.has(name)) visit(byName.get(name)!);
    }
  };
  for (const workspace of runtimeInstall().workspaces) visit(workspace);
  return found;
}

/** A bare import's package: `@scope/name` or `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

describe('the Dockerfile', () => {
  test('has a build stage and a runtime stage on the same Node image', () => {
    assert.equal(extra.length, 0, 'two stages');
    assert.equal(buildStage?.name, 'build');
    assert.equal(runtimeStage?.name, 'runtime');
    assert.match(buildStage!.from, /^node:20[\w.-]*$/);
    assert.equal(runtimeStage!.from, buildStage!.from);
    // the build stage installs the dev dependencies and compiles
    assert.ok(runs(buildStage).some((run) => /npm ci --include=dev\b.*&& npm run build$/.test(run)));
    for (const instruction of [...buildStage!.instructions, ...runtimeStage!.instructions])
      if (instruction.keyword === 'COPY' && !instruction.args.startsWith('--from')) {
        const sources = instruction.args.split(' ').slice(0, -1);
        for (const source of sources) assert.ok(existsSync(path.join(ROOT, source)), `COPY ${source}`);
      }
  });

  test('the runtime stage installs production dependencies only and runs compiled JavaScript as a non-root user', () => {
    const { command, workspaces } = runtimeInstall();
    assert.match(command, /--omit=dev\b/);
    assert.match(command, /--omit=optional\b/);
    assert.doesNotMatch(runs(runtimeStage).join('\n'), /npm run build|tsx|--include=dev/);
    // npm ci checks the lock against every workspace's package.json: each is copied before it
    const copied = runtimeStage!.instructions
      .slice(
        0,
        runtimeStage!.instructions.findIndex((i) => i.args === command),
      )
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    for (const pattern of readJson('package.json').workspaces as string[])
      assert.ok(copied.includes(pattern.split('/')[0]!), `${pattern} is copied before npm ci`);
    for (const workspace of workspaces) assert.ok(existsSync(path.join(ROOT, workspace, 'package.json')), workspace);
    const fromBuild = runtimeStage!.instructions.filter(
      (i) => i.keyword === 'COPY' && i.args.startsWith('--from=build'),
    );
    assert.ok(
      fromBuild.some((i) => i.args === '--from=build /app/dist dist'),
      'the bundles come from the build stage',
    );
    const users = runtimeStage!.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    assert.equal(users.length, 1);
    assert.doesNotMatch(users[0]!, /^(root|0)(:|$)/);
    const last = runtimeStage!.instructions.at(-1)!;
    assert.equal(last.keyword, 'CMD');
    const services = SERVICES.map((service) => compiledCommand(service.name));
    assert.ok(services.some((service) => JSON.stringify(service) === JSON.stringify(exec(runtimeStage, 'CMD')[0])));
    const [healthcheck] = exec(runtimeStage, 'HEALTHCHECK');
    assert.deepEqual(healthcheck, compiledCommand('healthcheck'));
    assert.match(runtimeStage!.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.args, /--interval=\d+s .*CMD \[/);
  });

  test("the Playground's legacy dependency tree stays in the build stage", () => {
    const lock = readJson('package-lock.json').packages as Record<
      string,
      { version: string; dev?: boolean; devOptional?: boolean }
    >;
    const legacy = [
      ['graphql-playground-react', undefined],
      ['ejs', '2.7.4'],
      ['node-fetch', '1.7.3'],
      ['ws', '8.13.0'],
    ] as const;
    for (const [name, version] of legacy) {
      const copies = Object.entries(lock).filter(
        ([key, entry]) => key.endsWith(`node_modules/${name}`) && (version === undefined || entry.version === version),
      );
      assert.ok(copies.length > 0, `${name} ${version ?? ''} is in the lock (else this check checks nothing)`);
      // --omit=dev leaves out what only dev dependencies need
      for (const [key, entry] of copies)
        assert.equal(entry.dev, true, `${key} ${entry.version} is a dev dependency only`);
    }
    assert.ok(!runtimeDependencies().has('graphql-playground-react'));
  });
});

describe('the compiled services', () => {
  let database: TestDatabase;
  const children: { name: string; child: ChildProcess; output: string[] }[] = [];
  const ports: Record<string, number> = {};

  /** Runs `name`'s bundle as the image does: `node dist/<name>.js` in the checkout's root, no loader. */
  const run = (name: BundleName, env: Record<string, string>, args: string[] = []) => {
    const [command, ...rest] = compiledCommand(name);
    assert.equal(command, 'node');
    return spawn(process.execPath, [...rest, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  };

  before(async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    database = await createTestDatabase('image', { migrated: false });
  });

  after(async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
  });

  test('npm run build writes one bundle per process, importing only what the runtime stage installs', () => {
    const installed = runtimeDependencies();
    for (const { name } of BUNDLES) {
      const code = readFileSync(path.join(ROOT, bundleFile(name)), 'utf8');
      assert.doesNotMatch(code, /from ["']@supergraph-lab\//, `${name}: the workspace is bundled in`);
      const imports = [
        ...code.matchAll(
          /(?:^|\n)\s*import\s[^;]*?from\s*["']([^"'./][^"']*)["']|\bimport\(["']([^"'./][^"']*)["']\)/g,
        ),
      ]
        .map((match) => match[1] ?? match[2]!)
        .filter((specifier) => !specifier.startsWith('node:'));
      for (const specifier of imports)
        assert.ok(
          installed.has(packageOf(specifier)),
          `${bundleFile(name)} imports ${specifier}, not a production dependency`,
        );
    }
    assert.ok(existsSync(path.join(ROOT, 'dist/playground/static/js/middleware.js')), "the Playground's assets");
  });

  test('migrate, then every service as the image runs it, serving the item page; SIGTERM stops each cleanly', async () => {
    for (const name of [...SERVICES.map((service) => service.name)]) ports[name] = await freePort();
    const env = {
      PATH: process.env.PATH!,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      CACHE_NAMESPACE: `image-${process.pid}`,
      ...portEnvironment(ports),
    };
    /** Runs `name` to its end; its exit code and output. */
    const complete = async (name: BundleName, args: string[] = []) => {
      const child = run(name, env, args);
      const output: string[] = [];
      child.stdout!.on('data', (chunk) => output.push(String(chunk)));
      child.stderr!.on('data', (chunk) => output.push(String(chunk)));
      const code = await new Promise((resolve) => child.once('exit', resolve));
      return { code, output: output.join('') };
    };
    // the pods' wait (deploy/k8s): pending migrations first, none once the migrate Job ran
    const pending = await complete('migrate', ['--check']);
    assert.equal(pending.code, 1, pending.output);
    assert.match(pending.output, /^\d+ migration\(s\) pending: \d{14}_init, /);
    for (const [name, args] of [
      ['migrate', []],
      ['migrate', ['--check']],
      ['seed', ['--items', '20']],
    ] as const) {
      const { code, output } = await complete(name, [...args]);
      assert.equal(code, 0, `${name} ${args.join(' ')}: ${output}`);
    }
    // in the registry's order the gateway comes first: the subgraphs must be up for its readiness
    const order = [...SERVICES].sort((a, b) => Number(a.kind !== 'subgraph') - Number(b.kind !== 'subgraph'));
    for (const service of order) {
      const child = run(service.name, env);
      const output: string[] = [];
      child.stdout!.on('data', (chunk) => output.push(String(chunk)));
      child.stderr!.on('data', (chunk) => output.push(String(chunk)));
      children.push({ name: service.name, child, output });
      if (service.kind === 'subgraph') continue;
      for (const started of order.filter((other) => other.kind === 'subgraph' || other === service))
        await waitReady(`http://127.0.0.1:${ports[started.name]}`, { name: started.name, timeoutMs: 60_000 });
    }

    const gateway = `http://127.0.0.1:${ports.gateway}`;
    const answer = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ITEM_PAGE_QUERY, variables: itemPageVariables(1) }),
    });
    const body = (await answer.json()) as { data?: { item?: { name: string; reviews: unknown; photos: unknown[] } } };
    assert.equal(answer.status, 200);
    const item = body.data?.item;
    assert.ok(item?.name && item.reviews && item.photos, JSON.stringify(body));

    const page = await fetch(`http://127.0.0.1:${ports.ssr}/items/1`);
    const html = await page.text();
    assert.equal(page.status, 200);
    const entities: Record<string, string> = { '&amp;': '&', '&#x27;': "'", '&quot;': '"', '&lt;': '<', '&gt;': '>' };
    const heading = /<h1 id="item-name">([^<]*)</
      .exec(html)?.[1]
      ?.replace(/&[#\w]+;/g, (entity) => entities[entity] ?? entity);
    assert.equal(heading, item.name, 'the page shows the item the gateway answers');
    const bundle = /src="(\/assets\/client-[\w]+\.js)"/.exec(html)?.[1];
    assert.ok(bundle, 'the page loads its hydration bundle');
    assert.equal((await fetch(`http://127.0.0.1:${ports.ssr}${bundle}`)).status, 200);
    // the Playground from dist/playground: no graphql-playground-react at run time
    const asset = await fetch(
      `${gateway}/playground/@apollographql/graphql-playground-react/build/static/js/middleware.js`,
    );
    assert.equal(asset.status, 200);
    await asset.arrayBuffer();

    // the image's HEALTHCHECK, asked about each process as if it were the container's pid 1
    for (const { name, child } of children) {
      const check = spawnSync(process.execPath, [bundleFile('healthcheck'), String(child.pid)], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
      });
      assert.equal(check.status, 0, `${name}: ${check.stderr}`);
    }

    // a stop as Kubernetes and compose send it: SIGTERM, then the drain, then exit 0
    const exits = children.map(
      ({ child }) =>
        new Promise<number | null>((resolve) =>
          child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
        ),
    );
    for (const { child } of children.toReversed()) child.kill('SIGTERM');
    const codes = await Promise.all(exits);
    assert.deepEqual(
      Object.fromEntries(children.map(({ name }, i) => [name, codes[i]])),
      Object.fromEntries(children.map(({ name }) => [name, 0])),
      children.map(({ name, output }) => `${name}: ${output.join('').slice(-500)}`).join('\n'),
    );
  });
});
