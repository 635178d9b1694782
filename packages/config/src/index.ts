import { z } from 'zod';
import { ConfigError, parseEnv, port, wholeNumber } from './env.ts';
import { CACHE_MODES, cacheStoreKindOf, databaseUrlPattern, SEED_IMAGE_HOST, type CacheMode } from './modes.ts';
import { SERVICES, SUBGRAPHS, type ServiceName, type SubgraphName } from './services.ts';

export { ConfigError, redactUrl } from './env.ts';
export { argsOrExit, parseChoices, parseCliArgs, parseCount, stringOptions, UsageError } from './cli.ts';
export { readToolConfig, type ToolConfig } from './tools.ts';

/**
 * The one place configuration is read. Every value comes from the environment (docs/contract.md,
 * "Environment" and "Services and ports"), is validated once, and has an explicit default.
 */

export {
  CACHE_MODES,
  CACHE_STORES,
  cacheStoreKindOf,
  DATABASE_SCHEMES,
  DATABASES,
  databaseKindOf,
  databaseUrlForms,
  databaseUrlPattern,
  type DatabaseKind,
  GATEWAYS,
  type GatewayKind,
  SEED_IMAGE_HOST,
  type CacheMode,
  type CacheStoreKind,
} from './modes.ts';
export {
  bundleFile,
  BUNDLES,
  compiledCommand,
  PLAYGROUND_ASSETS,
  portEnvironment,
  PROCESS_INSTANCE_METRIC,
  SERVICE_NAMES,
  SERVICES,
  SUBGRAPH_NAMES,
  SUBGRAPHS,
  TOOL_BUNDLES,
  type BundleName,
  type ServiceKind,
  type ServiceName,
  type SubgraphName,
} from './services.ts';

const positiveInt = (fallback: number, max?: number) => wholeNumber(1, fallback, max);

const url = (protocols: RegExp, example: string) =>
  z.string().regex(protocols, `must be a URL like ${example}`).optional();

/** One host as a URL names it: a name or an IP address (IPv6 in brackets), with a port when not the default. */
const HOST = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?`;
const HOST_LIST = new RegExp(String.raw`^\s*${HOST}(?:\s*,\s*${HOST})*\s*$`);

type Service = (typeof SERVICES)[number];

/** Each service's port variable (its default port) and URL variable, from the registry. */
const serviceVariables = Object.fromEntries(
  SERVICES.flatMap((service) => [
    [service.portVariable, port(service.defaultPort)],
    [service.urlVariable, url(/^https?:\/\//, `http://127.0.0.1:${service.defaultPort}`)],
  ]),
) as { [S in Service as S['portVariable']]: ReturnType<typeof port> } & {
  [S in Service as S['urlVariable']]: ReturnType<typeof url>;
};

const schema = z.object({
  // unset means production: stack traces only where NODE_ENV=development says so (docs/contract.md)
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: url(databaseUrlPattern(), 'postgresql://user@host:5432/db or mysql://root@host:3306/db'),
  REDIS_URL: url(/^rediss?:\/\//, 'redis://127.0.0.1:6379'),
  CACHE_URL: url(/^(rediss?|memcached):\/\/[^/]/, 'redis://127.0.0.1:6379 or memcached://127.0.0.1:11211'),
  CACHE_MODE: z.enum(CACHE_MODES).default('all'),
  BATCHING: z.enum(['on', 'off']).default('on'),
  CACHE_NAMESPACE: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
    .default('sgl'),
  CACHE_TTL_SECONDS: positiveInt(300, 86_400),
  CACHE_TIMEOUT_MS: positiveInt(500, 10_000),
  // 0: the outbox is replayed at start only
  CACHE_REPLAY_INTERVAL_MS: wholeNumber(0, 5000, 3_600_000),
  IDEMPOTENCY_KEY_TTL_SECONDS: positiveInt(86_400, 30 * 86_400),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LAB_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  IMAGE_HOSTS: z
    .string()
    .regex(HOST_LIST, 'must be a comma-separated list of hosts like cdn.example or 127.0.0.1:3000')
    .optional(),
  // GATEWAY_PORT, ITEMS_PORT, ..., and GATEWAY_URL, ITEMS_URL, ...
  ...serviceVariables,
  // the load lab: a tool of its own, not a service of the registry (nothing composes or balances it)
  LAB_PORT: port(3100),
  // the monolith: the three subgraphs' modules behind the API schema in one process, the baseline federation is measured against
  MONOLITH_PORT: port(4005),
  LAB_URL: url(/^https?:\/\//, 'http://127.0.0.1:3100').optional(),
  // where the lab keeps its runs; unset: .data/lab in the checkout
  LAB_DATA_DIR: z.string().optional(),
  SUPERGRAPH_MODE: z.enum(['static', 'introspect']).default('static'),
  DB_POOL_SIZE: positiveInt(10, 200),
  // 0: idle connections stay open
  DB_POOL_IDLE_SECONDS: wholeNumber(0, 300, 86_400),
  // a test-only fault: see Config.testCrashAfterCommit
  TEST_CRASH_AFTER_COMMIT: z.enum(['on', 'off']).default('off'),
  SUBGRAPH_TIMEOUT_MS: positiveInt(5000, 600_000),
  REQUEST_TIMEOUT_MS: positiveInt(10_000, 600_000),
  BODY_LIMIT_BYTES: positiveInt(1024 * 1024, 100 * 1024 * 1024),
  LAB: z.enum(['on', 'off']).default('on'),
  // set by start:scaled for the instances behind its balancer: the lab says which one runs
  BALANCER: z.enum(['nginx', 'haproxy']).optional(),
  GRAPHQL_MAX_DEPTH: positiveInt(10, 100),
  GRAPHQL_MAX_COST: positiveInt(5000, 10_000_000),
  GRAPHQL_MAX_ALIASES: positiveInt(30, 10_000),
  GRAPHQL_MAX_TOKENS: positiveInt(2000, 1_000_000),
  // a GraphQL document is text a client writes by hand: far smaller than a REST body may be
  GRAPHQL_BODY_LIMIT_BYTES: positiveInt(64 * 1024, 100 * 1024 * 1024),
  GRAPHQL_INTROSPECTION: z.enum(['on', 'off']).default('on'),
  PLAYGROUND: z.enum(['on', 'off']).default('on'),
  SHUTDOWN_DRAIN_MS: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be >= 0')
    .max(60_000, 'must be <= 60000')
    .default(0),
  SHUTDOWN_IDLE_MS: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be >= 0')
    .max(60_000, 'must be <= 60000')
    .default(0),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 600_000),
  WORKERS: positiveInt(1, 64),
  ALLOWED_HOSTS: z
    .string()
    .regex(HOST_LIST, 'must be a comma-separated list of host names like shop.example')
    .optional(),
  // memory a client's requests can fill: the lean path's documents by query-text bytes, the
  // in-memory cache store by key + value bytes, automatic persisted queries by size and lifetime
  LEAN_DOCUMENT_CACHE_BYTES: wholeNumber(1024, 1024 * 1024, 1024 * 1024 * 1024),
  CACHE_MEMORY_BYTES: wholeNumber(64 * 1024, 32 * 1024 * 1024, 16 * 1024 * 1024 * 1024),
  APQ_MAX_QUERY_BYTES: positiveInt(16 * 1024, 100 * 1024 * 1024),
  APQ_TTL_SECONDS: positiveInt(300, 86_400),
});

/** Every environment variable readConfig reads (deploy/k8s's ConfigMap and env are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** Everything a service may need, validated. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  /** Stack traces in GraphQL errors and problem details only here. */
  development: boolean;
  logLevel: string;
  host: string;
  databaseUrl: string | undefined;
  /** The shared cache store: CACHE_URL (redis:// or memcached://), else REDIS_URL; none: memory per process. */
  cacheUrl: string | undefined;
  /**
   * Every store the services can serve from, the one they start on first: CACHE_URL, then
   * REDIS_URL when it names another kind (CACHE_URL=memcached://... beside REDIS_URL: both, and
   * the load lab switches between them at runtime).
   */
  cacheUrls: string[];
  cacheMode: CacheMode;
  /** BATCHING: whether the subgraphs batch their reads (DataLoader) when they start. */
  batching: boolean;
  /** Prefix of every cache key: processes sharing one share their cache. */
  cacheNamespace: string;
  /** Safety-net lifetime of cached responses. */
  cacheTtlSeconds: number;
  /** Bound on each cache call: slower counts as a miss. */
  cacheTimeoutMs: number;
  /**
   * How often a subgraph replays the cache's outbox: the invalidations a write committed but a
   * process did not apply (it died, or the cache was down). 0: at start only.
   */
  cacheReplayIntervalMs: number;
  /** How long a create's Idempotency-Key is remembered (24 h unless told). */
  idempotencyKeyTtlSeconds: number;
  /** Bearer token for the admin endpoints (/cache); unset means they refuse everyone. */
  adminToken: string | undefined;
  /**
   * The hosts photo URLs may name (IMAGE_HOSTS, lower case): a host without a port takes its
   * scheme's default port only. Unset: the seed's image host and the SSR service's own (its
   * /images route). Browsers, the lab's server-side Chromium among them, load these URLs.
   */
  imageHosts: string[];
  ports: Record<ServiceName | 'lab' | 'monolith', number>;
  /** The gateway's base URL as the SSR service and the tools reach it (GATEWAY_URL, else GATEWAY_PORT here). */
  gatewayUrl: string;
  /** The SSR service's base URL as the tools reach it (SSR_URL, else SSR_PORT here). */
  ssrUrl: string;
  /** The load lab's base URL, where the SSR service sends `/lab` (LAB_URL, else LAB_PORT here). */
  labUrl: string;
  /** Base URLs of the subgraph services (no path), as the gateway reaches them. */
  subgraphUrls: Record<SubgraphName, string>;
  /** `static`: compose the subgraph SDL files at start; `introspect`: ask the running subgraphs. */
  supergraphMode: 'static' | 'introspect';
  dbPoolSize: number;
  /** Seconds a database connection may stay idle before its pool closes it (0: never). */
  dbPoolIdleSeconds: number;
  /**
   * Test only (refused in production): a gateway whose request says `x-test-crash-after-commit: 1`
   * dies (SIGKILL) once a write's answer came back from its owner, before it answers: the
   * crash after a commit that load balancers must not turn into a second write. A subgraph whose
   * request says `x-test-crash-before-invalidation: 1` dies once its write committed, before it
   * replaces the write's version tokens: the crash the cache's outbox recovers from.
   */
  testCrashAfterCommit: boolean;
  subgraphTimeoutMs: number;
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  /** Refused before execution (400): deeper nesting, higher cost (see @supergraph-lab/http limits). */
  graphqlLimits: { maxDepth: number; maxCost: number; maxAliases: number; maxTokens: number };
  /** The largest body `POST /graphql` takes (REST keeps BODY_LIMIT_BYTES). */
  graphqlBodyLimitBytes: number;
  /** Schema introspection; off hides the schema (and so the Playground's docs) in production. */
  introspection: boolean;
  /** GraphQL Playground on GET /graphql from a browser. */
  playground: boolean;
  /**
   * On SIGTERM (drainAndClose in @supergraph-lab/http): serve `drainMs` as before while /readyz
   * says 503 (SHUTDOWN_DRAIN_MS, 0 unless behind a balancer: longer than its health checks take
   * to see it), then stop accepting and leave idle connections `idleMs` for the balancer to close
   * (SHUTDOWN_IDLE_MS, 0 unless behind one: longer than it keeps a connection idle), then wait
   * at most `timeoutMs` for the requests in flight (SHUTDOWN_TIMEOUT_MS, 10 s).
   */
  shutdown: { drainMs: number; idleMs: number; timeoutMs: number };
  /** Subgraph processes sharing the port (node:cluster); 1 runs a single process. */
  workers: number;
  /** ALLOWED_HOSTS: names the lab and admin routes answer to besides loopback's (a balancer's, compose's service names). */
  allowedHosts: string[];
  /** The load lab, a process of its own (it generates load and switches caches: a local tool); off: npm start leaves it out. */
  lab: boolean;
  /** LAB_DATA_DIR: where the lab keeps its runs; undefined: `.data/lab` in the checkout. */
  labDataDir: string | undefined;
  /** What lets a browser (a cookie traded for `/lab?token=`) or a script (Bearer) into the lab; unset: made up at start. */
  labToken: string | undefined;
  /** The balancer in front of this instance (start:scaled says so), or null. */
  balancer: 'nginx' | 'haproxy' | null;
  /** Query text the lean GraphQL path keeps parsed, in bytes (least recently used dropped past it). */
  leanDocumentCacheBytes: number;
  /** The in-memory cache store's bound (no CACHE_URL or REDIS_URL): keys plus serialized values, in bytes. */
  cacheMemoryBytes: number;
  /** An automatic persisted query's text longer than this (or than the GraphQL body limit) is not stored. */
  apqMaxQueryBytes: number;
  /** How long an automatic persisted query's text is kept. */
  apqTtlSeconds: number;
}

/** Reads and validates the configuration from `env`. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(schema, env);
  if (e.TEST_CRASH_AFTER_COMMIT === 'on' && e.NODE_ENV === 'production')
    throw new ConfigError(
      'invalid configuration: TEST_CRASH_AFTER_COMMIT is a test hook, refused with NODE_ENV=production',
    );
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const ssrUrl = stripSlash(e.SSR_URL ?? local(e.SSR_PORT));
  return {
    nodeEnv: e.NODE_ENV,
    development: e.NODE_ENV === 'development',
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    cacheUrl: e.CACHE_URL ?? e.REDIS_URL,
    cacheUrls: [e.CACHE_URL, e.REDIS_URL].filter(
      (url, index, urls): url is string =>
        url !== undefined && urls.findIndex((other) => cacheStoreKindOf(other) === cacheStoreKindOf(url)) === index,
    ),
    cacheMode: e.CACHE_MODE,
    batching: e.BATCHING === 'on',
    cacheNamespace: e.CACHE_NAMESPACE,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    cacheTimeoutMs: e.CACHE_TIMEOUT_MS,
    cacheReplayIntervalMs: e.CACHE_REPLAY_INTERVAL_MS,
    idempotencyKeyTtlSeconds: e.IDEMPOTENCY_KEY_TTL_SECONDS,
    adminToken: e.ADMIN_TOKEN,
    imageHosts: e.IMAGE_HOSTS
      ? e.IMAGE_HOSTS.split(',').map((host) => host.trim().toLowerCase())
      : [SEED_IMAGE_HOST, new URL(ssrUrl).host],
    ports: {
      ...(Object.fromEntries(SERVICES.map((service) => [service.name, e[service.portVariable]])) as Record<
        ServiceName,
        number
      >),
      lab: e.LAB_PORT,
      monolith: e.MONOLITH_PORT,
    },
    gatewayUrl: stripSlash(e.GATEWAY_URL ?? local(e.GATEWAY_PORT)),
    ssrUrl,
    labUrl: stripSlash(e.LAB_URL ?? local(e.LAB_PORT)),
    subgraphUrls: Object.fromEntries(
      SUBGRAPHS.map((service) => [service.name, stripSlash(e[service.urlVariable] ?? local(e[service.portVariable]))]),
    ) as Config['subgraphUrls'],
    supergraphMode: e.SUPERGRAPH_MODE,
    dbPoolSize: e.DB_POOL_SIZE,
    dbPoolIdleSeconds: e.DB_POOL_IDLE_SECONDS,
    testCrashAfterCommit: e.TEST_CRASH_AFTER_COMMIT === 'on',
    subgraphTimeoutMs: e.SUBGRAPH_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    lab: e.LAB === 'on',
    labToken: e.LAB_TOKEN,
    labDataDir: e.LAB_DATA_DIR,
    balancer: e.BALANCER ?? null,
    graphqlLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
    },
    graphqlBodyLimitBytes: e.GRAPHQL_BODY_LIMIT_BYTES,
    introspection: e.GRAPHQL_INTROSPECTION === 'on',
    playground: e.PLAYGROUND === 'on',
    shutdown: { drainMs: e.SHUTDOWN_DRAIN_MS, idleMs: e.SHUTDOWN_IDLE_MS, timeoutMs: e.SHUTDOWN_TIMEOUT_MS },
    workers: e.WORKERS,
    // names, not hosts: the Host header's port does not matter here
    allowedHosts: e.ALLOWED_HOSTS?.split(',').map((host) => host.trim().toLowerCase().replace(/:\d+$/, '')) ?? [],
    leanDocumentCacheBytes: e.LEAN_DOCUMENT_CACHE_BYTES,
    cacheMemoryBytes: e.CACHE_MEMORY_BYTES,
    apqMaxQueryBytes: e.APQ_MAX_QUERY_BYTES,
    apqTtlSeconds: e.APQ_TTL_SECONDS,
  };
}

/** The database URL a service needs, or a clear error. */
export function requireDatabaseUrl(config: Config): string {
  if (!config.databaseUrl) throw new ConfigError('DATABASE_URL is not set (npm start provides an embedded one)');
  return config.databaseUrl;
}

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
