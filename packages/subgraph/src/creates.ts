import type { IdempotencyKey, StoredAnswer } from '@supergraph-lab/db';
import {
  fingerprintOf,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  jsonBody,
  parseIdempotencyKey,
  type CreateContext,
} from '@supergraph-lab/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLResolveInfo } from 'graphql';

/**
 * Creates under an optional Idempotency-Key (CONTRACT.md): the REST routes and the GraphQL
 * mutations of every subgraph ask for their creates through here, so a key means the same on
 * each. The key's table and transaction are `createUnderKey` (@supergraph-lab/db), run by
 * `Writes.create` (writes.ts).
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
