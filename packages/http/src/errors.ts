import { DRIVER_ERRORS } from '@supergraph-lab/db/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Codes of deliberate errors: the same in GraphQL `extensions.code` and in problem details. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

const STATUS: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

const TITLE: Record<ErrorCode, string> = {
  BAD_USER_INPUT: 'Bad request',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  IDEMPOTENCY_KEY_IN_USE: 'Idempotency key in use',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  SERVICE_UNAVAILABLE: 'Service unavailable',
  INTERNAL_SERVER_ERROR: 'Internal server error',
};

/** One field's problem, for 400s. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A deliberate error: its message is meant for the client, as is. */
export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { errors?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const badInput = (message: string, errors?: FieldProblem[]) =>
  new AppError('BAD_USER_INPUT', message, errors ? { errors } : {});
export const notFound = (what: string, id: number | string) => new AppError('NOT_FOUND', `${what} ${id} not found`);
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const unavailable = (message: string, retryAfterSeconds = 5) =>
  new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds });

/** Prisma's known request error, recognised by shape so no engine import is needed. */
interface PrismaKnownError {
  code: string;
  meta?: { target?: unknown; driverAdapterError?: { cause?: { kind?: string; constraint?: unknown } } };
}

const drivers = Object.values(DRIVER_ERRORS);
// Errors a database that is down or unreachable produces: the sockets', and each driver's (db's dialects)
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  ...drivers.flatMap((driver) => driver.unavailable),
]);
// Prisma's, and each driver's where it gives no code
const UNAVAILABLE_MESSAGES = [/Can't reach database server/i, ...drivers.map((driver) => driver.unavailableMessage)];
const STATEMENT_TIMEOUT_CODES = new Set(drivers.flatMap((driver) => driver.statementTimeout));

/**
 * Turns anything thrown into an AppError when it is a known, client-facing condition (a
 * deliberate error, a unique-key conflict, a database that is down); `null` when it is a bug.
 */
export function classifyError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof GraphQLError && error.originalError) return classifyError(error.originalError);
  const err = error as Partial<PrismaKnownError> & { message?: string; cause?: unknown; code?: string };
  if (typeof err?.code === 'string') {
    if (err.code === 'P2002') return conflict(`unique constraint violated${describeTarget(err.meta?.target)}`);
    if (err.code === 'P2025') return new AppError('NOT_FOUND', 'record not found');
    if (err.code === 'P1001' || err.code === 'P1002' || err.code === 'P1017' || UNAVAILABLE_CODES.has(err.code)) {
      return unavailable('the database is unavailable; try again shortly');
    }
    // every connection busy for Prisma's transaction wait: a saturated service, not a bug
    if (err.code === 'P2028')
      return unavailable('the database is too busy to start a transaction; try again shortly', 1);
    // the statement timeout (the request deadline), or a cancel for an abandoned request
    if (STATEMENT_TIMEOUT_CODES.has(err.code))
      return unavailable('a database statement ran past the request deadline', 1);
  }
  if (typeof err?.message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(err.message!))) {
    return unavailable('the database is unavailable; try again shortly');
  }
  if (err?.cause && err.cause !== error) return classifyError(err.cause);
  return null;
}

function describeTarget(target: unknown): string {
  if (Array.isArray(target)) return ` on ${target.join(', ')}`;
  if (typeof target === 'string') return ` on ${target}`;
  return '';
}

/** A GraphQLError carrying the error's code, for resolvers to throw. */
export function toGraphQLError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.details.errors ? { errors: error.details.errors } : {}) },
  });
}

/** Error codes GraphQL servers produce themselves that are safe to show. */
const GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_IN_USE',
  'IDEMPOTENCY_KEY_REUSED',
  'SERVICE_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'TOO_MANY_ALIASES',
]);

/**
 * Apollo Server's `formatError`: deliberate errors keep their message and code; anything
 * unexpected becomes INTERNAL_SERVER_ERROR with no detail, unless in development.
 */
export function formatGraphQLError(development: boolean, log?: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const known = classifyError(error);
    if (known) {
      return {
        ...formatted,
        message: known.message,
        extensions: {
          ...formatted.extensions,
          code: known.code,
          ...(known.details.errors ? { errors: known.details.errors } : {}),
          // a deliberate error's stack says nothing the message does not
          stacktrace: undefined,
        },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && GRAPHQL_CODES.has(code)) {
      return development ? formatted : { ...formatted, extensions: { ...formatted.extensions, stacktrace: undefined } };
    }
    log?.(error);
    if (development) return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' } };
    return {
      message: 'Internal server error',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldProblem[];
}

/** The problem document for an error; unexpected errors say nothing of their internals. */
export function toProblem(error: unknown, instance?: string): Problem {
  const known = classifyError(error) ?? new AppError('INTERNAL_SERVER_ERROR', 'an unexpected error occurred');
  return {
    type: `https://supergraph-lab.dev/problems/${known.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE[known.code],
    status: known.status,
    detail: known.message,
    code: known.code,
    ...(instance ? { instance } : {}),
    ...(known.details.errors ? { errors: known.details.errors } : {}),
  };
}

/** Runs `write`, turning the Prisma error `code` into a 404 naming `what` and its id. */
async function notFoundOn<T>(code: string, what: string, id: number, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === code) throw notFound(what, id);
    throw error;
  }
}

/** Runs a write on one record, turning Prisma's "record not found" (P2025) into a 404 naming it. */
export const orNotFound = <T>(what: string, id: number, write: () => Promise<T>): Promise<T> =>
  notFoundOn('P2025', what, id, write);

/** Runs a write of a record that belongs to an item, turning Prisma's "foreign key failed" (P2003) into a 404 naming the item. */
export const orItemNotFound = <T>(itemId: number, write: () => Promise<T>): Promise<T> =>
  notFoundOn('P2003', 'item', itemId, write);
