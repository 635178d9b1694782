// npm start: the whole stack, one process per service, logs prefixed by service.
// Without DATABASE_URL it runs an embedded Postgres (PGlite, data under .data/pglite) and seeds
// a small data set when it is empty. Ctrl-C stops everything cleanly.
// npm run start:scaled (--scaled): two gateway and two SSR instances (ports P and P+10) behind
// Debian's nginx on :8080 with deploy/nginx.conf (or `-- --balancer haproxy`: HAProxy with
// deploy/haproxy.cfg); an instance or a subgraph that stops is started again (npm start stops
// everything instead: one process per service, nothing to cover for it).
// The parts: start/database.ts (and start/pglite-server.ts, PGlite's one session served to every
// pool), start/supervisor.ts, start/output.ts; the balancer's file: tools/stack/src/balancer.ts.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import {
  cacheStoreKindOf,
  ConfigError,
  parseCliArgs,
  readConfig,
  readToolConfig,
  redactUrl,
  SERVICES as REGISTRY,
  SUBGRAPH_NAMES,
  UsageError,
  type ServiceName,
  type Config,
  type GatewayKind,
  type ToolConfig,
} from '@supergraph-lab/config';
import { showcaseItemId } from '@supergraph-lab/db';
import {
  balancedShutdownEnv,
  balancerCommand,
  BALANCERS,
  operationsPort,
  parseBalancers,
  type BalancedPorts,
  writeBalancerConfig,
  type Balancer,
} from '@supergraph-lab/stack/balancer';
import { SHARED_STORE_NEEDED } from '@supergraph-lab/cache';
import type { Front, FromSupervisor, ToSupervisor } from '@supergraph-lab/lab/protocol';
import { GATEWAY_CHOICES, peerLaunch, readyProbe } from '@supergraph-lab/stack/gateways';
import { SERVICE_NODE_FLAGS } from '@supergraph-lab/stack/processes';
import { cacheNamespaceFor, prepareDatabase, retireCachedEntries, startEmbeddedPostgres } from './start/database.ts';
import { say } from './start/output.ts';
import { Supervisor, type Spawnable } from './start/supervisor.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 60_000;
const USAGE = `usage: npm start | npm run start:scaled [-- --balancer ${Object.keys(BALANCERS).join('|')}]`;

/** The services, by name (the registry's: entry file, colour), each with its port in the configuration. */
type Service = Spawnable & { port: (c: Config) => number };
const SERVICES = Object.fromEntries(
  REGISTRY.map((service): [ServiceName, Service] => [service.name, { ...service, port: (c) => c.ports[service.name] }]),
) as Record<ServiceName, Service>;
const SUBGRAPHS = SUBGRAPH_NAMES.map((name) => SERVICES[name]);
/** The load lab: a tool started beside the stack, not a service of the registry. */
const LAB: Service = { name: 'lab', entry: 'lab/src/main.ts', port: (c) => c.ports.lab, colour: 31 };

const supervisor = new Supervisor(READY_TIMEOUT_MS);
const local = (port: number) => `http://127.0.0.1:${port}`;

/** `--scaled` (start:scaled) and its balancer, or a UsageError naming what is wrong. */
function readArgs(argv: readonly string[], gateway: GatewayKind): { scaled: boolean; balancer: Balancer } {
  const args = parseCliArgs(argv, { scaled: { type: 'boolean' }, balancer: { type: 'string' } }, USAGE);
  if (args.scaled && gateway !== 'apollo')
    throw new UsageError(`start:scaled balances the project's gateway; GATEWAY=${gateway} goes with npm start`);
  if (args.balancer !== undefined && !args.scaled) throw new UsageError(`--balancer goes with start:scaled; ${USAGE}`);
  try {
    const balancer = args.balancer === undefined ? 'nginx' : parseBalancers(args.balancer, 1)[0]!;
    return { scaled: args.scaled ?? false, balancer };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
}

/** start:scaled's ports: the balancer's two listeners, two gateway and two SSR instances (P and P+10). */
function balancedPorts(config: Config, tools: ToolConfig): BalancedPorts {
  return {
    balancer: tools.nginxPort,
    gateways: [config.ports.gateway, config.ports.gateway + 10],
    ssrs: [config.ports.ssr, config.ports.ssr + 10],
    lab: config.ports.lab,
  };
}

/**
 * Two gateway and two SSR instances (ports P and P+10), then the balancer with its file from
 * deploy/ in a scratch prefix under .data/<balancer> (ports rewritten only when they differ from
 * the defaults).
 */
async function startScaled(
  config: Config,
  tools: ToolConfig,
  env: NodeJS.ProcessEnv,
  balancer: Balancer,
): Promise<void> {
  // the instances know what is in front of them: the lab says so
  const balanced = { ...env, ...balancedShutdownEnv(tools), BALANCER: balancer };
  const ports = balancedPorts(config, tools);
  const { gateways, ssrs } = ports;
  gateways.forEach((port, i) =>
    supervisor.spawn(
      { ...SERVICES.gateway, name: `gateway${i + 1}`, restart: 'balanced' },
      { ...balanced, GATEWAY_PORT: String(port) },
    ),
  );
  await Promise.all(gateways.map((port, i) => supervisor.ready(`gateway${i + 1}`, local(port))));
  // the SSR instances reach the gateways through the balancer too: balanced, and they survive one
  // stopping; on its operations listener, where the admin and cache routes the lab calls are
  ssrs.forEach((port, i) =>
    supervisor.spawn(
      { ...SERVICES.ssr, name: `ssr${i + 1}`, restart: 'balanced' },
      { ...balanced, SSR_PORT: String(port), GATEWAY_URL: local(operationsPort(ports)) },
    ),
  );
  const prefix = path.join(ROOT, '.data', balancer);
  const confFile = writeBalancerConfig(balancer, ports, prefix);
  supervisor.spawn({ name: balancer, colour: 37, command: balancerCommand(balancer, tools, prefix, confFile) }, env);
  await Promise.all(ssrs.map((port, i) => supervisor.ready(`ssr${i + 1}`, local(port))));
  await supervisor.ready(balancer, local(tools.nginxPort));
}

/** A process is alive (its /healthz), where its readiness cannot be asked. */
const ALIVE = { path: '/healthz', init: {} };

/**
 * GATEWAY's gateway on the gateway port: the project's (its /readyz checks the subgraphs), or a
 * peer from tools/stack/src/gateways.ts, ready once it answers a query.
 */
async function startGateway(config: Config, kind: GatewayKind, env: NodeJS.ProcessEnv): Promise<void> {
  if (kind === 'apollo') {
    supervisor.spawn(SERVICES.gateway, env);
    return supervisor.ready('gateway', local(config.ports.gateway));
  }
  const launch = peerLaunch(kind, config.ports.gateway, config.subgraphUrls, SERVICE_NODE_FLAGS);
  supervisor.onStopped(async () => launch.cleanup());
  supervisor.spawn({ ...SERVICES.gateway, command: launch.command, cwd: launch.cwd }, env);
  await supervisor.ready('gateway', local(config.ports.gateway), readyProbe(kind));
}

/** The gateway and SSR instances: one each, or start:scaled's two behind the balancer. */
async function startFront(config: Config, tools: ToolConfig, env: NodeJS.ProcessEnv, balancer: Balancer | null) {
  if (balancer) return startScaled(config, tools, env, balancer);
  await startGateway(config, tools.gateway, env);
  supervisor.spawn(SERVICES.ssr, env);
  // the SSR service's readiness asks the gateway's /healthz, which only the project's gateway has
  await supervisor.ready('ssr', local(config.ports.ssr), tools.gateway === 'apollo' ? undefined : ALIVE);
}

/** What the lab is told of a front: where a load goes, and each instance. */
function describeFront(config: Config, tools: ToolConfig, balancer: Balancer | null): Front {
  if (!balancer) {
    const one = { gateway: local(config.ports.gateway), ssr: local(config.ports.ssr) };
    return { scaled: false, load: one, instances: [one] };
  }
  const { gateways, ssrs } = balancedPorts(config, tools);
  return {
    scaled: true,
    load: { gateway: local(tools.nginxPort), ssr: local(tools.nginxPort) },
    instances: gateways.map((port, i) => ({ gateway: local(port), ssr: local(ssrs[i]!) })),
  };
}

/**
 * The settings the lab switched (ToSupervisor's `settings`), as variables over the environment
 * of every process started from then on: an instance or a subgraph started again after a crash,
 * or a front the lab switched to, starts with them rather than with CACHE_MODE and BATCHING as
 * npm start was given them. Changes made through the admin routes directly are not seen here.
 */
const remembered: Record<'api' | 'pages', NodeJS.ProcessEnv> = { api: {}, pages: {} };
function rememberSettings(settings: Extract<ToSupervisor, { type: 'settings' }>): void {
  const into = remembered[settings.part];
  if (settings.cacheMode) into.CACHE_MODE = settings.cacheMode;
  if (settings.batching !== undefined) into.BATCHING = settings.batching ? 'on' : 'off';
}
supervisor.environmentOf = (service) => {
  const kind = REGISTRY.find((one) => one.entry === service.entry)?.kind;
  return kind === 'ssr' ? remembered.pages : kind ? remembered.api : {};
};

/**
 * Answers the lab's questions about the front (its IPC channel): what runs now, or a switch
 * between one gateway and SSR instance and two of each behind `balancer` (the lab's scaled A/B
 * run). A switch stops the front's processes and starts the other's; the subgraphs, the
 * database and the lab run on. One switch at a time.
 */
function serveFrontSwitches(
  lab: ChildProcess,
  config: Config,
  tools: ToolConfig,
  env: NodeJS.ProcessEnv,
  initial: Balancer | null,
  balancer: Balancer,
): void {
  let running = initial;
  let queue = Promise.resolve();
  const names = (front: Balancer | null) =>
    front ? ['gateway1', 'gateway2', 'ssr1', 'ssr2', front] : ['gateway', 'ssr'];
  lab.on('message', (message: ToSupervisor) => {
    if (message.type === 'settings') return rememberSettings(message);
    if (message.type !== 'front') return;
    const answer = (reply: FromSupervisor) => lab.connected && lab.send(reply);
    queue = queue.then(async () => {
      try {
        const wanted = message.scaled === undefined ? running : message.scaled ? balancer : null;
        if (wanted !== running) {
          if (wanted) accessSync(wanted === 'nginx' ? tools.nginxBin : tools.haproxyBin, constants.X_OK);
          say(
            `switching the front to ${wanted ? `two gateways and two SSR instances behind ${wanted}` : 'one gateway and one SSR instance'} (the lab asked)`,
          );
          await supervisor.retire(names(running));
          running = null;
          await startFront(config, tools, env, wanted);
          running = wanted;
        }
        answer({ type: 'front', id: message.id, front: describeFront(config, tools, running) });
      } catch (error) {
        const { code, message: text } = error as NodeJS.ErrnoException;
        const reason =
          code === 'ENOENT' || code === 'EACCES' ? `${balancer} is not installed (apt-get install ${balancer})` : text;
        answer({ type: 'front-failed', id: message.id, message: `the front could not switch: ${reason}` });
      }
    });
  });
}

/**
 * What runs where, once everything is ready. `run.showcaseId`: the item whose page shows every
 * part (photos and reviews), asked of this run's database; null when none has both.
 */
function sayReady(
  config: Config,
  tools: ToolConfig,
  run: { adminToken: string; labToken: string; cacheNamespace: string; showcaseId: number | null },
  balancer: Balancer | null,
): void {
  const gateway = `http://localhost:${balancer ? tools.nginxPort : config.ports.gateway}`;
  const pages = `http://localhost:${balancer ? tools.nginxPort : config.ports.ssr}`;
  // behind a balancer the lab, metrics and admin routes are on its loopback operations listener
  const opsPort = operationsPort(balancedPorts(config, tools));
  const ops = balancer ? `http://localhost:${opsPort}` : null;
  const id = run.showcaseId;
  say('ready:');
  say(`  shop                ${pages}/`);
  say(`  GraphQL Playground  ${gateway}/graphql`);
  if (id === null) {
    say(`  REST example        ${gateway}/api/items  (no item has both photos and reviews yet)`);
  } else {
    say(`  REST example        ${gateway}/api/items/${id}  ·  ${gateway}/api/items/${id}/reviews?sort=HIGHEST`);
    say(`  item page (SSR)     ${pages}/items/${id}  ·  built over REST: ${pages}/items/${id}?source=rest`);
  }
  say(
    `  subgraphs           ${SUBGRAPHS.map((service) => `${service.name} http://localhost:${service.port(config)}/graphql`).join('  ')}`,
  );
  say(`  health, metrics     ${gateway}/readyz  ${ops ?? gateway}/metrics`);
  if (tools.gateway !== 'apollo') {
    const choice = GATEWAY_CHOICES[tools.gateway];
    say(
      `  gateway             GATEWAY=${tools.gateway}: ${choice.label} on :${config.ports.gateway}, ${choice.engine}`,
    );
    say(`                      it lacks ${choice.lacks}: the REST example, health and metrics,`);
    say(`                      the cache inspector and the lab's cache switches above need GATEWAY=apollo`);
  }
  say(
    `  database            ${config.databaseUrl ? 'DATABASE_URL' : `embedded PGlite at postgresql://postgres@127.0.0.1:${tools.embeddedPgPort}/postgres`}`,
  );
  say(`  cache               ${describeCaching(config, run.cacheNamespace)}`);
  const labToken = config.labToken ? '$LAB_TOKEN' : run.labToken;
  const lab = ops ?? `http://localhost:${config.ports.lab}`;
  say(`  load lab            ${config.lab ? `${lab}/lab?token=${labToken}` : `${lab}/lab  (off: LAB=off)`}`);
  if (balancer) {
    say(
      `  behind ${balancer} :${tools.nginxPort}   gateway ${config.ports.gateway} + ${config.ports.gateway + 10}, ssr ${config.ports.ssr} + ${config.ports.ssr + 10} (deploy/${BALANCERS[balancer].file}; admin, metrics and lab on :${opsPort})`,
    );
  }
  say(
    `  cache inspector     ${ops ?? gateway}/cache  (Authorization: Bearer ${config.adminToken ? '$ADMIN_TOKEN' : `${run.adminToken}, made up for this run`})`,
  );
  say('Ctrl-C stops everything');
}

/**
 * The banner's cache line: which store, which layers serve (and why some cannot), the switches.
 * A URL's password is never printed.
 */
function describeCaching(config: Config, namespace: string): string {
  const switches = `CACHE_MODE=${config.cacheMode}, BATCHING=${config.batching ? 'on' : 'off'}`;
  if (config.cacheUrls.length === 0)
    return `entity caches in each subgraph's memory; ${SHARED_STORE_NEEDED}; ${switches}`;
  const stores = config.cacheUrls.map((url) => `${cacheStoreKindOf(url)} at ${redactUrl(url)}`);
  return `${stores.join(', then ')}${stores.length > 1 ? ' (the lab switches stores)' : ''}: every layer; ${switches}; keys under ${namespace}:`;
}

// persistent listeners (shutdown is idempotent): with none left, tsx's own relay kills the process
process.on('SIGINT', () => void supervisor.shutdown(0));
process.on('SIGTERM', () => void supervisor.shutdown(0));

try {
  const tools = readToolConfig();
  const { scaled, balancer } = readArgs(process.argv.slice(2), tools.gateway);
  const config = readConfig();
  let databaseUrl = config.databaseUrl;
  let seeded: boolean;
  if (databaseUrl) seeded = await prepareDatabase(databaseUrl, tools.seedItems);
  else {
    const embedded = await startEmbeddedPostgres(tools);
    supervisor.onStopped(() => embedded.close());
    databaseUrl = embedded.url;
    seeded = embedded.seeded;
  }
  // the lab and the cache inspector need an admin token shared by the services: made up when unset;
  // the lab's own token lets a browser in (printed once, in the lab's URL)
  const adminToken = config.adminToken ?? randomBytes(18).toString('base64url');
  const labToken = config.labToken ?? randomBytes(18).toString('base64url');
  // production unless told otherwise: React's development build and dev-only checks cost CPU on every page
  // one namespace per database (unless CACHE_NAMESPACE names one): another database's entries are not this one's
  const cacheNamespace = process.env.CACHE_NAMESPACE ?? (await cacheNamespaceFor(databaseUrl));
  if (seeded) await retireCachedEntries(config.cacheUrls, cacheNamespace);
  const env = {
    NODE_ENV: 'production',
    ...process.env,
    DATABASE_URL: databaseUrl,
    ADMIN_TOKEN: adminToken,
    LAB_TOKEN: labToken,
    CACHE_NAMESPACE: cacheNamespace,
  };
  // the subgraphs first: the gateway's readiness checks them. start:scaled stands for a deployment
  // whose orchestrator restarts a crashed subgraph (npm run chaos kills one); npm start stops all
  for (const service of SUBGRAPHS) supervisor.spawn(scaled ? { ...service, restart: 'alone' } : service, env);
  await Promise.all(SUBGRAPHS.map((service) => supervisor.ready(service.name, local(service.port(config)))));
  await startFront(config, tools, env, scaled ? balancer : null);
  // the lab, a process of its own: behind the balancer it drives the stack as the first SSR instance did
  if (config.lab) {
    const ports = balancedPorts(config, tools);
    const behind = { GATEWAY_URL: local(operationsPort(ports)), SSR_URL: local(ports.ssrs[0]), BALANCER: balancer };
    const lab = supervisor.spawn({ ...LAB, ipc: true }, scaled ? { ...env, ...behind } : env);
    serveFrontSwitches(lab, config, tools, env, scaled ? balancer : null, balancer);
    await supervisor.ready('lab', local(config.ports.lab));
  }
  const showcaseId = await showcaseItemId(databaseUrl);
  sayReady(config, tools, { adminToken, labToken, cacheNamespace, showcaseId }, scaled ? balancer : null);
} catch (error) {
  if (!supervisor.stopping) {
    console.error(
      `start: ${error instanceof ConfigError || error instanceof UsageError ? error.message : ((error as Error).stack ?? error)}`,
    );
    await supervisor.shutdown(error instanceof UsageError ? 2 : 1);
  }
}
