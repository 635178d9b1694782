// npm start: the whole stack, one process per service, logs prefixed by service.
// Without DATABASE_URL it runs an embedded Postgres (PGlite, data under .data/pglite) and seeds
// a small data set when it is empty. Ctrl-C stops everything cleanly.
// npm run start:scaled (--scaled): two gateway and two SSR instances (ports P and P+10) behind
// Debian's nginx on :8080 with deploy/nginx.conf; an instance that stops is started again.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ConfigError, readConfig, readToolConfig, type Config, type ToolConfig } from '@supergraph-lab/config';
import { connect, migrate } from '@supergraph-lab/db';
import { loadShopData, loadShopDataIntoPGlite } from '@supergraph-lab/seed';
import { serviceCommand } from '@supergraph-lab/stack/processes';

const ROOT = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 60_000;

const SCALED = process.argv.includes('--scaled');
// balanced instances drain before they stop (deploy/nginx.conf keeps idle connections for 2 s), unless told
const SCALED_DRAIN_MS = 3000;

const SERVICES = [
  { name: 'items', entry: 'subgraphs/items/src/main.ts', port: (c: Config) => c.ports.items, colour: 36 },
  { name: 'reviews', entry: 'subgraphs/reviews/src/main.ts', port: (c: Config) => c.ports.reviews, colour: 35 },
  { name: 'photos', entry: 'subgraphs/photos/src/main.ts', port: (c: Config) => c.ports.photos, colour: 33 },
  { name: 'gateway', entry: 'gateway/src/main.ts', port: (c: Config) => c.ports.gateway, colour: 32 },
  { name: 'ssr', entry: 'ssr/src/main.ts', port: (c: Config) => c.ports.ssr, colour: 34 },
] as const;

/** The tools' settings (SEED_ITEMS, EMBEDDED_PG_PORT, NGINX_PORT, ...): read first thing, before any is used. */
let tools: ToolConfig;

const children: ChildProcess[] = [];
const closed = new Set<ChildProcess>();
let embedded: { db: PGlite; server: PGLiteSocketServer } | null = null;
let stopping = false;

const tty = Boolean(process.stdout.isTTY);
const paint = (colour: number, text: string) => (tty ? `\x1b[${colour}m${text}\x1b[0m` : text);
const say = (line: string) => console.log(`${paint(1, '[start]  ')} ${line}`);

/** Starts PGlite in this process, migrated and seeded, and serves it on a local socket. */
async function startEmbeddedPostgres(): Promise<string> {
  const dataDir = tools.embeddedDataDir ?? path.join(ROOT, '.data', 'pglite');
  mkdirSync(dataDir, { recursive: true });
  say(`no DATABASE_URL: embedded Postgres (PGlite) with its data in ${path.relative(ROOT, dataDir)}/`);
  const db = await PGlite.create({ dataDir });
  const url = `postgresql://postgres@127.0.0.1:${tools.embeddedPgPort}/postgres`;
  // migrate over the wire with the project's migrator, then seed in-process (COPY from a blob)
  let server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: tools.embeddedPgPort, maxConnections: 1 });
  await server.start();
  const client = await connect(url);
  const result = await migrate(client, { log: (line) => say(line) });
  await client.end();
  await server.stop();
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
  if (rows[0]!.n === 0) {
    say(`empty database: seeding ${tools.seedItems} items with their reviews and photos`);
    const report = await loadShopDataIntoPGlite(db, { items: tools.seedItems, seed: 42 });
    say(
      `seeded ${report.tables.map((table) => `${table.rows} ${table.table}`).join(', ')} in ${report.totalSeconds.toFixed(1)} s`,
    );
  } else {
    say(`${rows[0]!.n} items already there (${result.applied.length} migration(s) applied)`);
  }
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: tools.embeddedPgPort, maxConnections: 64 });
  await server.start();
  embedded = { db, server };
  return url;
}

/** Migrates a real server and seeds it when it has no items. */
async function prepareDatabase(url: string): Promise<void> {
  const client = await connect(url);
  try {
    await migrate(client, { log: (line) => say(line) });
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM items');
    if (rows[0]!.n > 0) return say(`${rows[0]!.n} items in the database`);
  } finally {
    await client.end();
  }
  say(`empty database: seeding ${tools.seedItems} items`);
  await loadShopData({ url, items: tools.seedItems, seed: 42 });
}

interface Spawnable {
  name: string;
  colour: number;
  /** A script under the repository, run with tsx, or a command and its arguments. */
  entry?: string;
  command?: [string, ...string[]];
  /** Started again when it stops (a balanced instance: the others serve meanwhile). */
  restart?: boolean;
}

/** Spawns one service with its output prefixed, one line at a time. */
function spawnService(service: Spawnable, env: NodeJS.ProcessEnv): ChildProcess {
  const [command, ...args] = service.command ?? serviceCommand(service.entry!);
  const child = spawn(command, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = paint(service.colour, `[${service.name}]`.padEnd(9));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${formatLogLine(line)}`));
  }
  child.on('exit', (code, signal) => {
    if (stopping) return;
    if (service.restart) {
      say(`${service.name} exited (${signal ?? `code ${code}`}); the other instance serves, starting it again in 1 s`);
      setTimeout(() => {
        if (!stopping) spawnService(service, env);
      }, 1000);
      return;
    }
    say(`${service.name} exited (${signal ?? `code ${code}`}); stopping everything`);
    void shutdown(1);
  });
  child.once('close', (code, signal) => {
    closed.add(child);
    if (stopping) say(`${service.name} stopped (${signal ?? `exit code ${code}`})`);
  });
  children.push(child);
  return child;
}

/** pino's JSON lines as `level message`, anything else as it is. */
function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    const level =
      { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[entry.level ?? 30] ?? 'info';
    return `${level.padEnd(5)} ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
  } catch {
    return line;
  }
}

/** Waits for `GET /readyz` to answer 200, or fails after the deadline. */
async function waitReady(name: string, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (stopping) throw new Error('stopped');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready at ${url}/readyz within ${READY_TIMEOUT_MS / 1000} s`);
}

/**
 * Two gateway and two SSR instances (ports P and P+10), then nginx with deploy/nginx.conf in a
 * scratch prefix under .data/nginx (ports rewritten only when they differ from the defaults).
 */
async function startScaled(config: Config, env: NodeJS.ProcessEnv): Promise<void> {
  const balanced = { ...env, SHUTDOWN_DRAIN_MS: String(tools.shutdownDrainMs ?? SCALED_DRAIN_MS) };
  const gateways = [config.ports.gateway, config.ports.gateway + 10];
  const ssrs = [config.ports.ssr, config.ports.ssr + 10];
  gateways.forEach((port, i) =>
    spawnService(
      { name: `gateway${i + 1}`, entry: SERVICES[3].entry, colour: 32, restart: true },
      { ...balanced, GATEWAY_PORT: String(port) },
    ),
  );
  await Promise.all(gateways.map((port, i) => waitReady(`gateway${i + 1}`, `http://127.0.0.1:${port}`)));
  // the SSR instances reach the gateways through nginx too: balanced, and they survive one stopping
  ssrs.forEach((port, i) =>
    spawnService(
      { name: `ssr${i + 1}`, entry: SERVICES[4].entry, colour: 34, restart: true },
      { ...balanced, SSR_PORT: String(port), GATEWAY_URL: `http://127.0.0.1:${tools.nginxPort}` },
    ),
  );
  const prefix = path.join(ROOT, '.data', 'nginx');
  mkdirSync(prefix, { recursive: true });
  const conf = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8')
    .replace('listen 8080;', `listen ${tools.nginxPort};`)
    .replaceAll('127.0.0.1:4000', `127.0.0.1:${gateways[0]}`)
    .replaceAll('127.0.0.1:4010', `127.0.0.1:${gateways[1]}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${ssrs[0]}`)
    .replaceAll('127.0.0.1:3010', `127.0.0.1:${ssrs[1]}`);
  const confFile = path.join(prefix, 'nginx.conf');
  writeFileSync(confFile, conf);
  spawnService(
    { name: 'nginx', colour: 37, command: [tools.nginxBin, '-p', `${prefix}/`, '-c', confFile, '-g', 'daemon off;'] },
    env,
  );
  await Promise.all(ssrs.map((port, i) => waitReady(`ssr${i + 1}`, `http://127.0.0.1:${port}`)));
  await waitReady('nginx', `http://127.0.0.1:${tools.nginxPort}`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping: SIGTERM to every service');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (closed.has(child)) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          // 'close', not 'exit': only then has every line the service wrote been printed
          child.once('close', () => {
            clearTimeout(kill);
            resolve();
          });
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        }),
    ),
  );
  if (embedded) {
    await embedded.server.stop();
    await embedded.db.close();
  }
  say('stopped');
  process.exit(code);
}

// persistent listeners (shutdown is idempotent): with none left, tsx's own relay kills the process
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  tools = readToolConfig();
  const config = readConfig();
  const databaseUrl = config.databaseUrl ?? (await startEmbeddedPostgres());
  if (config.databaseUrl) await prepareDatabase(databaseUrl);
  // the lab and the cache inspector need an admin token shared by the services: made up when unset
  const adminToken = config.adminToken ?? randomBytes(18).toString('base64url');
  // production unless told otherwise: React's development build and dev-only checks cost CPU on every page
  const env = { NODE_ENV: 'production', ...process.env, DATABASE_URL: databaseUrl, ADMIN_TOKEN: adminToken };
  // the subgraphs first: the gateway's readiness checks them
  for (const service of SERVICES.slice(0, 3)) spawnService(service, env);
  await Promise.all(
    SERVICES.slice(0, 3).map((service) => waitReady(service.name, `http://127.0.0.1:${service.port(config)}`)),
  );
  let gateway = `http://localhost:${config.ports.gateway}`;
  let pages = `http://localhost:${config.ports.ssr}`;
  if (SCALED) {
    await startScaled(config, env);
    gateway = pages = `http://localhost:${tools.nginxPort}`;
  } else {
    spawnService(SERVICES[3], env);
    await waitReady('gateway', `http://127.0.0.1:${config.ports.gateway}`);
    spawnService(SERVICES[4], env);
    await waitReady('ssr', `http://127.0.0.1:${config.ports.ssr}`);
  }
  say('ready:');
  say(`  GraphQL Playground  ${gateway}/graphql`);
  say(`  REST example        ${gateway}/api/items/1  ·  ${gateway}/api/items/1/reviews?sort=HIGHEST`);
  say(`  item page (SSR)     ${pages}/items/1  ·  built over REST: ${pages}/items/1?source=rest`);
  say(
    `  subgraphs           ${SERVICES.slice(0, 3)
      .map((service) => `${service.name} http://localhost:${service.port(config)}/graphql`)
      .join('  ')}`,
  );
  say(`  health, metrics     ${gateway}/readyz  ${gateway}/metrics`);
  say(
    `  database            ${config.databaseUrl ? 'DATABASE_URL' : `embedded PGlite at postgresql://postgres@127.0.0.1:${tools.embeddedPgPort}/postgres`}`,
  );
  say(
    `  cache               ${config.redisUrl ? `Redis (REDIS_URL), CACHE_MODE=${config.cacheMode}` : `in-memory entity cache per service (no REDIS_URL), CACHE_MODE=${config.cacheMode}`}`,
  );
  say(`  load lab            ${pages}/lab${config.lab ? '' : '  (off: LAB=off)'}`);
  if (SCALED) {
    say(
      `  behind nginx :${tools.nginxPort}   gateway ${config.ports.gateway} + ${config.ports.gateway + 10}, ssr ${config.ports.ssr} + ${config.ports.ssr + 10} (deploy/nginx.conf)`,
    );
  }
  say(
    `  cache inspector     ${gateway}/cache  (Authorization: Bearer ${config.adminToken ? '$ADMIN_TOKEN' : `${adminToken}, made up for this run`})`,
  );
  say('Ctrl-C stops everything');
} catch (error) {
  if (!stopping) {
    console.error(`start: ${error instanceof ConfigError ? error.message : ((error as Error).stack ?? error)}`);
    await shutdown(1);
  }
}
