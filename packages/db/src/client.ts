import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export { PrismaClient };
export type { Item, Photo, Review } from './generated/prisma/client.ts';

/** Options for {@link createPrismaClient}. */
export interface PrismaOptions {
  /** Connections in the pool (node-postgres `max`). */
  poolSize?: number;
  /** Give up on opening a connection after this long, so a down database fails fast. */
  connectTimeoutMs?: number;
}

/** Prisma Client on the node-postgres driver adapter: no query-engine binary involved. */
export function createPrismaClient(url: string, options: PrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  return new PrismaClient({ adapter });
}
