import pg from 'pg';

/** A failure to reach the database, with a one-line message that names where and why. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** `DATABASE_URL`, required by the command-line tools; a clear error when it is missing or malformed. */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (!url) throw new ConnectionError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)');
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new ConnectionError(`DATABASE_URL must start with postgresql://, got ${redactUrl(url)}`);
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
