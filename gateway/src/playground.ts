import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderPlaygroundPage } from '@apollographql/graphql-playground-html';
import type { FastifyInstance } from 'fastify';

/**
 * GraphQL Playground without internet: the page from graphql-playground-html, its React bundle
 * and styles served from node_modules instead of a CDN, and its web-font link removed.
 */

const ASSET_PREFIX = '/playground';
const require = createRequire(import.meta.url);
const BUILD_DIR = path.join(path.dirname(require.resolve('graphql-playground-react/package.json')), 'build');

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** The Playground page pointed at `endpoint`, referencing only this server. */
export function renderPlayground(endpoint = '/graphql'): string {
  const html = renderPlaygroundPage({
    endpoint,
    cdnUrl: ASSET_PREFIX,
    title: 'supergraph-lab · GraphQL Playground',
    settings: { 'request.credentials': 'same-origin', 'tracing.hideTracingResponse': true } as never,
  });
  // the only remote reference left is a Google Fonts stylesheet; system fonts do fine
  return html.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '');
}

/** Where the page (Apollo's build of it) asks for the bundle, below ASSET_PREFIX. */
const BUNDLE_PATH = `${ASSET_PREFIX}/@apollographql/graphql-playground-react/build`;

/** Serves the graphql-playground-react bundle where the page asks for it. */
export function registerPlaygroundAssets(app: FastifyInstance): void {
  app.get(`${BUNDLE_PATH}/*`, async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const file = path.resolve(BUILD_DIR, relative);
    if (!file.startsWith(BUILD_DIR + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      return reply.callNotFound();
    }
    reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream');
    // the bundle is versioned with the installed package: cache it hard
    reply.header('cache-control', 'public, max-age=86400');
    return reply.send(createReadStream(file));
  });
}
