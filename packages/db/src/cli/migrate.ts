// npm run db:migrate: applies prisma/migrations to DATABASE_URL.
import { connect, databaseUrlFromEnv, redactUrl } from '../connection.ts';
import { migrate } from '../migrate.ts';

try {
  const url = databaseUrlFromEnv();
  const client = await connect(url);
  try {
    const result = await migrate(client, { log: (line) => console.log(line) });
    const summary = result.applied.length ? `applied ${result.applied.length} migration(s)` : 'database is up to date';
    console.log(`${summary}; ${result.alreadyApplied.length} already applied (${redactUrl(url)})`);
  } finally {
    await client.end();
  }
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exitCode = 1;
}
