// The REST cache's keys: from the parameters the owner's route reads, normalised, so a client
// cannot make a new key (and a new entry) with parameters the answer does not depend on.
import { layerKey } from '@supergraph-lab/cache';

/** A parameter a list route reads, with how its spellings of one value are made one. */
interface Parameter {
  name: string;
  /** The value it has when absent or empty (docs/contract.md's defaults), left out of the key. */
  fallback?: string;
  canonical?: (value: string) => string;
}

// the owner's rules (packages/http input.ts): a page size is a whole number, a category is trimmed
const first = (fallback: number): Parameter => ({
  name: 'first',
  fallback: String(fallback),
  canonical: (value) => (/^\d{1,15}$/.test(value) ? String(Number(value)) : value),
});
const after: Parameter = { name: 'after', canonical: canonicalCursor };

/** The list routes and what they read (docs/contract.md, "REST compatibility"); every other GET reads its path alone. */
const LIST_ROUTES: readonly [RegExp, readonly Parameter[]][] = [
  [/^\/api\/items$/, [first(20), after, { name: 'category', canonical: (value) => value.trim() || value }]],
  [/^\/api\/items\/[^/]+\/reviews$/, [first(10), after, { name: 'sort', fallback: 'NEWEST' }]],
  [/^\/api\/items\/[^/]+\/photos$/, [first(12)]],
];

/**
 * The REST cache's key for a GET of `path` with `query` as Fastify parsed it (the owner parses
 * it the same way): the path with each segment spelled one way, then the route's own parameters in its order, each spelled one
 * way, those at their default left out. Unknown parameters are not part of it (the owner
 * ignores them); a parameter given twice keeps every value (the owner refuses it, so its answer
 * is never stored).
 */
export function restCacheKey(path: string, query: Record<string, string | string[] | undefined>): string {
  const canonicalPath = path.split('/').map(canonicalSegment).join('/');
  const parameters = LIST_ROUTES.find(([pattern]) => pattern.test(canonicalPath))?.[1] ?? [];
  const parts: string[] = [];
  for (const { name, fallback, canonical } of parameters) {
    const raw = query[name];
    if (raw === undefined || raw === '') continue;
    const value = Array.isArray(raw) ? JSON.stringify(raw) : canonical ? canonical(raw) : raw;
    if (value !== fallback) parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  return layerKey('rest', parts.length ? `${canonicalPath}?${parts.join('&')}` : canonicalPath);
}

/** A path segment spelled one way (`1%30` is `10` to the owner's router; `%2F` stays inside its segment). */
function canonicalSegment(segment: string): string {
  try {
    return encodeURIComponent(decodeURIComponent(segment));
  } catch {
    return segment;
  }
}

/**
 * A page cursor (base64url of a small JSON object, packages/http input.ts) spelled one way: its
 * JSON with sorted keys, so every spelling the owner reads as the same keyset is one key. One the
 * owner would refuse is left as it is: it is answered 400, never stored.
 */
function canonicalCursor(value: string): string {
  if (value.length > 200 || !/^[A-Za-z0-9_-]+$/.test(value)) return value;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded)) return value;
    const sorted = Object.fromEntries(Object.entries(decoded).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return Buffer.from(JSON.stringify(sorted)).toString('base64url');
  } catch {
    return value;
  }
}
