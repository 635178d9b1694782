// The browser bundles (the hydrating client, the SPA), built with esbuild in the
// service itself: no build step before npm start.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { buildSync } from 'esbuild';

/**
 * The single-page app renders the same React components on Preact's compatible runtime: React
 * and react-dom are 60 kB of the 73 kB a visitor downloads before seeing anything, Preact about
 * 5 kB. The hydrating client stays on React (hydration must match the server's React exactly).
 */
export const PREACT = {
  react: 'preact/compat',
  'react-dom': 'preact/compat',
  'react-dom/client': 'preact/compat/client',
  'react/jsx-runtime': 'preact/jsx-runtime',
};

/**
 * A browser bundle, built once with esbuild when the service is created; named by its hash and
 * served under `options.prefix` (default `/assets`). `entry` is relative to this folder or absolute.
 */
export function buildBundle(
  entry: string,
  name: string,
  options: { alias?: Record<string, string>; prefix?: string } = {},
): { path: string; code: string } {
  const result = buildSync({
    ...(options.alias ? { alias: options.alias } : {}),
    entryPoints: [path.resolve(import.meta.dirname, entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    jsx: 'automatic',
    target: 'es2020',
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const code = result.outputFiles[0]!.text;
  return {
    path: `${options.prefix ?? '/assets'}/${name}-${createHash('sha256').update(code).digest('hex').slice(0, 12)}.js`,
    code,
  };
}

/** A bundle's bytes as sent: brotli or gzip, and which. */
export interface EncodedBundle {
  encoding: 'br' | 'gzip';
  bytes: Buffer;
}

/**
 * A bundle compressed once, brotli at its best quality and gzip at its best level, off the event
 * loop, instead of for every visitor: per request, @fastify/compress spent 2.7 ms of CPU (brotli
 * at quality 4) or 4.3 ms (gzip) on the 229 kB hydration bundle, more than rendering a page, for
 * 71.8 kB; at quality 11 it is 61.4 kB. The work starts with the first request for the bundle, so
 * a service that never sends it (a benchmark's, a test's) never pays it; until both are ready
 * (about 0.3 s), `pick` answers null and the bundle goes out as before.
 */
export function precompressed(code: string): { pick(acceptEncoding: string | undefined): EncodedBundle | null } {
  const ready: Partial<Record<EncodedBundle['encoding'], Buffer>> = {};
  let started = false;
  const start = () => {
    started = true;
    const raw = Buffer.from(code);
    void promisify(brotliCompress)(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }).then((bytes) => (ready.br = bytes));
    void promisify(gzip)(raw, { level: constants.Z_BEST_COMPRESSION }).then((bytes) => (ready.gzip = bytes));
  };
  return {
    pick(acceptEncoding) {
      if (!started) start();
      const accepted = acceptedEncodings(acceptEncoding);
      for (const encoding of ['br', 'gzip'] as const) {
        const bytes = ready[encoding];
        if (bytes && accepted.has(encoding)) return { encoding, bytes };
      }
      return null;
    },
  };
}

/** The encodings an Accept-Encoding header allows (those it names without `q=0`). */
function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    const refused = parameters.some((parameter) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(parameter));
    if (name && !refused) accepted.add(name.trim());
  }
  return accepted;
}
