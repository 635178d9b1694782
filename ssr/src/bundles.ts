// The browser bundles (the hydrating client, the SPA, the lab's UI), built with esbuild in the
// service itself: no build step before npm start.
import { createHash } from 'node:crypto';
import path from 'node:path';
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

/** A browser bundle, built once with esbuild when the service is created; named by its hash. */
export function buildBundle(
  entry: string,
  name: string,
  options: { alias?: Record<string, string> } = {},
): { path: string; code: string } {
  const result = buildSync({
    ...(options.alias ? { alias: options.alias } : {}),
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
