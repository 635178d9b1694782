import { z } from 'zod';
import { parseEnv } from './env.ts';

/**
 * The settings of the tools around the services (npm start, start:scaled, the test and bench
 * helpers that need a program from Debian), read from the environment in this one place and
 * validated, as readConfig does for the services.
 */
export interface ToolConfig {
  /** Items `npm start` seeds into an empty embedded database. */
  seedItems: number;
  embeddedPgPort: number;
  /** Where the embedded database keeps its files; undefined: `.data/pglite` in the checkout. */
  embeddedDataDir: string | undefined;
  /** start:scaled's nginx. */
  nginxPort: number;
  nginxBin: string;
  chromiumPath: string;
  /** SHUTDOWN_DRAIN_MS when set: start:scaled drains 3 s unless told. */
  shutdownDrainMs: number | undefined;
}

const port = (fallback: number) =>
  z.coerce
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

const schema = z.object({
  SEED_ITEMS: z.coerce
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be >= 0')
    .max(10_000_000, 'must be <= 10000000')
    .default(2000),
  EMBEDDED_PG_PORT: port(54329),
  EMBEDDED_DATA_DIR: z.string().optional(),
  NGINX_PORT: port(8080),
  NGINX_BIN: z.string().default('/usr/sbin/nginx'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int('must be a whole number').min(0).max(60_000).optional(),
});

/** The tools' settings, or a ConfigError naming each bad value. */
export function readToolConfig(env: NodeJS.ProcessEnv = process.env): ToolConfig {
  const e = parseEnv(schema, env);
  return {
    seedItems: e.SEED_ITEMS,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    embeddedDataDir: e.EMBEDDED_DATA_DIR,
    nginxPort: e.NGINX_PORT,
    nginxBin: e.NGINX_BIN,
    chromiumPath: e.CHROMIUM_PATH,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}
