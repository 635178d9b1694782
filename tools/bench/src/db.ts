// npm run bench:db [-- --runs N --warmup N --compare URL]: times each query the API runs on the
// loaded data at DATABASE_URL; with --compare, on a second database too (Postgres beside MariaDB,
// holding the same data set), each query on one then the other, side by side.
import {
  databaseKindOf,
  databaseUrlForms,
  databaseUrlPattern,
  parseCliArgs,
  parseCount,
  redactUrl,
  UsageError,
} from '@supergraph-lab/config';
import { percentile } from '@supergraph-lab/timing/stats';
import {
  createPrismaClient,
  databaseUrlFromEnv,
  biasedItemId,
  type PrismaClient,
  itemsByIds,
  itemsPage,
  photosOfItems,
  REVIEW_SORTS,
  reviewKeyset,
  reviewPages,
  reviewSummaries,
  type ReviewKeyset,
  type ReviewSort,
} from '@supergraph-lab/db';

const TARGET_P99_MS = 5;

const USAGE = 'usage: npm run bench:db -- [--runs N] [--warmup N] [--compare postgresql://... | mysql://...]';

type Query = [name: string, prepare: () => Promise<() => Promise<unknown>>];

/** The query set, on one database holding items up to `maxId`. */
async function querySet(prisma: PrismaClient, maxId: number): Promise<Query[]> {
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

  // a read of `count` item ids, drawn afresh before each run
  const drawn =
    (count: number) =>
    (read: (keys: number[]) => Promise<unknown>): Query[1] =>
    async () => {
      const keys = Array.from({ length: count }, id);
      return () => read(keys);
    };
  const [one, twenty] = [drawn(1), drawn(20)];

  return [
    ['item by id', one((keys) => itemsByIds(prisma, keys))],
    ['items by id, batch of 20', twenty((keys) => itemsByIds(prisma, keys))],
    ...REVIEW_SORTS.map((sort): Query => [
      `reviews page 1, ${sort}`,
      one((keys) => reviewPages(prisma, keys, { first: 10, sort })),
    ]),
    ...REVIEW_SORTS.map((sort): Query => [`reviews page 2 (keyset), ${sort}`, () => secondPage(sort)]),
    ['reviews page 1, batch of 20 items', twenty((keys) => reviewPages(prisma, keys, { first: 10, sort: 'NEWEST' }))],
    ['review summary', one((keys) => reviewSummaries(prisma, keys))],
    ['review summaries, batch of 20', twenty((keys) => reviewSummaries(prisma, keys))],
    ['photos of an item', one((keys) => photosOfItems(prisma, keys, { first: 12 }))],
    ['photos, batch of 20 items', twenty((keys) => photosOfItems(prisma, keys, { first: 12 }))],
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
}

/** The items a database holds: its count and largest id. */
async function scaleOf(prisma: PrismaClient): Promise<{ count: number; maxId: number }> {
  const bounds = await prisma.item.aggregate({ _max: { id: true }, _count: true });
  if (!bounds._max.id) throw new Error('no items: load some with npm run db:seed -- --items N');
  return { count: bounds._count, maxId: bounds._max.id };
}

/** Runs a query `warmup + runs` times, each with fresh arguments; the timed runs, sorted. */
async function time(prepare: Query[1], options: { runs: number; warmup: number }): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < options.warmup + options.runs; run++) {
    const execute = await prepare();
    const start = performance.now();
    await execute();
    if (run >= options.warmup) samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

try {
  const values = parseCliArgs(
    process.argv.slice(2),
    {
      runs: { type: 'string', default: '2000' },
      warmup: { type: 'string', default: '200' },
      compare: { type: 'string' },
    },
    USAGE,
  );
  const options = { runs: parseCount(values.runs, '--runs'), warmup: parseCount(values.warmup, '--warmup') };
  // the options first: a bad one is refused (exit 2) whatever the environment holds
  if (values.compare !== undefined && !databaseUrlPattern().test(values.compare))
    throw new UsageError(`--compare takes a ${databaseUrlForms()} URL, got "${redactUrl(values.compare)}"; ${USAGE}`);
  const urls = [databaseUrlFromEnv(), ...(values.compare === undefined ? [] : [values.compare])];
  const clients = urls.map((url) => createPrismaClient(url, { poolSize: 1 }));
  try {
    const scales = await Promise.all(clients.map(scaleOf));
    if (scales.some((scale) => scale.maxId !== scales[0]!.maxId || scale.count !== scales[0]!.count)) {
      throw new Error(
        `the databases hold different data sets (${scales.map((s, i) => `${s.count} items up to id ${s.maxId} at ${redactUrl(urls[i]!)}`).join('; ')}): ` +
          'load the same --items and --seed into both',
      );
    }
    const { count, maxId } = scales[0]!;
    const sets = await Promise.all(clients.map((prisma) => querySet(prisma, maxId)));
    const kinds = urls.map((url) => databaseKindOf(url));
    console.log(
      `bench:db on ${count} items (max id ${maxId}) in ${kinds.join(' and ')}, ${options.runs} runs per query after ${options.warmup} warm-up, one connection, ids biased to the newest 10%`,
    );
    const columns = kinds.map((kind) => `${`${kind} p50`.padStart(14)} ${'p99 ms'.padStart(8)} ${'max'.padStart(7)}`);
    console.log(`${'query'.padEnd(38)} ${columns.join('  ')}  p99 < ${TARGET_P99_MS} ms`);
    let failures = 0;
    for (const [index, [name]] of sets[0]!.entries()) {
      const cells: string[] = [];
      let within = true;
      for (const set of sets) {
        const samples = await time(set[index]![1], options);
        const p99 = percentile(samples, 99);
        if (p99 >= TARGET_P99_MS) within = false;
        cells.push(
          `${percentile(samples, 50).toFixed(2).padStart(14)} ${p99.toFixed(2).padStart(8)} ${samples.at(-1)!.toFixed(1).padStart(7)}`,
        );
      }
      if (!within) failures++;
      console.log(`${name.padEnd(38)} ${cells.join('  ')}  ${within ? 'yes' : 'NO'}`);
    }
    console.log(failures ? `${failures} quer${failures === 1 ? 'y' : 'ies'} over target` : 'every query within target');
  } finally {
    await Promise.all(clients.map((prisma) => prisma.$disconnect()));
  }
} catch (error) {
  console.error(`bench:db: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
