import { createHash } from 'node:crypto';
import path from 'node:path';
import { buildSync } from 'esbuild';
import compress from '@fastify/compress';
import { PassThrough, Transform } from 'node:stream';
import {
  createCacheStore,
  currentEntry,
  keepEntry,
  layerKey,
  type CacheStore,
  type Dependencies,
  type LayerStats,
} from '@supergraph-lab/cache';
import type { Config } from '@supergraph-lab/config';
import { createPrismaClient } from '@supergraph-lab/db';
import {
  cacheLookupsMetric,
  createHttpServer,
  listenUrl,
  sendProblem,
  toProblem,
  unavailable,
} from '@supergraph-lab/http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ReactNode } from 'react';
import { renderToPipeableStream, renderToStaticMarkup } from 'react-dom/server';
import { Agent, request as undiciRequest } from 'undici';
import { graphqlSource, PageError, restSource, type PageData, type PageSource } from './data.ts';
import { Document, ErrorPage, ItemPage, LoadingPage } from './page.tsx';
import { pageHead, parsePageRequest, type PageRequest } from './page-data.ts';
import { STYLES } from './styles.ts';
import { serializeState } from './state.ts';
import { LabDocument } from './lab/document.tsx';
import { applyStackSettings, registerLabRoutes } from './lab/routes.ts';
import { LabRunner } from './lab/runner.ts';

export { serializeState };

export interface SsrService {
  app: FastifyInstance;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface SsrOptions {
  /** Where the gateway is (GraphQL and the REST routes); default http://127.0.0.1:GATEWAY_PORT. */
  gatewayUrl?: string;
}

interface CachedPage {
  html: string;
}

/**
 * Streams a React tree as a complete HTML document with `status`; `onHtml` gets the whole
 * document once it has streamed (for the page cache).
 */
function stream(
  reply: FastifyReply,
  status: number,
  tree: ReactNode,
  onHtml?: (html: string) => void,
): Promise<FastifyReply> {
  const timing = reply.request.timing;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // records what passes on its way to the client, without taking it from the reply
    const body = onHtml
      ? new Transform({
          transform(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done(null, chunk);
          },
          flush(done) {
            onHtml(Buffer.concat(chunks).toString('utf8'));
            done();
          },
        })
      : new PassThrough();
    const { pipe } = renderToPipeableStream(tree, {
      onShellReady() {
        timing?.add('render', performance.now() - started);
        reply.code(status).type('text/html; charset=utf-8');
        pipe(body);
        resolve(reply.send(body));
      },
      onShellError(error) {
        reject(error);
      },
    });
  });
}

function errorPage(reply: FastifyReply, status: number, message: string): Promise<FastifyReply> {
  if (status === 503) reply.header('retry-after', '5');
  return stream(
    reply,
    status,
    <Document
      title={`${status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Unavailable'} | supergraph shop`}
      description={message}
      styles={STYLES}
    >
      <ErrorPage status={status} message={message} />
    </Document>,
  );
}

/** A browser bundle, built once with esbuild when the service is created; named by its hash. */
function buildBundle(entry: string, name: string): { path: string; code: string } {
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

/** A placeholder image for a generated photo URL: a calm colour from its hash, at its size. */
export function placeholderSvg(path: string): string | null {
  const match = /^products\/[0-9a-f]{2}\/([0-9a-f]{16})_(\d{2,4})x(\d{2,4})\.svg$/.exec(path);
  if (!match) return null;
  const [, hash, width, height] = match;
  const hue = parseInt(createHash('sha1').update(hash!).digest('hex').slice(0, 4), 16) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="hsl(${hue} 35% 82%)"/><circle cx="50%" cy="45%" r="${Math.round(Number(width) / 6)}" fill="hsl(${hue} 35% 68%)"/></svg>`;
}

/**
 * The single-page app's shell: the same document and styles as a server-rendered page, a
 * loading frame, and the bundle; no data, so one string serves every item.
 */
function spaShell(bundlePath: string): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(
    <Document title="supergraph shop" description="An item of the supergraph shop" styles={STYLES}>
      <div id="app">
        <LoadingPage />
      </div>
      <script type="module" src={bundlePath} />
    </Document>,
  )}`;
}

/**
 * The SSR service: `GET /items/:id` renders the item page with React on the server from one
 * GraphQL query to the gateway (`?source=rest`: from the REST routes, in parallel).
 * `GET /spa/items/:id` is the same page as a single-page app: a static shell whose bundle
 * fetches the same data from the browser, through this origin's `/graphql` and `/api/*`.
 */
export function createSsrService(config: Config, options: SsrOptions = {}): SsrService {
  const gatewayUrl = options.gatewayUrl ?? config.gatewayUrl;
  const client = buildBundle('client.tsx', 'client');
  const spa = buildBundle('spa.tsx', 'spa');
  const shell = spaShell(spa.path);
  const shellTag = `"${createHash('sha256').update(shell).digest('base64url').slice(0, 16)}"`;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const sources: Record<'graphql' | 'rest', PageSource> = {
    graphql: graphqlSource(gatewayUrl, agent, config.subgraphTimeoutMs),
    rest: restSource(gatewayUrl, agent, config.subgraphTimeoutMs),
  };
  const store: CacheStore = createCacheStore({
    redisUrl: config.redisUrl,
    namespace: config.cacheNamespace,
    timeoutMs: config.cacheTimeoutMs,
    onError: (message) => app.log.warn(message),
  });
  // whole pages are cached like the gateway's responses: only with a store the writers share;
  // the mode is switched at runtime by the load lab
  const pageCache = { mode: config.cacheMode, stats: { hits: 0, misses: 0 } satisfies LayerStats };
  const pagesCached = () => (pageCache.mode === 'response' || pageCache.mode === 'all') && store.kind === 'redis';
  const app = createHttpServer({
    name: 'ssr',
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    readiness: {
      gateway: async () => {
        const response = await undiciRequest(`${gatewayUrl}/healthz`, {
          dispatcher: agent,
          headersTimeout: 2000,
          bodyTimeout: 2000,
        });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`healthz answered ${response.statusCode}`);
      },
    },
  });

  // the page cache's lookups, as the gateway and the subgraphs count theirs (the lab reads them too)
  cacheLookupsMetric(app.metrics, 'Page cache lookups by result', { page: pageCache.stats });

  // the load lab: its API outside the compressed scope (server-sent events must not be buffered)
  const endpoints = { gateway: gatewayUrl, ssr: `http://127.0.0.1:${config.ports.ssr}`, ...config.subgraphUrls };
  const prisma = config.lab && config.databaseUrl ? createPrismaClient(config.databaseUrl, { poolSize: 2 }) : null;
  const lab = config.lab
    ? (() => {
        const labOptions = { config, endpoints, agent, pageCache, runner: null as unknown as LabRunner };
        const runner = new LabRunner({
          endpoints,
          prisma,
          timeoutMs: 2000,
          log: app.log,
          applySettings: (patch) => applyStackSettings(labOptions, patch),
        });
        labOptions.runner = runner;
        const routes = registerLabRoutes(app, labOptions);
        // built on the first visit: most SSR processes never serve the lab
        let bundle: { path: string; code: string } | null = null;
        return { runner, state: routes.state, bundle: () => (bundle ??= buildBundle('lab/ui/client.tsx', 'lab')) };
      })()
    : null;
  app.addHook('onClose', async () => {
    await prisma?.$disconnect();
  });

  // compression hooks the routes registered after it, so the routes live in a scope that loads it first
  void app.register(async (scope) => {
    // pages, the bundle and the placeholders, gzip or brotli as the browser accepts
    await scope.register(compress, { threshold: 1024 });
    scope.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
      '/items/:id',
      async (request, reply) => {
        const { id } = request.params;
        const query = request.query;
        let page: PageRequest;
        try {
          page = parsePageRequest(id, query);
        } catch (error) {
          return errorPage(reply, 400, (error as Error).message);
        }
        const { sort } = page;
        const sourceName = query.source === 'rest' ? 'rest' : 'graphql';
        const key = layerKey('page', `${sourceName}:${id}:${sort}:${query.after ?? ''}`);
        if (pagesCached()) {
          const entry = await currentEntry<CachedPage>(store, key, request.timing);
          if (entry) {
            pageCache.stats.hits++;
            return reply.type('text/html; charset=utf-8').header('x-cache', 'HIT').send(entry.html);
          }
          pageCache.stats.misses++;
        }
        let data: PageData | null;
        let dependencies: Dependencies | null;
        try {
          ({ data, dependencies } = await sources[sourceName].load(page, request.timing));
        } catch (error) {
          if (error instanceof PageError) {
            if (error.status === 503) request.log.warn({ err: error }, 'page data unavailable');
            return errorPage(reply, error.status, error.message);
          }
          throw error;
        }
        if (!data) return errorPage(reply, 404, `There is no item ${id} in the shop.`);
        const { title, description } = pageHead(data);
        const storePage =
          pagesCached() && dependencies
            ? (html: string) =>
                void keepEntry<CachedPage>(store, key, { html, dependencies: dependencies! }, config.cacheTtlSeconds)
            : undefined;
        reply.header('x-cache', pagesCached() ? 'MISS' : 'BYPASS');
        return stream(
          reply,
          200,
          <Document title={title} description={description} styles={STYLES}>
            <div id="app">
              <ItemPage data={data} sort={sort} source={sourceName} />
            </div>
            {/* the props the browser hydrates with; "<" escaped so no text can close the script */}
            <script
              id="page-state"
              type="application/json"
              dangerouslySetInnerHTML={{ __html: serializeState({ data, sort, source: sourceName }) }}
            />
            <script src={client.path} defer />
          </Document>,
          storePage,
        );
      },
    );

    for (const bundle of [client, spa])
      scope.get(bundle.path, async (_request, reply) =>
        reply
          .type('application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .send(bundle.code),
      );
    // the single-page app: one static shell for every item (its errors are the app's to show);
    // revalidated on each visit, since it names the bundle of the running version
    scope.get('/spa/items/:id', async (request, reply) => {
      reply.header('etag', shellTag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === shellTag) return reply.code(304).send();
      return reply.type('text/html; charset=utf-8').send(shell);
    });
    // the single-page app's REST calls reach the gateway through this origin, as its GraphQL does
    scope.get<{ Params: { '*': string } }>('/api/*', async (request, reply) => {
      try {
        const upstream = await undiciRequest(`${gatewayUrl}${request.url}`, {
          dispatcher: agent,
          headers: { 'x-request-id': request.id },
          headersTimeout: config.subgraphTimeoutMs,
          bodyTimeout: config.subgraphTimeoutMs,
          signal: request.cancellation,
        });
        const type = upstream.headers['content-type'];
        if (typeof type === 'string') reply.type(type);
        return reply.code(upstream.statusCode).send(upstream.body);
      } catch (error) {
        const reason = (error as { code?: string }).code ?? (error as Error).message;
        return sendProblem(reply, 503, toProblem(unavailable(`the gateway is unavailable: ${reason}`), request.url), 5);
      }
    });
    // a person following the pages' "GraphQL Playground" link: the gateway's port on the host they used
    scope.get('/graphql', async (request, reply) => {
      const gateway = new URL(gatewayUrl);
      return reply.redirect(
        `${request.protocol}://${request.hostname}${gateway.port ? `:${gateway.port}` : ''}/graphql`,
        302,
      );
    });
    // the browser's GraphQL requests go to the gateway through this same origin
    scope.post('/graphql', async (request, reply) => {
      try {
        const upstream = await undiciRequest(`${gatewayUrl}/graphql`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'x-request-id': request.id },
          body: JSON.stringify(request.body),
          headersTimeout: config.subgraphTimeoutMs,
          bodyTimeout: config.subgraphTimeoutMs,
        });
        return reply.code(upstream.statusCode).type('application/json').send(upstream.body);
      } catch {
        return reply
          .code(503)
          .type('application/json')
          .send({ errors: [{ message: 'the gateway is unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
      }
    });

    if (lab) {
      scope.get<{ Params: { file: string } }>('/assets/lab-:file', async (request, reply) => {
        const bundle = lab.bundle();
        if (request.url.split('?')[0] !== bundle.path) return reply.callNotFound();
        return reply
          .type('application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .send(bundle.code);
      });
      scope.get('/lab', async (_request, reply) => {
        const state = await lab.state();
        return stream(
          reply.header('cache-control', 'no-store'),
          200,
          <LabDocument state={state} script={lab.bundle().path} />,
        );
      });
    }

    scope.get<{ Params: { '*': string } }>('/images/*', async (request, reply) => {
      const svg = placeholderSvg(request.params['*']);
      if (!svg) return reply.callNotFound();
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=31536000, immutable').send(svg);
    });
  });

  return {
    app,
    async listen(port?: number, host?: string) {
      const url = await listenUrl(app, port, host);
      // the lab loads this very service's pages
      endpoints.ssr = url;
      return url;
    },
    async close() {
      await app.close();
      await agent.close();
      await store.close();
    },
  };
}
