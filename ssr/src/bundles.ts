// The browser bundles (the hydrating client, the SPA, the lab's UI), built with esbuild in the
// service itself: no build step before npm start.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { buildSync } from 'esbuild';

/** A browser bundle, built once with esbuild when the service is created; named by its hash. */
export function buildBundle(entry: string, name: string): { path: string; code: string } {
  const result = buildSync({
    entryPoints: [path.join(import.meta.dirname, entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    jsx: 'automatic',
    target: 'es2020',
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const code = result.outputFiles[0]!.text;
  return { path: `/assets/${name}-${createHash('sha256').update(code).digest('hex').slice(0, 12)}.js`, code };
}
