import type { PrismaClient } from './client.ts';

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
 * Runs a create once per key. In one transaction: a transaction-scoped advisory lock on the key
 * (taken without waiting: a repeat while the first is in flight is told so at once), the stored
 * answer if the key is known and younger than `ttlSeconds`, else `write` and the answer it gives,
 * stored with the request's fingerprint. The write and its stored answer commit together, so a
 * crash between them cannot leave one without the other; a failed write stores nothing.
 */
export async function createUnderKey<T>(
  prisma: PrismaClient,
  idempotency: IdempotencyKey,
  ttlSeconds: number,
  write: (tx: TransactionClient) => Promise<{ value: T; answer: StoredAnswer }>,
): Promise<KeyedOutcome<T>> {
  return prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtextextended(${idempotency.key}, 0)) AS locked`;
    if (!lock?.locked) return { kind: 'in-use' } as const;
    const [stored] = await tx.$queryRaw<(StoredAnswer & { fingerprint: string; live: boolean })[]>`
      SELECT fingerprint, status, headers, body, created_at > now() - make_interval(secs => ${ttlSeconds}::float8) AS live
      FROM idempotency_keys WHERE key = ${idempotency.key}`;
    if (stored?.live) {
      if (stored.fingerprint !== idempotency.fingerprint) return { kind: 'reused' } as const;
      return {
        kind: 'replayed',
        answer: { status: stored.status, headers: stored.headers, body: stored.body },
      } as const;
    }
    // an expired key is free again
    if (stored) await tx.$executeRaw`DELETE FROM idempotency_keys WHERE key = ${idempotency.key}`;
    const { value, answer } = await write(tx);
    await tx.$executeRaw`
      INSERT INTO idempotency_keys (key, fingerprint, status, headers, body)
      VALUES (${idempotency.key}, ${idempotency.fingerprint}, ${answer.status},
        ${JSON.stringify(answer.headers)}::jsonb, ${JSON.stringify(answer.body ?? null)}::jsonb)`;
    return { kind: 'created', value, answer } as const;
  });
}

/** Deletes the keys older than `ttlSeconds`; returns how many. */
export function deleteExpiredKeys(prisma: PrismaClient, ttlSeconds: number): Promise<number> {
  return prisma.$executeRaw`DELETE FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => ${ttlSeconds}::float8)`;
}
