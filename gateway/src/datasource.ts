import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Dependencies } from '@supergraph-lab/cache';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, type CreateContext } from '@supergraph-lab/http';
import type { Cancellation, RequestTiming } from '@supergraph-lab/timing';
import { GraphQLError } from 'graphql';
import type { Agent, Dispatcher } from 'undici';
import type { FetchCount } from './fetches.ts';

/** What the gateway keeps per request. */
export interface GatewayContext {
  requestId: string;
  /**
   * The version tokens the subgraphs reported this response was built from; null once any
   * fetch reported none (its data cannot be vouched for, so the response is not cached).
   */
  dependencies: Dependencies | null;
  /** The caller asked for the response's dependencies (WANT_DEPENDENCIES_HEADER): the SSR page cache. */
  wantsDependencies?: boolean;
  /** The request's Server-Timing: each subgraph fetch is a part of it. */
  timing?: RequestTiming;
  /** Aborted when the client stops waiting: fetches not yet sent are not, those in flight are cut. */
  cancellation?: Cancellation;
  /** The client's Idempotency-Key header, passed on to the subgraph that runs the create, and its replays. */
  creates: CreateContext;
}

/**
 * A subgraph fetch over kept-alive connections (one undici Agent for the gateway), bounded by a
 * timeout, carrying the request id; a subgraph that is down or too slow becomes an error naming
 * it (SUBGRAPH_UNAVAILABLE), so the gateway answers with what the others gave.
 *
 * Apollo's RemoteGraphQLDataSource is built on the WHATWG fetch: its Request, Headers and
 * AbortSignal objects and body streams cost more CPU than the rest of a small subgraph fetch, so
 * this source dispatches on undici's Agent itself and gathers the answer's bytes, with no body
 * stream in between (see docs/benchmarks.md, "CPU per page"). What it leaves out of RemoteGraphQLDataSource
 * is unused here: APQ to subgraphs, and Apollo's cache-control hints (this project caches with
 * version tokens instead).
 *
 * A request the client gave up on (see Cancellation) sends no further fetch, and its fetches in
 * flight are aborted: the subgraph sees its connection close and abandons the work in turn.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly origin: string;
  private readonly path: string;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly agent: Agent,
    private readonly timeoutMs: number,
    /** Counts each fetch sent (subgraph_fetches_total). */
    private readonly sent: FetchCount,
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.path = `${parsed.pathname}${parsed.search}`;
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    // no Accept header: Apollo Server then answers application/json without running its negotiator
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (context.requestId) headers['x-request-id'] = context.requestId;
    if (context.creates?.header !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = context.creates.header;
    const body = requestBody(request);
    let response: GatewayGraphQLResponse;
    try {
      // a mutation is carried to its end, as a form sent from a tab closed at once would be
      const mutation =
        'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation === 'mutation';
      const gatewayContext = context as GatewayContext;
      const cancellation = mutation ? undefined : gatewayContext.cancellation;
      response = await this.send(headers, body, gatewayContext, cancellation).catch((error: unknown) => {
        // a query whose connection was reset or refused before an answer (a subgraph stopping
        // closes its kept-alive connections, one may cross a fetch) is sent once more, on
        // another connection: reading twice is harmless. Never a mutation: it may have committed
        if (mutation || cancellation?.aborted || !isConnectionLost(error)) throw error;
        this.sent.retries++;
        return this.send(headers, body, gatewayContext, cancellation);
      });
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions?.code !== undefined && !isNetworkFailure(error))
        throw error;
      throw new GraphQLError(`subgraph "${this.name}" is unavailable: ${describeFailure(error)}`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.name },
      });
    }
    const reported = response.extensions?.cacheDependencies as Dependencies | undefined;
    if ('dependencies' in context) {
      if (reported && context.dependencies) Object.assign(context.dependencies, reported);
      else context.dependencies = null;
    }
    if (response.extensions) delete response.extensions.cacheDependencies;
    return response;
  }

  /** One POST to the subgraph; a non-2xx status or a body that is not a JSON object throws. */
  private async send(
    headers: Record<string, string>,
    body: string,
    context: GatewayContext,
    cancellation: Cancellation | undefined,
  ): Promise<GatewayGraphQLResponse> {
    // the time this fetch was in flight, body included: its part of the gateway's Server-Timing
    const end = context.timing?.begin(this.name);
    // post sends nothing for a client already gone
    if (!cancellation?.aborted) this.sent.count++;
    try {
      const response = await post(
        this.agent,
        {
          origin: this.origin,
          path: this.path,
          method: 'POST',
          headers,
          body,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        },
        cancellation,
      );
      const answer: unknown = response.json ? JSON.parse(response.text) : response.text;
      if (response.replayed && context.creates) context.creates.replayed = true;
      if (response.statusCode < 200 || response.statusCode > 299) {
        const refusal = refusalIn(answer, response.statusCode);
        if (refusal) throw new GraphQLError(refusal.message, { extensions: { ...refusal, serviceName: this.name } });
        const statusText = STATUS_CODES[response.statusCode] ?? '';
        throw new GraphQLError(`${response.statusCode}: ${statusText}`, {
          extensions: { response: { url: this.url, status: response.statusCode, statusText, body: answer } },
        });
      }
      if (!answer || typeof answer !== 'object')
        throw new Error(`Expected JSON response body, but received: ${String(answer).slice(0, 200)}`);
      return answer as GatewayGraphQLResponse;
    } finally {
      end?.();
    }
  }
}

// the query texts of the plans' fetches, as JSON: a few per page, the same text every time
const queryJson = new Map<string, string>();
const QUERY_JSON_ENTRIES = 1000;

/**
 * The fetch's body, as `JSON.stringify({ query, variables, operationName, extensions })` writes it,
 * with the query text's JSON made once: a plan's fetch sends the same text for every page, and
 * escaping it each time was half the body's cost (1.3 µs a reviews fetch's body, 0.6 µs now).
 */
export function requestBody(request: GraphQLDataSourceProcessOptions['request']): string {
  const query = request.query;
  let body = '{';
  if (query !== undefined) {
    let json = queryJson.get(query);
    if (json === undefined) {
      json = JSON.stringify(query);
      if (queryJson.size >= QUERY_JSON_ENTRIES) queryJson.clear();
      queryJson.set(query, json);
    }
    body += `"query":${json}`;
  }
  for (const [key, value] of [
    ['variables', request.variables],
    ['operationName', request.operationName],
    ['extensions', request.extensions],
  ] as const) {
    const json = value === undefined ? undefined : JSON.stringify(value);
    if (json !== undefined) body += `${body.length > 1 ? ',' : ''}"${key}":${json}`;
  }
  return `${body}}`;
}

interface Answer {
  statusCode: number;
  /** Whether the content type says JSON. */
  json: boolean;
  text: string;
  /** `Idempotent-Replayed: true`: a create answered with its stored answer. */
  replayed: boolean;
}

/**
 * One request on `agent`, its answer gathered as text: what `request()` does, minus its body
 * stream. Not sent once `cancellation` aborted; aborted (undici closes its connection) when it
 * aborts in flight.
 */
function post(agent: Agent, options: Dispatcher.DispatchOptions, cancellation?: Cancellation): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (cancellation?.aborted) return reject(cancellation.reason);
    let statusCode = 0;
    let json = false;
    let replayed = false;
    let stopWatching: (() => void) | undefined;
    const chunks: Buffer[] = [];
    agent.dispatch(options, {
      // undici takes a handler for its current API only when it has this method
      onRequestStart(controller) {
        if (cancellation) stopWatching = cancellation.onAbort(() => controller.abort(cancellation.reason!));
      },
      onResponseStart(_controller, status, headers) {
        statusCode = status;
        json = String(headers['content-type'] ?? '').includes('json');
        replayed = headers[IDEMPOTENT_REPLAYED_HEADER] === 'true';
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        stopWatching?.();
        resolve({
          statusCode,
          json,
          replayed,
          text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
        });
      },
      onResponseError(_controller, error) {
        stopWatching?.();
        reject(error);
      },
    });
  });
}

// the connection was refused, or closed or reset before the answer: no answer was read
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

function isConnectionLost(error: unknown): boolean {
  const err = error as { code?: string; cause?: { code?: string } } | undefined;
  return CONNECTION_LOST.has(err?.code ?? '') || CONNECTION_LOST.has(err?.cause?.code ?? '');
}

function isNetworkFailure(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|timeout|aborted|socket|other side closed/i.test(text);
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function describeFailure(error: unknown): string {
  const err = error as Error & { code?: string; cause?: Error & { code?: string } };
  if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError' || TIMEOUT_CODES.has(err?.code ?? ''))
    return 'no answer before the timeout';
  return err?.cause?.code ?? err?.code ?? err?.cause?.message ?? err?.message ?? 'unknown error';
}

/**
 * A subgraph's deliberate refusal of the whole request (a 4xx whose first error has a code, such
 * as its own limits' QUERY_TOO_COSTLY): passed on as it is, with its message and code, not as
 * "subgraph unavailable". Null for anything else.
 */
function refusalIn(answer: unknown, status: number): { message: string; code: string } | null {
  if (status < 400 || status > 499 || !answer || typeof answer !== 'object') return null;
  const first = (answer as { errors?: { message?: unknown; extensions?: Record<string, unknown> }[] }).errors?.[0];
  const code = first?.extensions?.code;
  if (typeof code !== 'string' || typeof first?.message !== 'string') return null;
  return { ...first.extensions, message: first.message, code };
}
