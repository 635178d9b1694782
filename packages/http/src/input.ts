import { z } from 'zod';
import { badInput, type FieldProblem } from './errors.ts';
import { isIdText, MAX_ID } from './ids.ts';

/**
 * Input rules shared by the GraphQL resolvers and the REST routes, so both protocols accept and
 * reject exactly the same things with the same messages.
 */

/** A record id from a GraphQL `ID` or a URL segment: a positive 32-bit integer. */
export function parseId(raw: unknown, name = 'id'): number {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !isIdText(text)) {
    throw badInput(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(text);
}

/** A page size between 1 and `max`, or `fallback` when absent. */
export function parseFirst(raw: unknown, fallback: number, max = 100): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw badInput(`first must be between 1 and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** An opaque page cursor: base64url of a small JSON object. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor} and checks its shape with `schema`. */
export function decodeCursor<S extends z.ZodTypeAny>(raw: unknown, schema: S): z.output<S> | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw badInput(`after must be a cursor from a previous page, got ${JSON.stringify(raw)}`);
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badInput(`after must be a cursor from a previous page, got ${JSON.stringify(raw)}`);
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) throw badInput(`after is not a cursor for this list, got ${JSON.stringify(raw)}`);
  return parsed.data as z.output<S>;
}

/** Validates `value` with a zod schema; a 400 / BAD_USER_INPUT listing every bad field otherwise. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown, what = 'input'): z.output<S> {
  const parsed = schema.safeParse(value ?? undefined);
  if (parsed.success) return parsed.data as z.output<S>;
  const errors: FieldProblem[] = parsed.error.issues.map((issue) => ({
    field: issue.path.join('.') || what,
    message: issue.message,
  }));
  const summary = errors.map((error) => (error.field === what ? error.message : `${error.field}: ${error.message}`));
  throw badInput(`invalid ${what}: ${summary.join('; ')}`, errors);
}

/**
 * Where a text field may break lines: `one` (a title, a name, a URL) takes no control character
 * at all, `many` (a review's body, a description) takes tab, LF and CR and no other.
 */
export type TextLines = 'one' | 'many';

// the Unicode control characters (U+0000-U+001F, U+007F-U+009F): U+0000 fails a write on
// Postgres (a 500) and is stored on MariaDB, the others are escape codes to a terminal or a log
const LINE_OF_TEXT = /^\P{Cc}*$/u;
const LINES_OF_TEXT = /^(?:[\t\n\r]|\P{Cc})*$/u;

/** A string without the control characters `lines` refuses, checked before anything trims it. */
function plainText(lines: TextLines) {
  return z
    .string({ invalid_type_error: 'must be a string' })
    .regex(
      lines === 'one' ? LINE_OF_TEXT : LINES_OF_TEXT,
      lines === 'one'
        ? 'must not contain control characters (U+0000-U+001F, U+007F-U+009F)'
        : 'must not contain control characters but tab, LF and CR',
    );
}

/** A string of at most `max` characters, possibly empty, without control characters (see {@link TextLines}). */
export function text(max: number, lines: TextLines = 'one') {
  return plainText(lines).max(max, `must be at most ${max} characters`);
}

/** A required, trimmed string of at most `max` characters, without control characters (see {@link TextLines}). */
export function requiredText(max: number, lines: TextLines = 'one') {
  return plainText(lines).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
}

/** A whole number in 0..2^31-1, the range of the database's integer columns. */
export const nonNegativeInt = z
  .number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be >= 0')
  .max(MAX_ID, `must be <= ${MAX_ID}`);

/**
 * GraphQL passes `null` for an optional input field a client set to null; writes treat it as
 * "not given" (a column can't be nulled through the API), so those keys are dropped first.
 */
export function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}
