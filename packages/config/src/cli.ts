import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Thrown for bad command-line input; the message is one line naming the problem. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A command's options by node:util's parseArgs (strict: unknown options and stray values are
 * refused), its errors said in one line ending with `usage`.
 */
export function parseCliArgs<const O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const quoted = /'(-[^' ]+)/.exec(message)?.[1] ?? /"([^"]+)"/.exec(message)?.[1] ?? '';
    const reason =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown argument ${JSON.stringify(quoted)}`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? `unexpected argument ${JSON.stringify(/'([^']+)'/.exec(message)?.[1] ?? quoted)}`
          : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /does not take an argument/.test(message)
            ? `${quoted} takes no value`
            : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
              ? `${quoted} needs a value (a negative number as ${quoted}=-N)`
              : message;
    throw new UsageError(`${reason}; ${usage}`);
  }
}

/** A count from the command line: `10_000_000`, `10,000`, `200k`, `10m`; a UsageError naming `flag` otherwise. */
export function parseCount(raw: string, flag: string): number {
  const match = /^(\d[\d_,]*)([km]?)$/i.exec(raw.trim());
  const multiplier = { '': 1, k: 1_000, m: 1_000_000 }[(match?.[2] ?? '').toLowerCase()] ?? 1;
  const count = match ? Number(match[1]!.replace(/[_,]/g, '')) * multiplier : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`${flag} must be a whole number >= 1, got ${JSON.stringify(raw)}`);
  }
  if (count > 100_000_000) throw new UsageError(`${flag} must be at most 100,000,000, got ${count}`);
  return count;
}

type StringOption<V> = V extends string ? { type: 'string'; default: V } : { type: 'string' };

/**
 * String options for parseCliArgs given by their defaults (`undefined`: no default, the value
 * may be absent): `stringOptions({ items: '5000', only: undefined })`.
 */
export function stringOptions<const D extends Record<string, string | undefined>>(
  defaults: D,
): { [K in keyof D]: StringOption<D[K]> } {
  const entries = Object.entries(defaults).map(([name, value]) => [
    name,
    value === undefined ? { type: 'string' } : { type: 'string', default: value },
  ]);
  return Object.fromEntries(entries) as { [K in keyof D]: StringOption<D[K]> };
}

/** A comma list of names, each one of `allowed`; a UsageError naming `flag`, the stranger and the choices otherwise. */
export function parseChoices<const T extends string>(
  raw: string,
  allowed: readonly T[],
  flag: string,
  usage = '',
): T[] {
  const names = raw.split(',').map((name) => name.trim());
  const stranger = names.find((name) => !(allowed as readonly string[]).includes(name));
  if (stranger !== undefined)
    throw new UsageError(`${flag} takes ${allowed.join(', ')}, got "${stranger}"${usage ? `; ${usage}` : ''}`);
  return names as T[];
}

/** What `read` makes of the command line, or the process ends with code 2 and a line `command: message`. */
export function argsOrExit<T>(command: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    console.error(`${command}: ${(error as Error).message}`);
    process.exit(2);
  }
}
