import { z } from 'zod';
import { parseEnv, port, wholeNumber } from './env.ts';
import { databaseUrlPattern, GATEWAYS, type GatewayKind } from './modes.ts';

/**
 * The settings of the tools around the services (npm start, start:scaled, the test and bench
 * helpers that need a program from Debian), read from the environment in this one place and
 * validated, as readConfig does for the services.
 */
export interface ToolConfig {
  /** GATEWAY: which gateway npm start and the stack put on the gateway port. */
  gateway: GatewayKind;
  /** Items `npm start` seeds into an empty embedded database. */
  seedItems: number;
  embeddedPgPort: number;
  /** Where the embedded database keeps its files; undefined: `.data/pglite` in the checkout. */
  embeddedDataDir: string | undefined;
  /** The port of start:scaled's balancer, nginx or HAProxy (NGINX_PORT: the name it had first). */
  nginxPort: number;
  nginxBin: string;
  haproxyBin: string;
  /** The memcached the cache store's tests start (Debian's memcached package). */
  memcachedBin: string;
  /** The MariaDB server the MariaDB tests make their databases on (no database in the path). */
  mariadbUrl: string;
  chromiumPath: string;
  /** kubectl, for `kubectl kustomize` only (no cluster): a path, or a name looked up on PATH. */
  kubectlBin: string;
  /** SHUTDOWN_DRAIN_MS when set: start:scaled's instances serve 3 s not ready on SIGTERM unless told. */
  shutdownDrainMs: number | undefined;
  /** SHUTDOWN_IDLE_MS when set: start:scaled's instances then leave idle connections 3 s unless told. */
  shutdownIdleMs: number | undefined;
}

const schema = z.object({
  GATEWAY: z
    .enum(GATEWAYS, { errorMap: () => ({ message: `must be one of ${GATEWAYS.join(', ')}` }) })
    .default('apollo'),
  SEED_ITEMS: wholeNumber(0, 2000, 10_000_000),
  EMBEDDED_PG_PORT: port(54329),
  EMBEDDED_DATA_DIR: z.string().optional(),
  NGINX_PORT: port(8080),
  NGINX_BIN: z.string().default('/usr/sbin/nginx'),
  HAPROXY_BIN: z.string().default('/usr/sbin/haproxy'),
  MEMCACHED_BIN: z.string().default('/usr/bin/memcached'),
  MARIADB_URL: z
    .string()
    .regex(databaseUrlPattern(['mariadb']), 'must be a URL like mysql://root@127.0.0.1:3306')
    .default('mysql://root@127.0.0.1:3306'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  KUBECTL_BIN: z.string().default('kubectl'),
  SHUTDOWN_DRAIN_MS: wholeNumber(0, 0, 60_000).optional(),
  SHUTDOWN_IDLE_MS: wholeNumber(0, 0, 60_000).optional(),
});

/** The tools' settings, or a ConfigError naming each bad value. */
export function readToolConfig(env: NodeJS.ProcessEnv = process.env): ToolConfig {
  const e = parseEnv(schema, env);
  return {
    gateway: e.GATEWAY,
    seedItems: e.SEED_ITEMS,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    embeddedDataDir: e.EMBEDDED_DATA_DIR,
    nginxPort: e.NGINX_PORT,
    nginxBin: e.NGINX_BIN,
    haproxyBin: e.HAPROXY_BIN,
    memcachedBin: e.MEMCACHED_BIN,
    mariadbUrl: e.MARIADB_URL,
    chromiumPath: e.CHROMIUM_PATH,
    kubectlBin: e.KUBECTL_BIN,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    shutdownIdleMs: e.SHUTDOWN_IDLE_MS,
  };
}
