import { createHash } from 'node:crypto';
import compress from '@fastify/compress';
import { createConfiguredStore, type Dependencies } from '@supergraph-lab/cache';
import type { Config } from '@supergraph-lab/config';
import { cacheLookupsMetric, createHttpServer, listenUrl, memoryStoreMetrics } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { Agent, request as undiciRequest } from 'undici';
import { buildBundle, precompressed, PREACT } from './bundles.ts';
import { graphqlListing, graphqlSource, PageError, restSource, type PageData, type PageSource } from './data.ts';
import { registerSsrAdmin } from './admin.ts';
import { placeholderSvg } from './images.ts';
import { createPageCache, pageKey } from './page-cache.ts';
import { pageHead, parsePageRequest, type PageRequest } from './page-data.ts';
import { parseListingRequest, type ListingData, type ListingRequest } from './listing-data.ts';
import { Document, ItemPage, ListingPage, listingTitle } from './page.tsx';
import { registerGatewayProxy } from './proxy.ts';
import { errorPage, spaShell, stream } from './render.tsx';
import { serializeState } from './state.ts';
import { STYLES } from './styles.ts';

// The parts: render.tsx (streaming, error pages, the SPA shell), bundles.ts (esbuild),
// page-cache.ts, proxy.ts (the gateway through this origin), images.ts, admin.ts (the page
// cache's switches). The load lab is a process of its own (lab/); `/lab` here sends a browser there.

export { placeholderSvg, serializeState };

export interface SsrService {
  app: FastifyInstance;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export interface SsrOptions {
  /** Where the gateway is (GraphQL and the REST routes); default GATEWAY_URL, else http://127.0.0.1:GATEWAY_PORT. */
  gatewayUrl?: string;
}

/**
 * The SSR service: `GET /` lists the shop's items a page at a time (one GraphQL query each),
 * `GET /items/:id` renders the item page with React on the server from one GraphQL query to
 * the gateway (`?source=rest`: from the REST routes, in parallel).
 * `GET /spa/items/:id` is the same page as a single-page app: a static shell whose bundle
 * fetches the same data from the browser, through this origin's `/graphql` and `/api/*`.
 */
export function createSsrService(config: Config, options: SsrOptions = {}): SsrService {
  const gatewayUrl = options.gatewayUrl ?? config.gatewayUrl;
  const client = buildBundle('client.tsx', 'client');
  const spa = buildBundle('spa.tsx', 'spa', { alias: PREACT });
  const shell = spaShell(spa.path);
  const shellTag = `"${createHash('sha256').update(shell).digest('base64url').slice(0, 16)}"`;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const sources: Record<'graphql' | 'rest', PageSource> = {
    graphql: graphqlSource(gatewayUrl, agent, config.subgraphTimeoutMs),
    rest: restSource(gatewayUrl, agent, config.subgraphTimeoutMs),
  };
  const listing = graphqlListing(gatewayUrl, agent, config.subgraphTimeoutMs);
  const store = createConfiguredStore(config, (message) => app.log.warn(message));
  const pageCache = createPageCache(store, config.cacheMode, config.cacheTtlSeconds);
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
  memoryStoreMetrics(app.metrics, () => store.memoryUsage());

  registerSsrAdmin(app, config, { pageCache, store });
  // the shop's header links /lab: the lab's own process, its port on the host the browser used
  if (config.lab)
    app.get('/lab', async (request, reply) => {
      const { port } = new URL(config.labUrl);
      const query = request.url.indexOf('?');
      const target = `${request.protocol}://${request.hostname}${port ? `:${port}` : ''}/lab`;
      return reply.redirect(`${target}${query < 0 ? '' : request.url.slice(query)}`, 302);
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
        const key = pageKey(sourceName, page);
        const cached = pageCache.enabled() ? await pageCache.read(key, request.timing) : null;
        if (cached !== null) return reply.type('text/html; charset=utf-8').header('x-cache', 'HIT').send(cached);
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
          pageCache.enabled() && dependencies ? (html: string) => pageCache.keep(key, html, dependencies!) : undefined;
        reply.header('x-cache', pageCache.enabled() ? 'MISS' : 'BYPASS');
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

    // the shop's front door: a page of items from one gateway query, plain HTML with no script
    scope.get<{ Querystring: Record<string, string | string[] | undefined> }>('/', async (request, reply) => {
      let page: ListingRequest;
      let data: ListingData;
      try {
        page = parseListingRequest(request.query);
        data = await listing.load(page, request.timing);
      } catch (error) {
        if (!(error instanceof PageError)) throw error;
        if (error.status === 503) request.log.warn({ err: error }, 'listing data unavailable');
        return errorPage(reply, error.status, error.message);
      }
      return stream(
        reply,
        200,
        <Document
          title={`${listingTitle(page)} | supergraph shop`}
          description="The supergraph shop's items, newest first."
          styles={STYLES}
        >
          <ListingPage data={data} request={page} />
        </Document>,
      );
    });

    for (const bundle of [client, spa]) {
      const encoded = precompressed(bundle.code);
      scope.get(bundle.path, async (request, reply) => {
        reply
          .type('application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .header('vary', 'accept-encoding');
        const body = encoded.pick(request.headers['accept-encoding']);
        // an encoding set here is one @fastify/compress leaves alone
        return body ? reply.header('content-encoding', body.encoding).send(body.bytes) : reply.send(bundle.code);
      });
    }
    // the single-page app: one static shell for every item (its errors are the app's to show);
    // revalidated on each visit, since it names the bundle of the running version
    scope.get('/spa/items/:id', async (request, reply) => {
      reply.header('etag', shellTag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === shellTag) return reply.code(304).send();
      return reply.type('text/html; charset=utf-8').send(shell);
    });
    registerGatewayProxy(scope, { gatewayUrl, agent, timeoutMs: config.subgraphTimeoutMs });
    scope.get<{ Params: { '*': string } }>('/images/*', async (request, reply) => {
      const svg = placeholderSvg(request.params['*']);
      if (!svg) return reply.callNotFound();
      return reply.type('image/svg+xml').header('cache-control', 'public, max-age=31536000, immutable').send(svg);
    });
  });

  return {
    app,
    listen: (port?: number, host?: string) => listenUrl(app, port, host),
    async close() {
      await app.close();
      await agent.close();
      await store.close();
    },
  };
}
