// The names the services, the tools and the lab's browser bundle share: no environment, no zod.

export const CACHE_MODES = ['off', 'entity', 'response', 'all'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export const SUBGRAPH_NAMES = ['items', 'reviews', 'photos'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
