import { dialectOfClient, type PrismaClient } from './client.ts';
import type { IdempotencyKey, KeySql, StoredAnswer, TransactionClient } from './dialects/dialect.ts';

export type { IdempotencyKey, StoredAnswer, TransactionClient };

/** What became of a create under a key. */
export type KeyedOutcome<T> =
  | { kind: 'created'; value: T; answer: StoredAnswer }
  | { kind: 'replayed'; answer: StoredAnswer }
  /** another request with the key is still in its transaction */
  | { kind: 'in-use' }
  /** the key was used for another request */
  | { kind: 'reused' };

/**
 * Runs a create once per key. In one transaction: a lock on the key taken without waiting (a
 * repeat while the first is in flight is told so at once), the stored answer if the key is known
 * and younger than `ttlSeconds`, else `write` and the answer it gives, stored with the request's
 * fingerprint. The write and its stored answer commit together, so a crash between them cannot
 * leave one without the other; a failed write stores nothing.
 *
 * The lock lasts until the transaction ends, so no request can read the key between the first's
 * answer and its commit: on Postgres a transaction-scoped advisory lock; on MariaDB the key's
 * own row, inserted (or, when it exists, locked) first with no lock wait. A unique violation on
 * the key (a request that took no lock) is the in-use answer too, never an error.
 */
export async function createUnderKey<T>(
  prisma: PrismaClient,
  idempotency: IdempotencyKey,
  ttlSeconds: number,
  write: (tx: TransactionClient) => Promise<{ value: T; answer: StoredAnswer }>,
): Promise<KeyedOutcome<T>> {
  const sql = dialectOfClient(prisma).idempotency;
  try {
    return await prisma.$transaction(async (tx) => {
      if (!(await sql.lock(tx, idempotency.key))) return { kind: 'in-use' } as const;
      const [stored] = await sql.stored(tx, idempotency.key, ttlSeconds);
      if (stored?.live) {
        if (stored.fingerprint !== idempotency.fingerprint) return { kind: 'reused' } as const;
        const headers = typeof stored.headers === 'string' ? JSON.parse(stored.headers) : stored.headers;
        return { kind: 'replayed', answer: { status: stored.status, headers, body: stored.body } } as const;
      }
      const { value, answer } = await write(tx);
      await sql.store(tx, idempotency, answer, stored !== undefined);
      return { kind: 'created', value, answer } as const;
    });
  } catch (error) {
    // the whole transaction, the write with it, rolled back: the key's owner is another request
    if (keyConflict(error, sql.conflict)) return { kind: 'in-use' };
    throw error;
  }
}

/**
 * Whether an error is a conflict on the key: Prisma's unique violation (P2002), or the database's
 * own (`conflict`: Postgres 23505, MariaDB 1062, or on MariaDB the key's row locked by another
 * transaction, 1205 with no wait).
 */
function keyConflict(error: unknown, conflict: KeySql['conflict']): boolean {
  const err = error as { code?: unknown; meta?: Record<string, unknown>; message?: unknown; cause?: unknown };
  if (!err || typeof err !== 'object') return false;
  const codes = [
    err.code,
    err.meta?.code,
    (err.meta?.driverAdapterError as { cause?: { code?: unknown } })?.cause?.code,
  ]
    .filter((code) => code !== undefined)
    .map(String);
  if (codes.some((code) => code === 'P2002' || conflict.codes.includes(code))) return true;
  if (typeof err.message === 'string' && /idempotency_keys/.test(err.message) && /unique|duplicate/i.test(err.message))
    return true;
  if (typeof err.message === 'string' && conflict.message?.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== error && keyConflict(err.cause, conflict);
}

/** Deletes the keys older than `ttlSeconds`; returns how many. */
export function deleteExpiredKeys(prisma: PrismaClient, ttlSeconds: number): Promise<number> {
  return dialectOfClient(prisma).idempotency.expire(prisma, ttlSeconds);
}
