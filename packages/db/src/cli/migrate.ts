// npm run db:migrate: applies prisma/migrations to DATABASE_URL (postgresql://), or
// prisma/mariadb/migrations to a MariaDB one (mysql://).
import { databaseKindOf } from '@supergraph-lab/config';
import { connect, connectMariaDb, databaseUrlFromEnv, redactUrl } from '../connection.ts';
import { migrate, migrateMariaDb, type MigrateResult } from '../migrate.ts';

try {
  const url = databaseUrlFromEnv();
  const log = (line: string) => console.log(line);
  let result: MigrateResult;
  if (databaseKindOf(url) === 'mariadb') {
    const connection = await connectMariaDb(url);
    try {
      result = await migrateMariaDb(connection, { log });
    } finally {
      await connection.end();
    }
  } else {
    const client = await connect(url);
    try {
      result = await migrate(client, { log });
    } finally {
      await client.end();
    }
  }
  const summary = result.applied.length ? `applied ${result.applied.length} migration(s)` : 'database is up to date';
  console.log(`${summary}; ${result.alreadyApplied.length} already applied (${redactUrl(url)})`);
} catch (error) {
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exitCode = 1;
}
