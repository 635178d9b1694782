import { parseCliArgs, parseCount, UsageError } from '@supergraph-lab/config';

/** Parsed `db:seed` arguments. */
export interface SeedArgs {
  items: number;
  seed: number;
  reset: boolean;
  /** Do nothing (successfully) when the database already has items: for deploy scripts. */
  ifEmpty: boolean;
}

export const USAGE = 'usage: npm run db:seed -- --items N [--seed S] [--reset | --if-empty]';

/**
 * Parses `--items N [--seed S] [--reset]`. `N` may use `_` or `,` as thousands separators
 * (`10_000_000`) or a `k`/`m` suffix (`200k`, `10m`).
 */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  const values = parseCliArgs(
    argv,
    {
      items: { type: 'string' },
      seed: { type: 'string' },
      reset: { type: 'boolean' },
      'if-empty': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) throw new UsageError(USAGE);
  if (values.items === undefined) throw new UsageError(`--items is required; ${USAGE}`);
  const reset = values.reset ?? false;
  const ifEmpty = values['if-empty'] ?? false;
  if (reset && ifEmpty) throw new UsageError(`--reset and --if-empty contradict each other; ${USAGE}`);
  let seed = 42;
  if (values.seed !== undefined) {
    if (!/^-?\d+$/.test(values.seed) || !Number.isSafeInteger(Number(values.seed)))
      throw new UsageError(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
    seed = Number(values.seed);
  }
  return { items: parseCount(values.items, '--items'), seed, reset, ifEmpty };
}
