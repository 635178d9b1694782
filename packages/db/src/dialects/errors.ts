import type { DatabaseKind } from '@supergraph-lab/config';

/**
 * What each database's driver throws when the database is down or a statement outran its
 * timeout, mapped to 503s by packages/http (`classifyError`), beside Prisma's own codes and the
 * sockets' (ECONNREFUSED...), which are the same on every database. A table of its own, not a
 * field of the dialects: http reads it in every service, the gateway too, which opens no database
 * and should not load the drivers.
 */
export interface DriverErrors {
  /** Codes of a database that is down, restarting or cut off. */
  unavailable: readonly string[];
  /** Messages that say so where the driver gives no code. */
  unavailableMessage: RegExp;
  /** Codes of a statement cancelled by the statement timeout (the request deadline) or for an abandoned request. */
  statementTimeout: readonly string[];
}

export const DRIVER_ERRORS: Record<DatabaseKind, DriverErrors> = {
  postgres: {
    unavailable: ['57P01', '57P03', '08006', '08001', '08003'],
    unavailableMessage:
      /connection terminated|timeout exceeded when trying to connect|is not queryable|database system is (starting up|shutting down)/i,
    // query_canceled
    statementTimeout: ['57014'],
  },
  mariadb: {
    // no connection within the pool's timeout, a connection lost or refused
    unavailable: [
      'ER_GET_CONNECTION_TIMEOUT',
      'ER_CONNECTION_TIMEOUT',
      'ER_SOCKET_UNEXPECTED_CLOSE',
      'ER_CMD_CONNECTION_CLOSED',
      'ER_CONNECTION_ALREADY_CLOSED',
    ],
    unavailableMessage:
      /pool timeout: failed to retrieve a connection|socket has unexpectedly been closed|Connection timeout: failed to create socket/i,
    // max_statement_time exceeded
    statementTimeout: ['ER_STATEMENT_TIMEOUT'],
  },
};
