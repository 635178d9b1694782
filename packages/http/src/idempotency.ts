import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { AppError, badInput, toGraphQLError } from './errors.ts';

/**
 * Idempotency keys on creates (docs/contract.md; the IETF `Idempotency-Key` header draft, as Stripe
 * documents it): the header a client sends, the header a replay carries, and the checks on both.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The key of a create, from the header (the draft's quoted string, `"..."`, or a bare value as
 * Stripe takes it) or a GraphQL argument; null when none is given. A key is 1 to 255 printable
 * ASCII characters: anything else is a 400 saying what is wrong, before anything is written.
 */
export function parseIdempotencyKey(raw: unknown, source = 'Idempotency-Key'): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') throw badInput(`${source} must be a string`);
  let key = raw;
  const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(raw);
  if (quoted) key = quoted[1]!.replace(/\\(["\\])/g, '$1');
  if (key.trim() === '') throw badInput(`${source} must not be empty`);
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw badInput(`${source} must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}`);
  const bad = /[^\x20-\x7e]/.exec(key);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw badInput(`${source} must be printable ASCII; it has U+${code} at position ${bad.index + 1}`);
  }
  return key;
}

/**
 * SHA-256 of what a request asks for, its JSON objects' keys sorted: the same body in another key
 * order is the same request; another body, path or operation is not.
 */
export function fingerprintOf(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts, sortedKeys)).digest('base64url');
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export const idempotencyKeyInUse = () =>
  new AppError(
    'IDEMPOTENCY_KEY_IN_USE',
    'a request with this Idempotency-Key is still in progress; retry once it has finished',
    { retryAfterSeconds: 1 },
  );

export const idempotencyKeyReused = () =>
  new AppError(
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was used with a different request; a new request needs a new key',
  );

/** What a GraphQL request (at the gateway or a subgraph) tells its creates, and learns from them. */
export interface CreateContext {
  /** The request's Idempotency-Key header, as sent (checked where it is used). */
  header: string | undefined;
  /** Set when a create answered with the stored answer of an earlier request. */
  replayed: boolean;
}

/** The CreateContext of a request, from its headers. */
export const createContextOf = (headers: Record<string, string | string[] | undefined>): CreateContext => ({
  header: headers[IDEMPOTENCY_KEY_HEADER] as string | undefined,
  replayed: false,
});

/**
 * Creates under an Idempotency-Key, for the gateway and the subgraphs alike: the header covers one
 * create, so an operation with more is refused before any runs (at the gateway, each subgraph
 * sees only its own creates); a replay is marked `Idempotent-Replayed: true` on the answer.
 */
export function idempotencyPlugin<Context extends { creates: CreateContext }>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (contextValue.creates.header !== undefined && operation && createFieldCount(operation) > 1)
            throw toGraphQLError(idempotencyKeyCoversOne());
        },
        async willSendResponse({ response, contextValue }) {
          if (contextValue.creates.replayed) response.http.headers.set(IDEMPOTENT_REPLAYED_HEADER, 'true');
        },
      };
    },
  };
}

/** Create fields (`create*`, `add*`) at the root of a mutation: what one Idempotency-Key header may cover is one. */
function createFieldCount(operation: OperationDefinitionNode): number {
  if (operation.operation !== 'mutation') return 0;
  return operation.selectionSet.selections.filter(
    (selection) => selection.kind === Kind.FIELD && /^(create|add)[A-Z]/.test(selection.name.value),
  ).length;
}

/** The 400 for a header key on an operation with more than one create. */
const idempotencyKeyCoversOne = () =>
  badInput(
    'the Idempotency-Key header covers one create, and this operation has more: give each its idempotencyKey argument',
  );
