import { databaseOf, type PrismaClient } from './client.ts';

/** The answer a create gave, as stored under its key and replayed to a repeat. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
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
 * The lock is Postgres's transaction-scoped advisory lock, or on MariaDB a named lock
 * (`GET_LOCK`) held by the transaction's connection and released as the transaction ends; a
 * connection that dies releases it with its transaction.
 */
export async function createUnderKey<T>(
  prisma: PrismaClient,
  idempotency: IdempotencyKey,
  ttlSeconds: number,
  write: (tx: TransactionClient) => Promise<{ value: T; answer: StoredAnswer }>,
): Promise<KeyedOutcome<T>> {
  const sql = databaseOf(prisma) === 'mariadb' ? MARIADB : POSTGRES;
  return prisma.$transaction(async (tx) => {
    if (!(await sql.lock(tx, idempotency.key))) return { kind: 'in-use' } as const;
    try {
      const [stored] = await sql.stored(tx, idempotency.key, ttlSeconds);
      if (stored?.live) {
        if (stored.fingerprint !== idempotency.fingerprint) return { kind: 'reused' } as const;
        const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
        return {
          kind: 'replayed',
          answer: { status: stored.status, headers: json(stored.headers), body: json(stored.body) },
        } as const;
      }
      // an expired key is free again
      if (stored) await tx.idempotencyKey.delete({ where: { key: idempotency.key } });
      const { value, answer } = await write(tx);
      await sql.store(tx, idempotency, answer);
      return { kind: 'created', value, answer } as const;
    } finally {
      // a connection that died released the lock with it: its error is the one to report
      await sql.unlock(tx, idempotency.key).catch(() => {});
    }
  });
}

/** A stored answer as read back, and whether it is younger than the key's time to live. */
type StoredRow = StoredAnswer & { fingerprint: string; live: boolean | number };

/** The statements of {@link createUnderKey} in each database's SQL. */
interface KeySql {
  lock(tx: TransactionClient, key: string): Promise<boolean>;
  unlock(tx: TransactionClient, key: string): Promise<unknown>;
  stored(tx: TransactionClient, key: string, ttlSeconds: number): Promise<StoredRow[]>;
  store(tx: TransactionClient, idempotency: IdempotencyKey, answer: StoredAnswer): Promise<unknown>;
  expire(prisma: PrismaClient, ttlSeconds: number): Promise<number>;
}

const POSTGRES: KeySql = {
  async lock(tx, key) {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${key}, 0)) AS locked`;
    return lock?.locked === true;
  },
  // released by the transaction's end
  unlock: async () => undefined,
  stored: (tx, key, ttlSeconds) => tx.$queryRaw<StoredRow[]>`
    SELECT fingerprint, status, headers, body, created_at > now() - make_interval(secs => ${ttlSeconds}::float8) AS live
    FROM idempotency_keys WHERE key = ${key}`,
  store: (tx, idempotency, answer) => tx.$executeRaw`
    INSERT INTO idempotency_keys (key, fingerprint, status, headers, body)
    VALUES (${idempotency.key}, ${idempotency.fingerprint}, ${answer.status},
      ${JSON.stringify(answer.headers)}::jsonb, ${JSON.stringify(answer.body ?? null)}::jsonb)`,
  expire: (prisma, ttlSeconds) =>
    prisma.$executeRaw`DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => ${ttlSeconds}::float8)`,
};

/** A named lock's name is at most 64 characters, so the key's digest stands for the key. */
const MARIADB: KeySql = {
  async lock(tx, key) {
    const [lock] = await tx.$queryRaw<{ locked: number | bigint | null }[]>`
      SELECT GET_LOCK(CONCAT('idempotency:', SHA1(${key})), 0) AS locked`;
    return Number(lock?.locked) === 1;
  },
  unlock: (tx, key) => tx.$queryRaw`SELECT RELEASE_LOCK(CONCAT('idempotency:', SHA1(${key}))) AS released`,
  stored: (tx, key, ttlSeconds) => tx.$queryRaw<StoredRow[]>`
    SELECT fingerprint, status, headers, body,
      created_at > UTC_TIMESTAMP(3) - INTERVAL ${ttlSeconds} SECOND AS live
    FROM idempotency_keys WHERE \`key\` = ${key}`,
  store: (tx, idempotency, answer) => tx.$executeRaw`
    INSERT INTO idempotency_keys (\`key\`, fingerprint, status, headers, body, created_at)
    VALUES (${idempotency.key}, ${idempotency.fingerprint}, ${answer.status},
      ${JSON.stringify(answer.headers)}, ${JSON.stringify(answer.body ?? null)}, UTC_TIMESTAMP(3))`,
  expire: (prisma, ttlSeconds) =>
    prisma.$executeRaw`DELETE FROM idempotency_keys WHERE created_at <= UTC_TIMESTAMP(3) - INTERVAL ${ttlSeconds} SECOND`,
};

/** Deletes the keys older than `ttlSeconds`; returns how many. */
export function deleteExpiredKeys(prisma: PrismaClient, ttlSeconds: number): Promise<number> {
  return (databaseOf(prisma) === 'mariadb' ? MARIADB : POSTGRES).expire(prisma, ttlSeconds);
}
