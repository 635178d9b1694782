import { randomUUID } from 'node:crypto';
import { readConfig, SERVICE_NAMES, type ServiceName } from '@supergraph-lab/config';
import { biasedItemId } from '@supergraph-lab/db/workload';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import type { RequestSpec } from './http.ts';

/** Where the running stack answers: each service of the registry (packages/config/src/services.ts). */
export type Endpoints = Record<ServiceName, string>;

const CREATE_REVIEW = /* GraphQL */ `
  mutation LoadTestReview($input: CreateReviewInput!) {
    createReview(input: $input) {
      id
      rating
    }
  }
`;

/**
 * Every write carries an Idempotency-Key of its own, so one that is retried (by nginx, or by
 * whoever resends it) or timed out and sent again never writes twice.
 */
const writeKey = () => ({ 'idempotency-key': `loadtest-${randomUUID()}` });

/** What one page load (or write) of a target sends, for item `id`; `n` numbers the requests. */
type Build = (endpoints: Endpoints, id: number, n: number) => RequestSpec[];

export interface Target {
  name: string;
  label: string;
  description: string;
  /** Changes data: run it against a database you can spare. */
  write: boolean;
  requests: Build;
}

/** The four REST calls a browser makes for one item page, in parallel. */
const restPage = (base: { items: string; reviews: string; photos: string }, id: number): RequestSpec[] => [
  { method: 'GET', url: `${base.items}/api/items/${id}` },
  { method: 'GET', url: `${base.photos}/api/items/${id}/photos` },
  { method: 'GET', url: `${base.reviews}/api/items/${id}/reviews/summary` },
  { method: 'GET', url: `${base.reviews}/api/items/${id}/reviews?first=5&sort=NEWEST` },
];

const review = (n: number) => ({
  rating: 1 + (n % 5),
  title: `Load test review ${n}`,
  body: 'Written by the load tester to measure the cost of a write.',
  author: 'loadtest',
});

/** Every target, in the order reports show them. */
export const TARGETS: readonly Target[] = [
  {
    name: 'graphql',
    label: 'GraphQL',
    description: 'the item page query through the gateway (one POST /graphql)',
    write: false,
    requests: (endpoints, id) => [
      {
        method: 'POST',
        url: `${endpoints.gateway}/graphql`,
        body: { query: ITEM_PAGE_QUERY, variables: itemPageVariables(id) },
        graphql: true,
      },
    ],
  },
  {
    name: 'rest',
    label: 'REST',
    description: 'the four REST calls of a page, in parallel, straight to the owning services',
    write: false,
    requests: (endpoints, id) => restPage(endpoints, id),
  },
  {
    name: 'rest-gateway',
    label: 'REST via gateway',
    description: 'the same four REST calls through the gateway',
    write: false,
    requests: (endpoints, id) =>
      restPage({ items: endpoints.gateway, reviews: endpoints.gateway, photos: endpoints.gateway }, id),
  },
  {
    name: 'ssr',
    label: 'SSR',
    description: 'the server-rendered HTML page, built from one gateway query',
    write: false,
    requests: (endpoints, id) => [{ method: 'GET', url: `${endpoints.ssr}/items/${id}` }],
  },
  {
    name: 'ssr-rest',
    label: 'SSR over REST',
    description: 'the server-rendered page, built from the four REST calls',
    write: false,
    requests: (endpoints, id) => [{ method: 'GET', url: `${endpoints.ssr}/items/${id}?source=rest` }],
  },
  {
    name: 'rest-post',
    label: 'REST POST review',
    description: 'creates a review: POST /api/items/:id/reviews on the reviews service',
    write: true,
    requests: (endpoints, id, n) => [
      { method: 'POST', url: `${endpoints.reviews}/api/items/${id}/reviews`, body: review(n), headers: writeKey() },
    ],
  },
  {
    name: 'graphql-mutation',
    label: 'GraphQL createReview',
    description: 'creates a review: the createReview mutation through the gateway',
    write: true,
    requests: (endpoints, id, n) => [
      {
        method: 'POST',
        url: `${endpoints.gateway}/graphql`,
        body: { query: CREATE_REVIEW, variables: { input: { itemId: String(id), ...review(n) } } },
        graphql: true,
        headers: writeKey(),
      },
    ],
  },
];

export const TARGET_NAMES = TARGETS.map((target) => target.name);

/** The target called `name`, or an error listing the ones there are. */
export function targetNamed(name: string): Target {
  const target = TARGETS.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`unknown target "${name}": choose from ${TARGET_NAMES.join(', ')}`);
  return target;
}

/** Item ids for a run: at random, 80% from the newest 10% of 1..maxId (docs/contract.md). */
export function itemIds(maxId: number, random: () => number = Math.random): () => number {
  return () => biasedItemId(maxId, random);
}

/** Every service at one origin: a balancer in front of the stack. */
export function endpointsAt(origin: string): Endpoints {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, origin])) as Endpoints;
}

/** Endpoints as the configuration has them: the contract's ports here, each overridable (GATEWAY_URL, SSR_URL, ITEMS_URL, ...). */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Endpoints {
  const config = readConfig(env);
  return { gateway: config.gatewayUrl, ssr: config.ssrUrl, ...config.subgraphUrls };
}
