import type { CacheMode } from '@supergraph-lab/config';
import type { CachePolicy } from './versions.ts';

/**
 * What a subgraph does for a CACHE_MODE: `entity` and `all` serve and fill the entity cache;
 * `response` and `all` read tokens so the gateway's response cache can validate its entries;
 * `off` never touches the cache.
 */
export function policyFor(mode: CacheMode): CachePolicy {
  return {
    entities: mode === 'entity' || mode === 'all',
    dependencies: mode === 'response' || mode === 'all',
  };
}
