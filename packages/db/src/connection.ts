import mariadb from 'mariadb';
import pg from 'pg';

/** A failure to reach the database, with a one-line message that names where and why. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/**
 * `DATABASE_URL`, required by the command-line tools; a clear error when it is missing or
 * malformed. A mysql:// (MariaDB) URL only where the tool says it takes one (`mariadb`): so far
 * `db:migrate`; the services, the loader and the benchmarks run on Postgres.
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env, options: { mariadb?: boolean } = {}): string {
  const url = env.DATABASE_URL;
  if (!url) throw new ConnectionError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)');
  if (options.mariadb && /^(mysql|mariadb):\/\//.test(url)) return url;
  if (/^(mysql|mariadb):\/\//.test(url)) {
    throw new ConnectionError(
      `DATABASE_URL names MariaDB (${redactUrl(url)}): only db:migrate takes it so far; this runs on postgresql://`,
    );
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConnectionError(
      `DATABASE_URL must start with postgresql://${options.mariadb ? ' or mysql://' : ''}, got ${redactUrl(url)}`,
    );
  }
  return url;
}

/** The URL without its password, fit for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Opens one connection, failing within `timeoutMs` with a one-line `ConnectionError`. */
export async function connect(url: string, timeoutMs = 5000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new ConnectionError(`cannot connect to ${redactUrl(url)}: ${err.message || err.code || 'unknown error'}`);
  }
  // An idle client's socket error would otherwise crash the process; the next query reports it.
  client.on('error', () => {});
  return client;
}

/**
 * Opens one connection to MariaDB from a mysql:// (or mariadb://) URL, able to run a migration
 * file's several statements, failing within `timeoutMs` with a one-line `ConnectionError`.
 */
export async function connectMariaDb(url: string, timeoutMs = 5000): Promise<mariadb.Connection> {
  const parsed = new URL(url);
  try {
    return await mariadb.createConnection({
      host: parsed.hostname,
      port: Number(parsed.port || 3306),
      user: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
      connectTimeout: timeoutMs,
      multipleStatements: true,
    });
  } catch (error) {
    throw new ConnectionError(`cannot connect to ${redactUrl(url)}: ${(error as Error).message}`);
  }
}
