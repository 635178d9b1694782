/** Parsed `db:seed` arguments. */
export interface SeedArgs {
  items: number;
  seed: number;
  reset: boolean;
  /** Do nothing (successfully) when the database already has items: for deploy scripts. */
  ifEmpty: boolean;
}

/** Thrown for bad command-line input; the message is one line naming the problem. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = 'usage: npm run db:seed -- --items N [--seed S] [--reset | --if-empty]';

/**
 * Parses `--items N [--seed S] [--reset]`. `N` may use `_` or `,` as thousands separators
 * (`10_000_000`) or a `k`/`m` suffix (`200k`, `10m`).
 */
export function parseSeedArgs(argv: readonly string[]): SeedArgs {
  const args: Partial<SeedArgs> = { reset: false, ifEmpty: false, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value; ${USAGE}`);
      return next;
    };
    switch (flag) {
      case '--items':
        args.items = parseCount(value(), '--items');
        break;
      case '--seed': {
        const raw = value();
        if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
          throw new UsageError(`--seed must be an integer, got ${JSON.stringify(raw)}`);
        }
        args.seed = Number(raw);
        break;
      }
      case '--reset':
        if (inline !== undefined) throw new UsageError(`--reset takes no value, got ${JSON.stringify(inline)}`);
        args.reset = true;
        break;
      case '--if-empty':
        if (inline !== undefined) throw new UsageError(`--if-empty takes no value, got ${JSON.stringify(inline)}`);
        args.ifEmpty = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(argv[i])}; ${USAGE}`);
    }
  }
  if (args.items === undefined) throw new UsageError(`--items is required; ${USAGE}`);
  if (args.reset && args.ifEmpty) throw new UsageError(`--reset and --if-empty contradict each other; ${USAGE}`);
  return args as SeedArgs;
}

function parseCount(raw: string, flag: string): number {
  const match = /^(\d[\d_,]*)([km]?)$/i.exec(raw.trim());
  const multiplier = { '': 1, k: 1_000, m: 1_000_000 }[(match?.[2] ?? '').toLowerCase()] ?? 1;
  const count = match ? Number(match[1]!.replace(/[_,]/g, '')) * multiplier : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`${flag} must be a whole number >= 1, got ${JSON.stringify(raw)}`);
  }
  if (count > 100_000_000) throw new UsageError(`${flag} must be at most 100,000,000, got ${count}`);
  return count;
}
