// npm run db:migrate: applies prisma/migrations to DATABASE_URL (postgresql://), or
// prisma/mariadb/migrations to a MariaDB one (mysql://). With --check, applies nothing: exits 0
// when every migration is applied, 1 naming the pending ones (deploy/k8s's pods wait on it).
import { parseCliArgs, redactUrl } from '@supergraph-lab/config';
import { databaseUrlFromEnv } from '../connection.ts';
import { migrateDatabase, pendingMigrations } from '../migrate.ts';

try {
  const { check } = parseCliArgs(process.argv.slice(2), { check: { type: 'boolean' } }, 'usage: db:migrate [--check]');
  const url = databaseUrlFromEnv();
  if (check) {
    const pending = await pendingMigrations(url);
    console.log(
      pending.length ? `${pending.length} migration(s) pending: ${pending.join(', ')}` : 'database is up to date',
    );
    process.exit(pending.length ? 1 : 0);
  }
  const result = await migrateDatabase(url, { log: (line) => console.log(line) });
  const summary = result.applied.length ? `applied ${result.applied.length} migration(s)` : 'database is up to date';
  console.log(`${summary}; ${result.alreadyApplied.length} already applied (${redactUrl(url)})`);
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exitCode = 1;
}
