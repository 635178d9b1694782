// The mixed load of one fault's run: reads of the item page three ways and writes two ways, each
// request logged with its answer. Every create carries an Idempotency-Key written into its title,
// every PATCH names an item no other PATCH of the run touches: the audit can count and compare.
import { exchange, type createAgent, type Exchange, type Outcome, type RequestSpec } from '@supergraph-lab/loadtest';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import type { RequestEvent } from './recovery.ts';

type Agent = ReturnType<typeof createAgent>;

/** The request kinds, each a target recovery waits for. */
export const TARGETS = [
  'graphql-page',
  'rest-item',
  'ssr-page',
  'rest-create',
  'graphql-create',
  'item-patch',
] as const;
export type Target = (typeof TARGETS)[number];

/** The mix, in twentieths: 70% reads, 20% creates, 10% PATCHes. */
const CYCLE: readonly Target[] = [
  ...Array<Target>(5).fill('graphql-page'),
  ...Array<Target>(4).fill('rest-item'),
  ...Array<Target>(5).fill('ssr-page'),
  ...Array<Target>(2).fill('rest-create'),
  ...Array<Target>(2).fill('graphql-create'),
  ...Array<Target>(2).fill('item-patch'),
];
/** The share of the load that PATCHes: each needs an item of its own. */
export const PATCH_SHARE = CYCLE.filter((target) => target === 'item-patch').length / CYCLE.length;

const CREATE_REVIEW = /* GraphQL */ `
  mutation ChaosReview($input: CreateReviewInput!) {
    createReview(input: $input) {
      id
      title
    }
  }
`;

/** A write the load sent, with what it takes to send it again. */
export interface SentWrite {
  target: Target;
  spec: RequestSpec;
  acked: boolean;
}

/** One fault's load: `send` for runStep, and what it sent. */
export interface Workload {
  send(signal: AbortSignal): Promise<Outcome>;
  events: RequestEvent[];
  /** Creates by Idempotency-Key. */
  creates: Map<string, SentWrite>;
  /** PATCHes by item id, with the name each set. */
  patches: Map<number, SentWrite & { value: string }>;
}

/** Why an exchange failed, as the report groups it: `503 Retry-After`, `200 GraphQL CODE`, `network CODE`, `timeout`. */
export function failureOf(result: Exchange): string | undefined {
  if (result.outcome.ok) return undefined;
  const error = result.outcome.error;
  if (!result.response) {
    if (error?.kind === 'timeout') return 'timeout';
    const code = /^([A-Z][A-Z0-9_]+):/.exec(error?.message ?? '')?.[1];
    return `network ${code ?? error?.message ?? ''}`.trim();
  }
  const { status, headers, body } = result.response;
  if (error?.kind === 'graphql') {
    let code = 'error';
    try {
      const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
      code = parsed.errors?.[0]?.extensions?.code ?? code;
    } catch {
      code = 'not JSON';
    }
    return `${status} GraphQL ${code}`;
  }
  return headers['retry-after'] ? `${status} Retry-After` : String(status);
}

/** Sends `spec` and judges it as the load tester does, keeping the answer for failureOf. */
export function send(agent: Agent, spec: RequestSpec, signal: AbortSignal): Promise<Exchange> {
  return exchange(agent, spec, signal, true);
}

/**
 * The load of one fault's run through the balancer at `origin`. `label` (run and fault) goes into
 * every key and value; `patchItems` are the items PATCHes take, in turn, each once; reads go half
 * to items near the ones just PATCHed (their caches filled, then invalidated), half anywhere.
 */
export function createWorkload(options: {
  agent: Agent;
  origin: string;
  label: string;
  maxItemId: number;
  patchItems: readonly number[];
  random?: () => number;
}): Workload {
  const { agent, origin, label, maxItemId, patchItems } = options;
  const random = options.random ?? Math.random;
  const events: RequestEvent[] = [];
  const creates = new Map<string, SentWrite>();
  const patches = new Map<number, SentWrite & { value: string }>();
  let n = 0;
  let patched = 0;
  const readId = () => {
    if (random() < 0.5) return 1 + Math.floor(random() * maxItemId);
    const near = patchItems[Math.min(patchItems.length - 1, Math.max(0, patched - 10 + Math.floor(random() * 20)))];
    return near ?? 1 + Math.floor(random() * maxItemId);
  };

  /** What request `i` of `target` sends (a PATCH with no item left sends a read), and what acks it. */
  const specFor = (target: Target, i: number): { target: Target; spec: RequestSpec; write?: () => void } => {
    const id = readId();
    switch (target) {
      case 'graphql-page':
        return {
          target,
          spec: {
            method: 'POST',
            url: `${origin}/graphql`,
            body: { query: ITEM_PAGE_QUERY, variables: itemPageVariables(id) },
            graphql: true,
          },
        };
      case 'rest-item':
        return { target, spec: { method: 'GET', url: `${origin}/api/items/${id}` } };
      case 'ssr-page':
        return { target, spec: { method: 'GET', url: `${origin}/items/${id}` } };
      case 'rest-create':
      case 'graphql-create': {
        const key = `chaos-${label}-${i}`;
        const review = {
          rating: 1 + (i % 5),
          title: key,
          body: `written once by the chaos suite (${key})`,
          author: 'chaos',
        };
        const headers = { 'idempotency-key': key };
        const spec: RequestSpec =
          target === 'rest-create'
            ? { method: 'POST', url: `${origin}/api/items/${id}/reviews`, body: review, headers }
            : {
                method: 'POST',
                url: `${origin}/graphql`,
                body: { query: CREATE_REVIEW, variables: { input: { itemId: String(id), ...review } } },
                graphql: true,
                headers,
              };
        const write = { target, spec, acked: false };
        creates.set(key, write);
        return { target, spec, write: () => (write.acked = true) };
      }
      case 'item-patch': {
        const item = patchItems[patched++];
        // every item of the run PATCHed once: the rest of the run reads
        if (item === undefined) return specFor('rest-item', i);
        const value = `chaos-${label}-${i}`;
        const spec: RequestSpec = { method: 'PATCH', url: `${origin}/api/items/${item}`, body: { name: value } };
        const write = { target, spec, acked: false, value };
        patches.set(item, write);
        return { target, spec, write: () => (write.acked = true) };
      }
    }
  };

  return {
    events,
    creates,
    patches,
    async send(signal) {
      const i = n++;
      const { target, spec, write } = specFor(CYCLE[i % CYCLE.length]!, i);
      const sentAt = performance.now();
      const result = await send(agent, spec, signal);
      const failure = failureOf(result);
      events.push({ target, sentAt, ok: result.outcome.ok, ...(failure ? { failure } : {}) });
      if (result.outcome.ok) write?.();
      return result.outcome;
    },
  };
}
