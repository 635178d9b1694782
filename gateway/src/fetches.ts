import { SUBGRAPH_NAMES, type SubgraphName } from '@supergraph-lab/config';
import { countsMetric } from '@supergraph-lab/http';
import type { Registry } from 'prom-client';

/** Fetches the gateway has sent to one subgraph. */
export interface FetchCount {
  count: number;
  /** Queries sent once more after their connection was reset or refused (SubgraphDataSource). */
  retries: number;
}

/**
 * A count per subgraph of the fetches the gateway sends it (GraphQL through SubgraphDataSource,
 * REST through the proxy): a plain increment per fetch, shown in `registry` as
 * `subgraph_fetches_total{subgraph}` at scrape time. How the load tester sees a query plan's
 * fan-out per page.
 */
export function subgraphFetchCounts(registry: Registry): Record<SubgraphName, FetchCount> {
  const counts = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { count: 0, retries: 0 }])) as Record<
    SubgraphName,
    FetchCount
  >;
  countsMetric(
    registry,
    'subgraph_fetches_total',
    'Fetches the gateway sent to each subgraph (GraphQL and REST)',
    ['subgraph'],
    () => SUBGRAPH_NAMES.map((subgraph) => [{ subgraph }, counts[subgraph].count]),
  );
  countsMetric(
    registry,
    'subgraph_fetch_retries_total',
    'GraphQL queries the gateway sent to a subgraph once more after their connection was reset or refused',
    ['subgraph'],
    () => SUBGRAPH_NAMES.map((subgraph) => [{ subgraph }, counts[subgraph].retries]),
  );
  return counts;
}
