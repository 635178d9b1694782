import { createHash } from 'node:crypto';
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
  getVariableValues,
  type OperationDefinitionNode,
} from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { ByteLru } from '@supergraph-lab/lru';
import type { LimitsCheck } from './limits.ts';
import { variablesCheck, type VariablesCheck } from './variables.ts';

/** An operation the lean path has parsed, validated and checked, ready to run. */
export interface LeanOperation<Context> {
  schema: GraphQLSchema;
  /** The query text, as sent. */
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  contextValue: Context;
  /** The HTTP request's headers. */
  headers: IncomingHttpHeaders;
}

/**
 * Runs an operation: its result, or null to decline it before anything ran (variables that do
 * not coerce), which sends it to Apollo Server to be refused there.
 */
export type LeanExecutor<Context> = (operation: LeanOperation<Context>) => Promise<ExecutionResult | null>;

/** What the lean path needs of the service's GraphQL setup: the same pieces Apollo Server is given. */
export interface LeanQueryOptions<Context> {
  /** The schema requests are validated against now (a gateway's changes when its supergraph does). */
  schema: () => GraphQLSchema | undefined;
  /** How an operation runs: graphql-js's `execute` over `schema` when not given (a subgraph). */
  execute?: LeanExecutor<Context>;
  introspection: boolean;
  /** The parser's token limit: a longer text is left to Apollo Server, which refuses it. */
  maxTokens?: number;
  checkLimits: LimitsCheck;
  /** Query text kept parsed, in bytes (LEAN_DOCUMENT_CACHE_BYTES): the least recently used go past it. */
  documentCacheBytes: number;
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

/** What the lean path's document cache holds now, for its gauges. */
export interface DocumentCacheUsage {
  /** Query-text bytes. */
  bytes: number;
  entries: number;
}

/** The lean path: answers a request, or declines it (null) to Apollo Server. */
export interface LeanQueries<Context> {
  answer(body: unknown, context: () => Promise<Context>, headers: IncomingHttpHeaders): Promise<LeanAnswer | null>;
  /** What its document cache holds now. */
  documentCache(): DocumentCacheUsage;
}

/** Introspection has its own switch, enforced by Apollo Server's own rule: such queries go there. */
const INTROSPECTION = /__schema|__type\b/;

/**
 * The query path without Apollo Server's request pipeline, for the one request shape that is
 * every page's: a JSON POST of a query whose document has been seen, validates and is within the
 * limits. It parses and validates a query text once, then runs it (graphql-js's `execute` in a
 * subgraph, the gateway's executor in the gateway) with the same context, limits, error
 * formatting, extensions and metrics as the Apollo path.
 *
 * Apollo Server's pipeline costs about a fifth of a subgraph fetch's CPU and a seventh of the
 * gateway's (hashing each query text with SHA-256 to find its cached document, content
 * negotiation twice, its plugin hooks and header maps; docs/benchmarks.md, "CPU per page"). Everything else
 * goes to Apollo Server unchanged: GET, mutations, parse and validation errors, refused limits,
 * bad variables, introspection, APQ, so every error of those kinds still has one author. Returns
 * null for those: the caller hands the request to Apollo Server, and nothing has run.
 */
export function leanQueries<Context>(options: LeanQueryOptions<Context>): LeanQueries<Context> {
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const run = options.execute ?? executeOnSchema;
  // by query text, bounded by the texts' bytes: a parsed document takes about 50 times its text
  // in heap, and every distinct text a client sends would otherwise stay. A document enters once
  // it passed the limits; null: a text that failed to parse or validate (Apollo Server answers
  // it, with its errors), remembered so it is not parsed again. Kept for one schema: a new one
  // (a gateway's new supergraph) validates each text anew
  const documents = new ByteLru<DocumentNode | null>({ maxBytes: options.documentCacheBytes });
  let validatedFor: GraphQLSchema | undefined;

  /** The document for `query`, whether it was cached, or null when it does not parse or validate. */
  const documentFor = (schema: GraphQLSchema, query: string): { document: DocumentNode | null; cached: boolean } => {
    if (schema !== validatedFor) {
      documents.clear();
      validatedFor = schema;
    }
    const known = documents.get(query);
    if (known !== undefined) return { document: known, cached: true };
    if (!INTROSPECTION.test(query)) {
      try {
        const parsed = parse(query, { maxTokens: options.maxTokens });
        if (validate(schema, parsed, rules).length === 0) return { document: parsed, cached: false };
      } catch {
        // a syntax error: Apollo Server reports it
      }
    }
    documents.set(query, null, Buffer.byteLength(query));
    return { document: null, cached: true };
  };

  const isQuery = (definition: DocumentNode['definitions'][number]) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'query';

  const respond = async (
    body: unknown,
    context: () => Promise<Context>,
    headers: IncomingHttpHeaders,
  ): Promise<LeanAnswer | null> => {
    if (!body || typeof body !== 'object') return null;
    const { query, variables, operationName, extensions } = body as Record<string, unknown>;
    if (typeof query !== 'string') return null;
    if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
    if (operationName != null && typeof operationName !== 'string') return null;
    if (extensions != null && (typeof extensions !== 'object' || 'persistedQuery' in extensions)) return null;
    const schema = options.schema();
    if (!schema) return null;
    const { document, cached } = documentFor(schema, query);
    if (!document) return null;
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation || operation.operation !== 'query') {
      // a text with no query at all (a mutation) is Apollo Server's every time: remembered as such,
      // or each write would be parsed and validated here again first (0.5 ms at the gateway)
      if (!cached && !document.definitions.some(isQuery)) documents.set(query, null, Buffer.byteLength(query));
      return null;
    }
    const variableValues = (variables ?? {}) as Record<string, unknown>;
    try {
      options.checkLimits(document, operation, schema, variableValues);
    } catch {
      return null;
    }
    // kept only once within the limits: a refused text costs its parse each time, not memory
    if (!cached) documents.set(query, document, Buffer.byteLength(query));
    const started = performance.now();
    const contextValue = await context();
    const result = await run({
      schema,
      query,
      document,
      operation,
      operationName: operationName ?? undefined,
      variables: variableValues,
      contextValue,
      headers,
    });
    // declined before anything ran (variables that do not coerce): Apollo Server says why (400)
    if (!result) return null;
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
    if (result.extensions || extra) answer.extensions = { ...result.extensions, ...extra };
    options.observe(
      (performance.now() - started) / 1000,
      operation.name?.value ?? operationName,
      'query',
      failed ? 'error' : 'ok',
    );
    return { status, body: JSON.stringify(answer) };
  };
  return {
    answer: respond,
    documentCache: () => ({ bytes: documents.bytes, entries: documents.size }),
  };
}

/** A subgraph's executor: graphql-js's `execute`; no data at all means the variables did not coerce, and nothing ran. */
async function executeOnSchema<Context>(operation: LeanOperation<Context>): Promise<ExecutionResult | null> {
  const result = await execute({
    schema: operation.schema,
    document: operation.document,
    contextValue: operation.contextValue,
    variableValues: operation.variables,
    operationName: operation.operationName,
  });
  return result.data === undefined ? null : result;
}

/**
 * Runs an operation's query plan without the gateway's executor when it can (the gateway's
 * compiled plans, gateway/src/plan-executor.ts); undefined when it cannot, and the executor runs it.
 */
export type PlanRunner<Context> = (operation: LeanOperation<Context>) => Promise<ExecutionResult> | undefined;

/**
 * A gateway's executor (what its `load()` gave Apollo Server) as the lean path's: the request
 * context Apollo Server would build for it, less what the gateway does not read. The query hash
 * is the one Apollo Server computes (SHA-256 of the text, hex), so both paths share the query
 * plan cache, but it is computed once per document, not per request. Variables are coerced
 * first, so a bad one is declined to Apollo Server before any subgraph is asked.
 */
export function gatewayExecutor<Context>(
  executor: () => GatewayExecutor | null,
  logger: GatewayGraphQLRequestContext['logger'],
  runPlan?: PlanRunner<Context>,
): LeanExecutor<Context> {
  const hashes = new WeakMap<DocumentNode, string>();
  // by operation; made anew for a new schema (a new supergraph makes new documents too)
  const checks = new WeakMap<OperationDefinitionNode, VariablesCheck>();
  return async (lean) => {
    const { schema, query, document, operation, operationName, variables, contextValue, headers } = lean;
    const gatewayExecute = executor();
    if (!gatewayExecute) return null;
    let check = checks.get(operation);
    if (!check) checks.set(operation, (check = variablesCheck(schema, operation)));
    if (!check(variables) && getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors)
      return null;
    const ran = runPlan?.(lean);
    if (ran) return ran;
    let queryHash = hashes.get(document);
    if (queryHash === undefined) {
      queryHash = createHash('sha256').update(query).digest('hex');
      hashes.set(document, queryHash);
    }
    const requestContext = {
      request: { query, operationName, variables, http: { method: 'POST', url: '', headers: headerReader(headers) } },
      logger,
      schema,
      context: contextValue,
      queryHash,
      document,
      source: query,
      operationName: operationName ?? operation.name?.value ?? null,
      operation,
      metrics: {},
    } as unknown as GatewayGraphQLRequestContext;
    return gatewayExecute(requestContext);
  };
}

/** Fetch-style `get`/`has` over Node's request headers (the gateway reads a debugging header or two). */
function headerReader(headers: IncomingHttpHeaders) {
  const get = (name: string) => {
    const value = headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return { get, has: (name: string) => get(name) !== null };
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
  const formatted = errors.map((thrown: unknown) => {
    // Apollo's executor may return a plain Error (a subgraph answer of the wrong shape): Apollo
    // Server makes it a GraphQLError (its ensureGraphQLError), and so does this path
    const error =
      thrown instanceof GraphQLError
        ? thrown
        : new GraphQLError((thrown as Error)?.message ?? String(thrown), {
            originalError: thrown instanceof Error ? thrown : undefined,
          });
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
