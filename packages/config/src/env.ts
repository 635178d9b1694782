import type { z } from 'zod';

/** Thrown for invalid configuration; the message names every bad variable and its value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `env` validated by `schema`, empty strings meaning unset (as in a shell's `VAR= command`), or a ConfigError. */
export function parseEnv<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name} ${issue.message}, got ${JSON.stringify(present[name])}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
