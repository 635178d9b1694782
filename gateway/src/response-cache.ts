import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { currentEntry, keepEntry, layerKey, type LayerStats, type SwitchableStore } from '@supergraph-lab/cache';
import type { CacheMode } from '@supergraph-lab/config';
import type { OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from './datasource.ts';

/** What the gateway's two response layers share: the store, the mode, their counts. */
export interface GatewayCache {
  store: SwitchableStore;
  mode: CacheMode;
  ttlSeconds: number;
  stats: { response: LayerStats; rest: LayerStats };
  /** The keys written most recently, newest last, for the inspector. */
  recent: { key: string; layer: 'response' | 'rest'; at: number }[];
}

/** Whether whole responses are served from the cache now: only with a store every process shares. */
export function responsesCached(cache: GatewayCache): boolean {
  return (cache.mode === 'response' || cache.mode === 'all') && cache.store.shared;
}

/** Notes a written key for the inspector, keeping the last 50. */
export function remember(cache: GatewayCache, key: string, layer: 'response' | 'rest'): void {
  cache.recent.push({ key, layer, at: Date.now() });
  if (cache.recent.length > 50) cache.recent.shift();
}

interface CachedResponse {
  result: Record<string, unknown>;
}

/**
 * The extension that gives a caller which caches what it builds from a response (the SSR page
 * cache, by WANT_DEPENDENCIES_HEADER) the version tokens the response was built from: on both
 * GraphQL paths, and for a response served from this cache.
 */
export function responseDependencies(context: GatewayContext): Record<string, unknown> | undefined {
  return context.wantsDependencies && context.dependencies ? { cacheDependencies: context.dependencies } : undefined;
}

/**
 * The variables `operation` declares, in its order, as the request gave them (absent ones left
 * out: absent and null differ in GraphQL): the answer depends on nothing else a client sends, so
 * extra variables make no new key.
 */
function declaredVariables(
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const declared: Record<string, unknown> = {};
  if (!variables) return declared;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (Object.hasOwn(variables, name)) declared[name] = variables[name];
  }
  return declared;
}

/**
 * The GraphQL response cache: a query's whole response, stored with the version tokens every
 * subgraph fetch reported it was built from, and served only while all of them are current
 * (one round trip to check). Mutations, responses with errors, and responses some fetch could
 * not vouch for are never stored. Every response says `x-cache: HIT`, `MISS` or `BYPASS`.
 */
export function responseCachePlugin(cache: GatewayCache): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let key: string | null = null;
      return {
        async responseForOperation(requestContext: GraphQLRequestContext<GatewayContext>) {
          if (!responsesCached(cache) || requestContext.operation?.operation !== 'query') return null;
          key = layerKey(
            'response',
            createHash('sha256')
              .update(requestContext.source ?? '')
              .update('\0')
              .update(requestContext.request.operationName ?? '')
              .update('\0')
              .update(JSON.stringify(declaredVariables(requestContext.operation, requestContext.request.variables)))
              .digest('base64url'),
          );
          const entry = await currentEntry<CachedResponse>(cache.store, key, requestContext.contextValue.timing);
          if (entry) {
            cache.stats.response.hits++;
            // the dependencies it was built from, for a caller that asks (responseDependencies)
            requestContext.contextValue.dependencies = entry.dependencies;
            return {
              http: { status: 200, headers: new HeaderMap([['x-cache', 'HIT']]) },
              body: { kind: 'single', singleResult: entry.result },
            };
          }
          cache.stats.response.misses++;
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          const body = response.body;
          if (!key || body.kind !== 'single' || response.http.headers.get('x-cache') === 'HIT') {
            if (!response.http.headers.get('x-cache')) response.http.headers.set('x-cache', 'BYPASS');
            return;
          }
          response.http.headers.set('x-cache', 'MISS');
          const dependencies = contextValue.dependencies;
          if (body.singleResult.errors?.length || !dependencies) return;
          const stored = await keepEntry<CachedResponse>(
            cache.store,
            key,
            { result: { data: body.singleResult.data }, dependencies },
            cache.ttlSeconds,
            contextValue.timing,
          );
          if (stored) remember(cache, key, 'response');
        },
      };
    },
  };
}
