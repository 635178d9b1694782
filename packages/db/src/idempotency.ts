import { databaseOf, type PrismaClient } from './client.ts';

/**
 * The answer a create gave, as stored under its key and replayed to a repeat: its body is the
 * exact bytes sent (JSON text), so the replay is byte for byte the first answer.
 */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A create's key and the fingerprint of the request it came with. */
export interface IdempotencyKey {
  key: string;
  fingerprint: string;
}

/** Prisma's client inside an interactive transaction. */
export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

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
  const sql = databaseOf(prisma) === 'mariadb' ? MARIADB : POSTGRES;
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
    if (keyConflict(error)) return { kind: 'in-use' };
    throw error;
  }
}

/**
 * Whether an error is a conflict on the key: a unique violation (Postgres 23505, MariaDB 1062,
 * Prisma's P2002) or, on MariaDB, the key's row locked by another transaction (1205 with no wait).
 */
function keyConflict(error: unknown): boolean {
  const err = error as { code?: unknown; meta?: Record<string, unknown>; message?: unknown; cause?: unknown };
  if (!err || typeof err !== 'object') return false;
  const codes = [
    err.code,
    err.meta?.code,
    (err.meta?.driverAdapterError as { cause?: { code?: unknown } })?.cause?.code,
  ]
    .filter((code) => code !== undefined)
    .map(String);
  if (codes.some((code) => ['P2002', '23505', '1062', '1205', 'ER_DUP_ENTRY', 'ER_LOCK_WAIT_TIMEOUT'].includes(code)))
    return true;
  if (typeof err.message === 'string' && /idempotency_keys/.test(err.message) && /unique|duplicate/i.test(err.message))
    return true;
  if (typeof err.message === 'string' && /Lock wait timeout exceeded/.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== error && keyConflict(err.cause);
}

/** A stored answer as read back, and whether it is younger than the key's time to live. */
type StoredRow = Omit<StoredAnswer, 'headers'> & {
  headers: Record<string, string> | string;
  fingerprint: string;
  live: boolean | number;
};

/** The statements of {@link createUnderKey} in each database's SQL. */
interface KeySql {
  /** Takes the key's lock until the transaction ends; false when another transaction holds it. */
  lock(tx: TransactionClient, key: string): Promise<boolean>;
  /** The key's stored answer, if any. */
  stored(tx: TransactionClient, key: string, ttlSeconds: number): Promise<StoredRow[]>;
  /** Stores the answer under the key, in place of an expired one when `expired`. */
  store(tx: TransactionClient, idempotency: IdempotencyKey, answer: StoredAnswer, expired: boolean): Promise<unknown>;
  expire(prisma: PrismaClient, ttlSeconds: number): Promise<number>;
}

const POSTGRES: KeySql = {
  async lock(tx, key) {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) AS locked`;
    return lock?.locked === true;
  },
  stored: (tx, key, ttlSeconds) => tx.$queryRaw<StoredRow[]>`
    SELECT fingerprint, status, headers, body, created_at > now() - make_interval(secs => ${ttlSeconds}::float8) AS live
    FROM idempotency_keys WHERE key = ${key}`,
  async store(tx, idempotency, answer, expired) {
    // an expired key is free again
    if (expired) await tx.$executeRaw`DELETE FROM idempotency_keys WHERE key = ${idempotency.key}`;
    return tx.$executeRaw`
      INSERT INTO idempotency_keys (key, fingerprint, status, headers, body)
      VALUES (${idempotency.key}, ${idempotency.fingerprint}, ${answer.status},
        ${JSON.stringify(answer.headers)}::jsonb, ${answer.body})`;
  },
  expire: (prisma, ttlSeconds) =>
    prisma.$executeRaw`DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => ${ttlSeconds}::float8)`,
};

/**
 * MariaDB has no transaction-scoped advisory lock (GET_LOCK's lasts as long as the connection,
 * which the pool keeps, so releasing it came before the commit), so the key's own row is the
 * lock: inserted first as a placeholder (status 0), or, when the key is known, locked by a no-op
 * update; either way held until the transaction ends. Another transaction's uncommitted row is
 * not waited for (lock wait timeout 0): the in-use answer.
 */
const MARIADB: KeySql = {
  async lock(tx, key) {
    await tx.$executeRaw`
      SET STATEMENT innodb_lock_wait_timeout = 0 FOR
      INSERT INTO idempotency_keys (\`key\`, fingerprint, status, headers, body, created_at)
      VALUES (${key}, '', 0, '{}', NULL, UTC_TIMESTAMP(3))
      ON DUPLICATE KEY UPDATE status = status`;
    return true;
  },
  // the placeholder (status 0) is this transaction's own lock, not an answer
  stored: (tx, key, ttlSeconds) => tx.$queryRaw<StoredRow[]>`
    SELECT fingerprint, status, headers, body,
      created_at > UTC_TIMESTAMP(3) - INTERVAL ${ttlSeconds} SECOND AS live
    FROM idempotency_keys WHERE \`key\` = ${key} AND status <> 0`,
  store: (tx, idempotency, answer) => tx.$executeRaw`
    UPDATE idempotency_keys SET fingerprint = ${idempotency.fingerprint}, status = ${answer.status},
      headers = ${JSON.stringify(answer.headers)}, body = ${answer.body}, created_at = UTC_TIMESTAMP(3)
    WHERE \`key\` = ${idempotency.key}`,
  expire: (prisma, ttlSeconds) =>
    prisma.$executeRaw`DELETE FROM idempotency_keys WHERE status <> 0 AND created_at <= UTC_TIMESTAMP(3) - INTERVAL ${ttlSeconds} SECOND`,
};

/** Deletes the keys older than `ttlSeconds`; returns how many. */
export function deleteExpiredKeys(prisma: PrismaClient, ttlSeconds: number): Promise<number> {
  return (databaseOf(prisma) === 'mariadb' ? MARIADB : POSTGRES).expire(prisma, ttlSeconds);
}
