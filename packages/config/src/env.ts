import { z } from 'zod';

/**
 * Thrown for invalid configuration; the message names every bad variable and its value, but for
 * a secret's (its length only) and a URL's password (redacted).
 */
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
      return `${name} ${issue.message}${shownValue(name, present[name])}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Variables named so hold secrets (ADMIN_TOKEN, LAB_TOKEN): an error gives their length, never their value. */
const SECRET_NAME = /_(TOKEN|SECRET|PASSWORD)$/;

/** How an error shows the bad `value` of `name`: as given, but for secrets and passwords in URLs. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (SECRET_NAME.test(name)) return ` (got ${value.length} characters)`;
  // anything with an "@" may be a URL with a password, even one too malformed to parse
  const redacted = /@|^[a-z][\w+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  return `, got ${redacted === value ? JSON.stringify(value) : redacted}`;
}

/**
 * `url` without its password, fit for logs and error messages. A value that does not parse as
 * a URL with a host, yet has an "@" (where a password may stand), is not shown at all.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    else if (!parsed.host && url.includes('@')) return '(unparseable URL)';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** A TCP port (0: any free one), `fallback` when unset. */
export const port = (fallback: number) =>
  z.coerce
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

/** A whole number in min..max, `fallback` when unset. */
export const wholeNumber = (min: number, fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number()
    .int('must be a whole number')
    .min(min, `must be >= ${min}`)
    .max(max, `must be <= ${max}`)
    .default(fallback);
