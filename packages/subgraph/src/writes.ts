import { randomUUID } from 'node:crypto';
import type { SubgraphCache } from '@supergraph-lab/cache';
import {
  createUnderKey,
  deleteExpiredKeys,
  deleteInvalidations,
  pendingInvalidations,
  recordInvalidation,
  type PendingInvalidation,
  type PrismaClient,
  type TransactionClient,
} from '@supergraph-lab/db';
import { idempotencyKeyInUse, idempotencyKeyReused } from '@supergraph-lab/http';
import type { CreateRequest, CreateResult } from './creates.ts';
import { crashIfAsked } from './crash.ts';

/**
 * Every write of a subgraph, each with its cache invalidation made durable.
 *
 * The rows live in the database and the version tokens in the cache store; no transaction spans
 * both. So a write's transaction also records the version keys it changes (an outbox row in
 * `cache_invalidations`), and after the commit the writer replaces their tokens and deletes the
 * row. A process that dies in between, or that cannot reach the store, leaves the row behind, and
 * any subgraph replays it: before it listens and every CACHE_REPLAY_INTERVAL_MS (all share the
 * database and the store). A token replaced twice costs a miss, never a stale read, so a row
 * applied by two processes is harmless. (Tokens derived from versions stored with the rows would
 * survive a crash too, but every cache read would first read the database; the outbox costs
 * each write one INSERT in its transaction, and a DELETE after its answer, shared by the writes
 * of one tick.)
 */
export interface Writes {
  /**
   * Runs `work` (an update, a delete) in a transaction with the outbox row of the version keys
   * `changes` names for its result; their tokens are replaced after the commit, before it returns.
   */
  change<T>(work: (tx: TransactionClient) => Promise<T>, changes: (value: T) => readonly string[]): Promise<T>;
  /**
   * A create, once per key: without a key, as `change` does; with one, in the key's transaction
   * (a repeat gets the stored answer, another request with the key 422, one while the first is in
   * flight 409). Tokens are replaced after a write commits, never on a replay.
   */
  create<T>(
    request: CreateRequest<T>,
    write: (tx: TransactionClient) => Promise<T>,
    changes: (created: T) => readonly string[],
  ): Promise<CreateResult>;
  /** Applies every outbox row left behind; false when the database or the store did not answer. */
  replay(): Promise<boolean>;
  /** Stops the timers (the outbox replay, the sweep of expired keys) and deletes the rows applied. */
  close(): Promise<void>;
}

export interface WritesOptions {
  /** How long an Idempotency-Key is kept; expired ones are swept every hour (or TTL, when shorter). */
  idempotencyKeyTtlSeconds: number;
  /** How often the outbox is replayed (0: only when `replay` is called). */
  replayIntervalMs: number;
  /** Told of a failed background task (a sweep, a replay, a delete after commit). */
  onError?: (message: string, error: unknown) => void;
}

/** Outbox rows applied per round trip of a replay. */
const REPLAY_BATCH = 500;

/** The writes of one service, over its client and its cache. */
export function createWrites(prisma: PrismaClient, cache: SubgraphCache, options: WritesOptions): Writes {
  const onError = options.onError ?? (() => {});
  const ttlSeconds = options.idempotencyKeyTtlSeconds;
  const sweep = setInterval(
    () =>
      deleteExpiredKeys(prisma, ttlSeconds).catch((error) =>
        onError('could not delete expired idempotency keys', error),
      ),
    Math.min(ttlSeconds, 3600) * 1000,
  ).unref();

  async function record(tx: TransactionClient, versionKeys: readonly string[]): Promise<PendingInvalidation> {
    const pending = { id: randomUUID(), versionKeys: [...new Set(versionKeys)] };
    await recordInvalidation(tx, pending.id, pending.versionKeys);
    return pending;
  }

  // Applied rows are deleted off the answer's path, those of one tick in one statement: a row
  // whose delete is lost (the process died, the database failed) is only replayed once more.
  let applied: string[] = [];
  let deleting: Promise<void> | null = null;
  function deleteApplied(): Promise<void> {
    deleting ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        const ids = applied;
        applied = [];
        return deleteInvalidations(prisma, ids);
      })
      .catch((error) => onError('could not delete applied cache invalidations; they will be replayed', error))
      .finally(() => {
        deleting = null;
        if (applied.length) void deleteApplied();
      });
    return deleting;
  }

  /** After the commit: new tokens before the answer; the row goes after it, or is replayed later. */
  async function apply(pending: PendingInvalidation): Promise<void> {
    crashIfAsked();
    // not replaced: the store is down; this process serves nothing cached until it is back (store.ts)
    if (!(await cache.invalidate(pending.versionKeys))) return;
    applied.push(pending.id);
    void deleteApplied();
  }

  let replaying: Promise<boolean> | null = null;
  function replay(): Promise<boolean> {
    replaying ??= (async () => {
      try {
        for (;;) {
          const rows = await pendingInvalidations(prisma, REPLAY_BATCH);
          if (rows.length === 0) return true;
          if (!(await cache.invalidate(rows.flatMap((row) => row.versionKeys)))) return false;
          await deleteInvalidations(
            prisma,
            rows.map((row) => row.id),
          );
          if (rows.length < REPLAY_BATCH) return true;
        }
      } catch (error) {
        onError('could not replay the cache invalidations left behind', error);
        return false;
      }
    })().finally(() => {
      replaying = null;
    });
    return replaying;
  }
  const replays =
    options.replayIntervalMs > 0 ? setInterval(() => void replay(), options.replayIntervalMs).unref() : null;

  return {
    async change(work, changes) {
      const { value, pending } = await prisma.$transaction(async (tx) => {
        const value = await work(tx);
        return { value, pending: await record(tx, changes(value)) };
      });
      await apply(pending);
      return value;
    },
    async create(request, write, changes) {
      if (!request.idempotency) {
        const created = await this.change(write, changes);
        return { answer: request.respond(created), replayed: false };
      }
      const outcome = await createUnderKey(prisma, request.idempotency, ttlSeconds, async (tx) => {
        const value = await write(tx);
        return { value: { value, pending: await record(tx, changes(value)) }, answer: request.respond(value) };
      });
      switch (outcome.kind) {
        case 'in-use':
          throw idempotencyKeyInUse();
        case 'reused':
          throw idempotencyKeyReused();
        case 'replayed':
          return { answer: outcome.answer, replayed: true };
        case 'created':
          await apply(outcome.value.pending);
          return { answer: outcome.answer, replayed: false };
      }
    },
    replay,
    async close() {
      clearInterval(sweep);
      if (replays) clearInterval(replays);
      while (deleting) await deleting;
    },
  };
}
