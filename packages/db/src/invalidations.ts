import type { PrismaClient } from './client.ts';
import type { TransactionClient } from './idempotency.ts';

/**
 * The cache's outbox (`cache_invalidations`): the version keys a write changed, recorded in the
 * write's own transaction, deleted once their tokens are replaced. The same statements on both
 * databases (Prisma's query builder: one INSERT, one SELECT, one DELETE each).
 */

/** A recorded invalidation: its row's id and the version keys whose tokens it replaces. */
export interface PendingInvalidation {
  id: string;
  versionKeys: string[];
}

/** Records `versionKeys` under `id` in the write's transaction `tx`. */
export async function recordInvalidation(
  tx: TransactionClient,
  id: string,
  versionKeys: readonly string[],
): Promise<void> {
  // createMany: one INSERT with no read back, where create would return the row
  await tx.cacheInvalidation.createMany({ data: [{ id, versionKeys: [...versionKeys] }] });
}

/** The oldest `limit` invalidations not yet applied. */
export async function pendingInvalidations(prisma: PrismaClient, limit: number): Promise<PendingInvalidation[]> {
  const rows = await prisma.cacheInvalidation.findMany({
    select: { id: true, versionKeys: true },
    orderBy: { createdAt: 'asc' },
    take: limit,
  });
  return rows.map((row) => ({ id: row.id, versionKeys: row.versionKeys as string[] }));
}

/** Deletes applied invalidations. */
export async function deleteInvalidations(prisma: PrismaClient, ids: readonly string[]): Promise<void> {
  await prisma.cacheInvalidation.deleteMany({ where: { id: { in: [...ids] } } });
}
