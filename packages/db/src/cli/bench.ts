// npm run bench:db [-- --runs N --explain]: times each query the API runs on the loaded data.
import { parseCliArgs, parseCount } from '@supergraph-lab/config';
import { percentile } from '@supergraph-lab/timing/stats';
import { createPrismaClient } from '../client.ts';
import { databaseUrlFromEnv } from '../connection.ts';
import {
  itemsByIds,
  itemsPage,
  photosOfItems,
  REVIEW_SORTS,
  reviewKeyset,
  reviewPages,
  reviewSummaries,
  type ReviewKeyset,
  type ReviewSort,
} from '../queries.ts';
import { biasedItemId } from '../workload.ts';

const TARGET_P99_MS = 5;

try {
  const values = parseCliArgs(
    process.argv.slice(2),
    { runs: { type: 'string', default: '2000' }, warmup: { type: 'string', default: '200' } },
    'usage: npm run bench:db -- [--runs N] [--warmup N]',
  );
  const options = { runs: parseCount(values.runs, '--runs'), warmup: parseCount(values.warmup, '--warmup') };
  const prisma = createPrismaClient(databaseUrlFromEnv(), { poolSize: 1 });
  try {
    const bounds = await prisma.item.aggregate({ _max: { id: true }, _count: true });
    const maxId = bounds._max.id;
    if (!maxId) throw new Error('no items: load some with npm run db:seed -- --items N');
    const categories = (await prisma.item.groupBy({ by: ['category'], where: { id: { gt: maxId - 2000 } } })).map(
      (row) => row.category,
    );
    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
    const id = () => biasedItemId(maxId);

    // a second page needs a cursor from a first page: take it from an item with enough reviews
    const secondPage = async (sort: ReviewSort) => {
      for (;;) {
        const itemId = id();
        const [first] = await reviewPages(prisma, [itemId], { first: 3, sort });
        if (first && first.length > 3) {
          const after: ReviewKeyset = reviewKeyset(first[2]!, sort);
          return () => reviewPages(prisma, [itemId], { first: 3, sort, after });
        }
      }
    };

    const queries: [string, () => Promise<() => Promise<unknown>>][] = [
      [
        'item by id',
        async () => {
          const key = id();
          return () => itemsByIds(prisma, [key]);
        },
      ],
      [
        'items by id, batch of 20',
        async () => {
          const keys = Array.from({ length: 20 }, id);
          return () => itemsByIds(prisma, keys);
        },
      ],
      ...REVIEW_SORTS.map((sort): [string, () => Promise<() => Promise<unknown>>] => [
        `reviews page 1, ${sort}`,
        async () => {
          const key = id();
          return () => reviewPages(prisma, [key], { first: 10, sort });
        },
      ]),
      ...REVIEW_SORTS.map((sort): [string, () => Promise<() => Promise<unknown>>] => [
        `reviews page 2 (keyset), ${sort}`,
        () => secondPage(sort),
      ]),
      [
        'reviews page 1, batch of 20 items',
        async () => {
          const keys = Array.from({ length: 20 }, id);
          return () => reviewPages(prisma, keys, { first: 10, sort: 'NEWEST' });
        },
      ],
      [
        'review summary',
        async () => {
          const key = id();
          return () => reviewSummaries(prisma, [key]);
        },
      ],
      [
        'review summaries, batch of 20',
        async () => {
          const keys = Array.from({ length: 20 }, id);
          return () => reviewSummaries(prisma, keys);
        },
      ],
      [
        'photos of an item',
        async () => {
          const key = id();
          return () => photosOfItems(prisma, [key], { first: 12 });
        },
      ],
      [
        'photos, batch of 20 items',
        async () => {
          const keys = Array.from({ length: 20 }, id);
          return () => photosOfItems(prisma, keys, { first: 12 });
        },
      ],
      ['items page 1 (newest)', async () => () => itemsPage(prisma, { first: 20 })],
      [
        'items by category, page 1',
        async () => {
          const category = pick(categories);
          return () => itemsPage(prisma, { first: 20, category });
        },
      ],
      [
        'items by category, deep page (keyset)',
        async () => {
          const category = pick(categories);
          const after = id();
          return () => itemsPage(prisma, { first: 20, category, after });
        },
      ],
    ];

    console.log(
      `bench:db on ${bounds._count} items (max id ${maxId}), ${options.runs} runs per query after ${options.warmup} warm-up, one connection, ids biased to the newest 10%`,
    );
    console.log(
      `${'query'.padEnd(40)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}  p99 < ${TARGET_P99_MS} ms`,
    );
    let failures = 0;
    for (const [name, prepare] of queries) {
      const samples: number[] = [];
      for (let run = 0; run < options.warmup + options.runs; run++) {
        const execute = await prepare();
        const start = performance.now();
        await execute();
        if (run >= options.warmup) samples.push(performance.now() - start);
      }
      samples.sort((a, b) => a - b);
      const p99 = percentile(samples, 99);
      if (p99 >= TARGET_P99_MS) failures++;
      console.log(
        `${name.padEnd(40)} ${percentile(samples, 50).toFixed(2).padStart(8)} ${p99.toFixed(2).padStart(8)} ${samples.at(-1)!.toFixed(2).padStart(8)}  ${p99 < TARGET_P99_MS ? 'yes' : 'NO'}`,
      );
    }
    console.log(failures ? `${failures} quer${failures === 1 ? 'y' : 'ies'} over target` : 'every query within target');
  } finally {
    await prisma.$disconnect();
  }
} catch (error) {
  console.error(`bench:db: ${(error as Error).message}`);
  process.exitCode = 1;
}
