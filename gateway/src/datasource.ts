import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Dependencies } from '@supergraph-lab/cache';
import { GraphQLError } from 'graphql';
import { timed } from '@supergraph-lab/timing';
import { fetch as undiciFetch, type Agent } from 'undici';

/** What the gateway keeps per request. */
export interface GatewayContext {
  requestId: string;
  /**
   * The version tokens the subgraphs reported this response was built from; null once any
   * fetch reported none (its data cannot be vouched for, so the response is not cached).
   */
  dependencies: Dependencies | null;
}

/**
 * A subgraph fetch over kept-alive connections (one undici Agent for the gateway), bounded by a
 * timeout, carrying the request id; a subgraph that is down or too slow becomes an error naming
 * it (SUBGRAPH_UNAVAILABLE), so the gateway answers with what the others gave.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    agent: Agent,
    timeoutMs: number,
  ) {
    super({
      url,
      // each subgraph is a Server-Timing part of the gateway request: the time a fetch to it was in flight
      fetcher: ((input: string, init: Record<string, unknown>) =>
        timed(name, () => undiciFetch(input, { ...init, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) } as never))) as never,
    });
  }

  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    if ('requestId' in context && context.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }

  override async didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    const reported = response.extensions?.cacheDependencies as Dependencies | undefined;
    if ('dependencies' in context) {
      if (reported && context.dependencies) Object.assign(context.dependencies, reported);
      else context.dependencies = null;
    }
    if (response.extensions) delete response.extensions.cacheDependencies;
    return response;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions?.code !== undefined && !isNetworkFailure(error)) throw error;
      throw new GraphQLError(`subgraph "${this.name}" is unavailable: ${describeFailure(error)}`, {
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.name },
      });
    }
  }
}

function isNetworkFailure(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|timeout|aborted|socket|other side closed/i.test(text);
}

function describeFailure(error: unknown): string {
  const err = error as Error & { cause?: Error & { code?: string } };
  if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') return 'no answer before the timeout';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? 'unknown error';
}
