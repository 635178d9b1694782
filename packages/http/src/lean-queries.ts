import {
  execute,
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { LimitsCheck } from './limits.ts';

/** What the lean path needs of the service's GraphQL setup: the same pieces Apollo Server is given. */
export interface LeanQueryOptions<Context> {
  schema: GraphQLSchema;
  introspection: boolean;
  checkLimits: LimitsCheck;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  includeStacktrace: boolean;
  /** Extensions to add to an answer without errors (a subgraph's cache dependencies). */
  responseExtensions?: (context: Context) => Record<string, unknown> | undefined;
  /** Told of every operation answered: name, type, outcome, seconds (the operation histogram). */
  observe: (seconds: number, operationName: string | null | undefined, type: string, outcome: 'ok' | 'error') => void;
}

/** A lean answer: the status and the JSON body. */
export interface LeanAnswer {
  status: number;
  body: string;
}

/** Documents kept, parsed and validated, by query text (the gateway sends a handful of plans). */
const MAX_DOCUMENTS = 1000;
/** Introspection has its own switch, enforced by Apollo Server's own rule: such queries go there. */
const INTROSPECTION = /__schema|__type\b/;

/**
 * The subgraphs' query path without Apollo Server's request pipeline, for the one request shape
 * that is every page's: a JSON POST of a query whose document has been seen, validates and is
 * within the limits. It parses and validates a query text once, then runs graphql-js's `execute`
 * with the same context, limits, error formatting, extensions and metrics as the Apollo path.
 *
 * Apollo Server's pipeline costs about a fifth of a subgraph fetch's CPU (hashing each query text
 * with SHA-256 to find its cached document, content negotiation twice, its plugin hooks and
 * header maps; README, "CPU per page"). Everything else goes to Apollo Server unchanged: GET,
 * mutations, parse and validation errors, refused limits, bad variables, introspection, APQ, so
 * every error of those kinds still has one author. Returns null for those: the caller hands the
 * request to Apollo Server, and nothing has run.
 */
export function leanQueries<Context>(options: LeanQueryOptions<Context>) {
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  // null: a text that failed to parse or validate (Apollo Server answers it, with its errors)
  const documents = new Map<string, DocumentNode | null>();

  const documentFor = (query: string): DocumentNode | null => {
    let document = documents.get(query);
    if (document !== undefined) return document;
    document = null;
    if (!INTROSPECTION.test(query)) {
      try {
        const parsed = parse(query);
        if (validate(options.schema, parsed, rules).length === 0) document = parsed;
      } catch {
        // a syntax error: Apollo Server reports it
      }
    }
    if (documents.size >= MAX_DOCUMENTS) documents.clear();
    documents.set(query, document);
    return document;
  };

  return async (body: unknown, context: () => Promise<Context>): Promise<LeanAnswer | null> => {
    if (!body || typeof body !== 'object') return null;
    const { query, variables, operationName, extensions } = body as Record<string, unknown>;
    if (typeof query !== 'string') return null;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    if (operationName != null && typeof operationName !== 'string') return null;
    if (extensions != null && (typeof extensions !== 'object' || 'persistedQuery' in extensions)) return null;
    const document = documentFor(query);
    if (!document) return null;
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation || operation.operation !== 'query') return null;
    const variableValues = (variables ?? {}) as Record<string, unknown>;
    try {
      options.checkLimits(document, operation, options.schema, variableValues);
    } catch {
      return null;
    }
    const started = performance.now();
    const contextValue = await context();
    const result: ExecutionResult = await execute({
      schema: options.schema,
      document,
      contextValue,
      variableValues,
      operationName: operationName ?? undefined,
    });
    // no data at all: the variables did not coerce, and nothing ran; Apollo Server says why (400)
    if (result.data === undefined) return null;
    const failed = Boolean(result.errors?.length);
    const answer: Record<string, unknown> = {};
    let status = 200;
    if (failed) {
      const formatted = formatErrors(result.errors!, options);
      answer.errors = formatted.errors;
      status = formatted.status ?? status;
    }
    answer.data = result.data;
    const extra = failed ? undefined : options.responseExtensions?.(contextValue);
    if (extra) answer.extensions = extra;
    options.observe(
      (performance.now() - started) / 1000,
      operation.name?.value ?? operationName,
      'query',
      failed ? 'error' : 'ok',
    );
    return { status, body: JSON.stringify(answer) };
  };
}

/**
 * Execution errors as Apollo Server formats them: a GraphQLError for anything thrown, a code
 * (INTERNAL_SERVER_ERROR when none), the stack trace when asked, an `http` extension taken out
 * as the status, then the service's `formatError`.
 */
function formatErrors(
  errors: readonly GraphQLError[],
  options: Pick<LeanQueryOptions<unknown>, 'formatError' | 'includeStacktrace'>,
) {
  let status: number | undefined;
  const formatted = errors.map((error) => {
    const extensions: Record<string, unknown> = {
      ...error.extensions,
      code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR',
    };
    const http = extensions.http as { status?: unknown } | undefined;
    if (http && typeof http === 'object') {
      if (typeof http.status === 'number') status = http.status;
      delete extensions.http;
    }
    if (options.includeStacktrace) extensions.stacktrace = error.stack?.split('\n');
    const enriched = { ...error.toJSON(), extensions };
    try {
      return options.formatError(enriched, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { errors: formatted, status };
}
