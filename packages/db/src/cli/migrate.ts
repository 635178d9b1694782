// npm run db:migrate: applies prisma/migrations to DATABASE_URL (postgresql://), or
// prisma/mariadb/migrations to a MariaDB one (mysql://).
import { redactUrl } from '@supergraph-lab/config';
import { databaseUrlFromEnv } from '../connection.ts';
import { migrateDatabase } from '../migrate.ts';

try {
  const url = databaseUrlFromEnv();
  const result = await migrateDatabase(url, { log: (line) => console.log(line) });
  const summary = result.applied.length ? `applied ${result.applied.length} migration(s)` : 'database is up to date';
  console.log(`${summary}; ${result.alreadyApplied.length} already applied (${redactUrl(url)})`);
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exitCode = 1;
}
