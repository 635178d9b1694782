import {
  createUnderKey,
  deleteExpiredKeys,
  type IdempotencyKey,
  type PrismaClient,
  type StoredAnswer,
  type TransactionClient,
} from '@supergraph-lab/db';
import {
  fingerprintOf,
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyInUse,
  idempotencyKeyReused,
  IDEMPOTENT_REPLAYED_HEADER,
  jsonBody,
  parseIdempotencyKey,
  type CreateContext,
} from '@supergraph-lab/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLResolveInfo } from 'graphql';

/**
 * Creates under an optional Idempotency-Key (docs/contract.md): the REST routes and the GraphQL
 * mutations of every subgraph ask for their creates through here, so a key means the same on
 * each. The key's table and transaction are `createUnderKey` (@supergraph-lab/db).
 */

/** How a create is asked for: its key (null: none) and the answer it gives. */
export interface CreateRequest<T> {
  idempotency: IdempotencyKey | null;
  /** The answer to send, and to store under the key: REST's 201 with Location, GraphQL's record. */
  respond(created: T): StoredAnswer;
}

/** A create's answer; `replayed` when it is the stored answer of an earlier request with the key. */
export interface CreateResult {
  answer: StoredAnswer;
  replayed: boolean;
}

/** Where a create writes: the service's client, or the key's transaction. */
export type WriteClient = PrismaClient | TransactionClient;

export interface Creates {
  /**
   * Runs `write` once per key: without a key, as it is; with one, in the key's transaction (a
   * repeat gets the stored answer, another request with the key 422, one while the first is in
   * flight 409). `afterCommit` (cache invalidation) runs after a write commits, never on a replay.
   */
  run<T>(
    request: CreateRequest<T>,
    write: (db: WriteClient) => Promise<T>,
    afterCommit: (created: T) => Promise<void>,
  ): Promise<CreateResult>;
  /** Stops the sweep of expired keys. */
  close(): void;
}

/** Creates for one service; expired keys are swept every hour (or TTL, when shorter). */
export function createCreates(
  prisma: PrismaClient,
  ttlSeconds: number,
  onSweepError: (error: unknown) => void = () => {},
): Creates {
  const sweep = setInterval(
    () => deleteExpiredKeys(prisma, ttlSeconds).catch(onSweepError),
    Math.min(ttlSeconds, 3600) * 1000,
  );
  sweep.unref();
  return {
    async run(request, write, afterCommit) {
      if (!request.idempotency) {
        const created = await write(prisma);
        await afterCommit(created);
        return { answer: request.respond(created), replayed: false };
      }
      const outcome = await createUnderKey(prisma, request.idempotency, ttlSeconds, async (tx) => {
        const value = await write(tx);
        return { value, answer: request.respond(value) };
      });
      switch (outcome.kind) {
        case 'in-use':
          throw idempotencyKeyInUse();
        case 'reused':
          throw idempotencyKeyReused();
        case 'replayed':
          return { answer: outcome.answer, replayed: true };
        case 'created':
          await afterCommit(outcome.value);
          return { answer: outcome.answer, replayed: false };
      }
    },
    close: () => clearInterval(sweep),
  };
}

/** Runs `work` in a transaction: `db`'s own, or a new one when `db` is the service's client. */
export function inTransaction<T>(db: WriteClient, work: (tx: TransactionClient) => Promise<T>): Promise<T> {
  return '$transaction' in db ? db.$transaction(work) : work(db);
}

/**
 * A REST create route's answer: the request's JSON body, its key fingerprinted with its method,
 * path and body, handed to `create`; sent as 201 with Location, or as the stored answer with
 * `Idempotent-Replayed: true` on a replay.
 */
export async function answerCreate<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  location: (created: T) => string,
  create: (body: unknown, createRequest: CreateRequest<T>) => Promise<CreateResult>,
): Promise<FastifyReply> {
  const body = jsonBody(request);
  const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER]);
  const { answer, replayed } = await create(body, {
    idempotency: key === null ? null : { key, fingerprint: fingerprintOf('rest', request.method, request.url, body) },
    respond: (created) => ({ status: 201, headers: { location: location(created) }, body: created }),
  });
  reply.code(answer.status).headers(answer.headers);
  if (replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return reply.send(answer.body);
}

/**
 * A GraphQL create (`createItem(input, idempotencyKey)`...): the key from the argument, else from
 * the header, fingerprinted with the field and its input. That the header covers one create is
 * checked before the operation runs (`idempotencyPlugin`).
 */
export function graphqlCreate<T>(
  context: CreateContext,
  args: { input?: unknown; idempotencyKey?: unknown },
  info: GraphQLResolveInfo,
): CreateRequest<T> {
  const key = parseIdempotencyKey(args.idempotencyKey, 'idempotencyKey') ?? parseIdempotencyKey(context.header);
  return {
    idempotency:
      key === null ? null : { key, fingerprint: fingerprintOf('graphql', info.fieldName, args.input ?? null) },
    respond: (created) => ({ status: 200, headers: {}, body: created }),
  };
}

/** The record a GraphQL create returns: the one written, or the stored one (`revive` turns its dates back). */
export function createdRecord<T>(context: CreateContext, result: CreateResult, revive: (value: T) => T): T {
  if (!result.replayed) return result.answer.body as T;
  context.replayed = true;
  return revive(result.answer.body as T);
}
