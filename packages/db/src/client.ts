import type { DatabaseKind } from '@supergraph-lab/config';
import type { Cancellation } from '@supergraph-lab/timing';
import type { Dialect, PrismaOptions, Reader, Statement } from './dialects/dialect.ts';
import { dialectOf } from './dialects/index.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

export { PrismaClient } from './generated/prisma/client.ts';
export type { Item, Photo, Review } from './generated/prisma/client.ts';
export type { PrismaOptions, Statement };

/**
 * Prisma Client on the database DATABASE_URL names, by its scheme (`dialectOf`): a driver
 * adapter on a pool of that database's driver, no query-engine binary.
 *
 * Every dialect's client is typed as the Postgres schema's: the other schemes declare the same
 * models field for field, so their generated clients have the same model API (the one cast is in
 * each dialect, and `packages/db/test/queries.test.ts` runs the API's reads and writes on each).
 */
export function createPrismaClient(url: string, options: PrismaOptions = {}): PrismaClient {
  const dialect = dialectOf(url);
  const { client, reader } = dialect.createClient(url, options);
  clients.set(client, { dialect, reader });
  return client;
}

const clients = new WeakMap<PrismaClient, { dialect: Dialect; reader: Reader }>();

/**
 * Runs a hot read on the pool under the client's driver adapter: the same connections, one
 * round trip, and a statement the database prepares once per connection instead of parsing and
 * planning it on every page. Prisma's `$queryRaw` on the same statement costs about 0.15 ms more
 * CPU per call in its query engine (docs/benchmarks.md, "CPU per page"); the writes and the filtered listing
 * stay on Prisma's query builder.
 *
 * With the request's `cancellation`, the read of a request that was abandoned is not sent, even
 * when it was abandoned while waiting for a connection: it rejects with the cancellation's
 * reason. A statement already running is left to finish (these take about a millisecond; a
 * cancel costs the server a new connection), bounded by the pool's statement timeout.
 */
export function readRows<Row>(
  client: PrismaClient,
  statement: Statement,
  values: unknown[],
  cancellation?: Cancellation | null,
): Promise<Row[]> {
  const reader = clients.get(client)?.reader;
  if (!reader) throw new Error("readRows needs a client made by createPrismaClient (it runs on that client's pool)");
  return reader.read<Row>(statement, values, cancellation);
}

/** The dialect of a client made by {@link createPrismaClient} (Postgres's for any other). */
export function dialectOfClient(client: PrismaClient): Dialect {
  return clients.get(client)?.dialect ?? dialectOf(undefined);
}

/** The database a client made by {@link createPrismaClient} runs on. */
export function databaseOf(client: PrismaClient): DatabaseKind {
  return dialectOfClient(client).kind;
}

/** Connections of a client's pool: open, idle, and requests waiting for one (for /metrics). */
export function poolStats(client: PrismaClient): { total: number; idle: number; waiting: number } | null {
  return clients.get(client)?.reader.stats() ?? null;
}
