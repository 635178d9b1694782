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
 * Creates under an optional Idempotency-Key (docs/contract.md): the REST routes and the GraphQL
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

/** The JSON type every create answers with, stored with the answer so a replay sends it too. */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A REST create route's answer: the request's JSON body, its key fingerprinted with its method,
 * path and body, handed to `create`; sent as 201 with Location, or as the stored answer with
 * `Idempotent-Replayed: true` on a replay. The body is serialized once, and those bytes are what
 * is sent and stored: the replay is byte for byte the first answer.
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
    respond: (created) => ({
      status: 201,
      headers: { location: location(created), 'content-type': JSON_TYPE },
      body: JSON.stringify(created),
    }),
  });
  // the type first: an answer stored before the type was stored with it is JSON too
  reply.code(answer.status).type(JSON_TYPE).headers(answer.headers);
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
    respond: (created) => ({ status: 200, headers: {}, body: JSON.stringify(created) }),
  };
}

/**
 * The record a GraphQL create returns, read back from the stored JSON the first time as on a
 * replay (`revive` turns its dates back): both answers are built from the same value, so the
 * same selection gives the same bytes.
 */
export function createdRecord<T>(context: CreateContext, result: CreateResult, revive: (value: T) => T): T {
  if (result.replayed) context.replayed = true;
  return revive(JSON.parse(result.answer.body) as T);
}
