import { GraphQLScalarType, Kind } from 'graphql';

/** ISO 8601 timestamps. */
export const DateTimeScalar = new GraphQLScalarType<Date | null, string>({
  name: 'DateTime',
  description: 'An ISO 8601 timestamp in UTC, e.g. 2026-11-23T10:15:00.000Z',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseDate(ast.value) : null),
});

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new TypeError(`DateTime must be an ISO 8601 string, got ${JSON.stringify(value)}`);
  return date;
}
