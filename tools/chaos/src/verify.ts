// After a fault's run: every write not acknowledged is sent again with the same key, then each is
// looked up where it landed (the database, counted directly) and each PATCH read back through the
// balancer three ways. What this gathers, audit.ts judges.
import { setTimeout as sleep } from 'node:timers/promises';
import { createPrismaClient } from '@supergraph-lab/db';
import { ITEM_PAGE_QUERY, itemPageVariables } from '@supergraph-lab/http/documents';
import type { createAgent, RequestSpec } from '@supergraph-lab/loadtest';
import type { CreateRecord, PatchRecord, Surface } from './audit.ts';
import { send, type SentWrite, type Workload } from './workload.ts';

type Agent = ReturnType<typeof createAgent>;
const REQUEST_TIMEOUT_MS = 10_000;

/** Runs `work` on each of `items`, `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Sends each unacknowledged write again, unchanged (its Idempotency-Key too), until it is
 * acknowledged or `deadline` (a 409 "in flight" or a 503 is waited out); true for each acked.
 */
async function retryWrites(
  agent: Agent,
  writes: readonly SentWrite[],
  deadline: number,
): Promise<Map<SentWrite, boolean>> {
  const acked = new Map<SentWrite, boolean>();
  await eachLimited(writes, 4, async (write) => {
    for (;;) {
      const result = await send(agent, write.spec, AbortSignal.timeout(REQUEST_TIMEOUT_MS));
      if (result.outcome.ok || Date.now() > deadline) {
        acked.set(write, result.outcome.ok);
        return;
      }
      await sleep(500);
    }
  });
  return acked;
}

/** The name a surface shows for `itemId`, or null when it does not answer with one. */
async function readName(agent: Agent, origin: string, surface: Surface, itemId: number, value: string) {
  const specs: Record<Surface, RequestSpec> = {
    graphql: {
      method: 'POST',
      url: `${origin}/graphql`,
      body: { query: ITEM_PAGE_QUERY, variables: itemPageVariables(itemId) },
      graphql: true,
    },
    rest: { method: 'GET', url: `${origin}/api/items/${itemId}` },
    ssr: { method: 'GET', url: `${origin}/items/${itemId}` },
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await send(agent, specs[surface], AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    if (result.outcome.ok && result.response) {
      const body = result.response.body;
      // the page is HTML: the value is plain letters, digits and dashes, the same escaped or not
      if (surface === 'ssr') return body.includes(value) ? 'fresh' : 'stale';
      const parsed = JSON.parse(body) as { name?: string; data?: { item?: { name?: string } } };
      return (surface === 'rest' ? parsed.name : parsed.data?.item?.name) === value ? 'fresh' : 'stale';
    }
    await sleep(500);
  }
  return 'failed';
}

/**
 * The records the audit judges for `workload`'s writes: unacknowledged ones retried until
 * `retrySeconds` have passed, rows counted in the database at `databaseUrl` (not through the
 * proxy), each acknowledged PATCH read back through `origin` as GraphQL, REST and the SSR page.
 */
export async function gatherRecords(options: {
  agent: Agent;
  origin: string;
  databaseUrl: string;
  workload: Workload;
  retrySeconds: number;
}): Promise<{ creates: CreateRecord[]; patches: PatchRecord[] }> {
  const { agent, origin, workload } = options;
  const unacked = [...workload.creates.values(), ...workload.patches.values()].filter((write) => !write.acked);
  const retried = await retryWrites(agent, unacked, Date.now() + options.retrySeconds * 1000);
  const prisma = createPrismaClient(options.databaseUrl);
  try {
    const keys = [...workload.creates.keys()];
    const rows = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 500) {
      const groups = await prisma.review.groupBy({
        by: ['title'],
        where: { title: { in: keys.slice(i, i + 500) } },
        _count: { _all: true },
      });
      for (const group of groups) rows.set(group.title, group._count._all);
    }
    const creates = [...workload.creates.entries()].map(([key, write]): CreateRecord => ({
      key,
      target: write.target,
      acked: write.acked,
      ...(write.acked ? {} : { retryAcked: retried.get(write) ?? false }),
      rows: rows.get(key) ?? 0,
    }));
    const ids = [...workload.patches.keys()];
    const stored = new Map(
      (await prisma.item.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((item) => [
        item.id,
        item.name,
      ]),
    );
    const patches: PatchRecord[] = [...workload.patches.entries()].map(([itemId, write]) => ({
      itemId,
      value: write.value,
      acked: write.acked,
      ...(write.acked ? {} : { retryAcked: retried.get(write) ?? false }),
      stored: stored.get(itemId) ?? null,
      reads: {},
    }));
    const confirmed = patches.flatMap((patch) =>
      patch.acked || patch.retryAcked
        ? (['graphql', 'rest', 'ssr'] as const).map((surface) => ({ patch, surface }))
        : [],
    );
    await eachLimited(confirmed, 8, async ({ patch, surface }) => {
      patch.reads[surface] = await readName(agent, origin, surface, patch.itemId, patch.value);
    });
    return { creates, patches };
  } finally {
    await prisma.$disconnect();
  }
}
