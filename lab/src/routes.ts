// The lab's JSON API under /lab/api: runs (start, cancel, history, labels, reports), the live
// event stream, the stack's switches and cache view, and the inspector's one sample request.
import { hitRatio, SHARED_STORE_LAYERS, SHARED_STORE_NEEDED } from '@supergraph-lab/cache';
import { databaseKindOf, type Config } from '@supergraph-lab/config';
import { AppError, badInput, parseId, parseSettingsPatch, sendProblem, toProblem } from '@supergraph-lab/http';
import {
  BROWSER_VARIANTS,
  browserUnavailable,
  createAgent,
  discoverMaxItemId,
  exchange,
  renderBrowserReport,
  renderHtmlReport,
  targetNamed,
  TARGET_NAMES,
  VARIANT_NAMES,
  type Endpoints,
} from '@supergraph-lab/loadtest';
import type { FastifyInstance } from 'fastify';
import { itemPageQueryPlan, type Architectures } from './architectures.ts';
import type { ArchitectureState, LabEvent, LabState } from './protocol.ts';
import { BusyError, type LabRunner } from './runner.ts';
import { parseLabSettings, parseRunLabel } from './settings.ts';
import type { SsrSettings, StackControl } from './stack.ts';

const SSE_KEEPALIVE_MS = 15_000;
/** Open event streams at most: each holds a socket and a subscription for as long as its page is open. */
export const MAX_EVENT_STREAMS = 16;
/** A stream whose client reads slower than this much unsent output piles up is ended: its memory is the server's. */
export const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

export interface LabRoutesOptions {
  config: Config;
  runner: LabRunner;
  endpoints: Endpoints;
  /** The stack's switches and caches, through its admin routes. */
  stack: StackControl;
  /** Why a run cannot switch the stack's front (one gateway against two), or null when it can. */
  frontSwitchUnavailable: string | null;
  /** The monolith and the peer gateways, started by the lab over the stack's subgraphs. */
  architectures: Architectures;
}

/**
 * The lab's JSON API and its event stream (under /lab/api). A run changes the stack's cache
 * mode for its duration: the lab is a tool for your own machine, on by default, `LAB=off` leaves
 * it out of npm start.
 */
export function registerLabRoutes(app: FastifyInstance, options: LabRoutesOptions): { state(): Promise<LabState> } {
  const { runner, stack } = options;
  const ssrSettings = (): Promise<SsrSettings | null> => stack.ssr().catch(() => null);
  const state = async (): Promise<LabState> => ({
    run: runner.status(),
    targets: TARGET_NAMES.map((name) => {
      const target = targetNamed(name);
      return { name, label: target.label, description: target.description, write: target.write };
    }),
    variants: VARIANT_NAMES.map((name) => ({
      name,
      label: BROWSER_VARIANTS[name].label,
      path: BROWSER_VARIANTS[name].path(42),
    })),
    browserUnavailable: browserUnavailable(),
    settings: await stack.gateway('GET', '/admin/settings').catch((error: Error) => ({ error: error.message })),
    pageCacheMode: (await ssrSettings())?.cacheMode ?? 'unknown (the SSR service is unavailable)',
    links: { playground: `${options.endpoints.gateway}/graphql`, shop: `${options.endpoints.ssr}/` },
    running: {
      database: databaseKindOf(options.config.databaseUrl),
      balancer: options.config.balancer,
    },
    frontSwitchUnavailable: options.frontSwitchUnavailable,
  });
  const streams = new Set<{ end(): void }>();
  app.addHook('onClose', async () => {
    for (const stream of streams) stream.end();
    await runner.close();
  });

  app.get('/lab/api/state', state);

  app.post('/lab/api/runs', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const settings = parseLabSettings({
      ...body,
      who:
        typeof body.who === 'string' && body.who.trim()
          ? body.who
          : `${request.ip} (${String(request.headers['user-agent'] ?? 'unknown client').slice(0, 40)})`,
    });
    // a store this stack does not have is refused before the run is started (and recorded)
    if (settings.cacheStore) parseSettingsPatch({ cacheStore: settings.cacheStore }, (await stack.ssr()).cacheStores);
    try {
      const run = await runner.start(settings);
      return reply.code(202).header('location', `/lab/api/runs/${run.id}`).send({ run });
    } catch (error) {
      if (error instanceof BusyError) {
        return sendProblem(reply, 409, {
          ...toProblem(error, request.url),
          running: {
            id: error.run.id,
            who: error.run.who,
            state: error.run.state,
            startedAt: error.run.startedAt,
            settings: error.run.settings,
          },
        });
      }
      throw error;
    }
  });

  app.post('/lab/api/runs/current/cancel', async (request, reply) => {
    if (!runner.status())
      return sendProblem(reply, 404, toProblem(new AppError('NOT_FOUND', 'no run is in progress'), request.url));
    await runner.cancel();
    return { cancelled: true };
  });

  app.get('/lab/api/runs', async () => ({ runs: await runner.history() }));

  // a name for a finished run ({ "label": "..." }, null removes it), and deleting one
  const missing = (raw: string) => new AppError('NOT_FOUND', `run ${raw} does not exist`);
  app.patch<{ Params: { id: string } }>('/lab/api/runs/:id', async (request) => {
    const id = parseId(request.params.id, 'run id');
    const run = await runner.label(id, parseRunLabel(request.body));
    if (!run) throw missing(request.params.id);
    return { run };
  });
  app.delete<{ Params: { id: string } }>('/lab/api/runs/:id', async (request, reply) => {
    if (!(await runner.remove(parseId(request.params.id, 'run id')))) throw missing(request.params.id);
    return reply.code(204).send();
  });

  const reportOf = async (raw: string) => {
    const report = await runner.report(parseId(raw, 'run id'));
    if (!report) throw new AppError('NOT_FOUND', `run ${raw} does not exist or measured no step`);
    return report;
  };
  app.get<{ Params: { id: string } }>('/lab/api/runs/:id', async (request, reply) => {
    const report = await reportOf(request.params.id);
    return reply.header('content-disposition', `inline; filename="lab-run-${request.params.id}.json"`).send(report);
  });
  app.get<{ Params: { id: string } }>('/lab/api/runs/:id/report.html', async (request, reply) => {
    const report = await reportOf(request.params.id);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-disposition', `inline; filename="lab-run-${request.params.id}.html"`)
      .send('steps' in report ? renderHtmlReport(report) : renderBrowserReport(report));
  });

  // every second of a run, pushed: server-sent events
  app.get('/lab/api/events', (request, reply) => {
    if (streams.size >= MAX_EVENT_STREAMS)
      return sendProblem(
        reply,
        503,
        toProblem(
          new AppError(
            'SERVICE_UNAVAILABLE',
            `the lab serves at most ${MAX_EVENT_STREAMS} event streams at once: close a lab tab or try again shortly`,
          ),
          request.url,
        ),
        5,
      );
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const write = (text: string) => {
      if (raw.destroyed) return;
      raw.write(text);
      // a client that stopped reading: its backlog is dropped with its connection (the page reconnects)
      if (raw.writableLength > MAX_STREAM_BACKLOG_BYTES) raw.destroy();
    };
    const send = (event: LabEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    send({ type: 'status', run: runner.status() });
    const unsubscribe = runner.subscribe(send);
    const keepalive = setInterval(() => write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    const stream = { end: () => raw.end() };
    streams.add(stream);
    request.raw.socket.once('close', () => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(stream);
    });
  });

  app.get('/lab/api/cache', async () => {
    const [{ gateway: stats, ssr }, entries] = await Promise.all([
      stack.cacheStats(),
      stack.gateway('GET', '/cache/entries?limit=60'),
    ]);
    // on a per-process memory store (the gateway's or the SSR service's) these layers are off whatever CACHE_MODE says
    const off = SHARED_STORE_LAYERS.filter((layer) =>
      layer === 'page' ? !ssr.sharedStore : stats.layers[layer]?.active === false,
    );
    return {
      at: new Date().toISOString(),
      mode: stats.mode,
      pageCacheMode: ssr.cacheMode,
      off: off.length ? { layers: off, reason: SHARED_STORE_NEEDED } : null,
      // the gateway's layers and the SSR service's page cache
      layers: { ...stats.layers, page: { ...ssr.page, hitRatio: hitRatio(ssr.page) } },
      store: { ...stats.store, ...(entries.keyListing === false ? { keyListing: false, note: entries.note } : {}) },
      entries: entries.entries,
    };
  });
  app.post('/lab/api/cache/flush', async () => stack.flush());

  // switches outside a run (the same admin switch a run uses)
  app.put('/lab/api/settings', async (request, reply) => {
    if (runner.status())
      return sendProblem(
        reply,
        409,
        toProblem(new AppError('CONFLICT', 'a run is in progress: its settings hold until it ends'), request.url),
      );
    const patch = parseSettingsPatch(request.body, (await stack.ssr()).cacheStores);
    await stack.apply(patch);
    return { settings: await stack.gateway('GET', '/admin/settings'), pageCacheMode: (await stack.ssr()).cacheMode };
  });

  // one sample request of a target, with everything about it
  const inspectAgent = createAgent(8);
  app.addHook('onClose', async () => inspectAgent.close());
  app.post('/lab/api/inspect', async (request) => {
    const body = (request.body ?? {}) as { target?: unknown; itemId?: unknown; allowWrites?: unknown };
    if (typeof body.target !== 'string' || !TARGET_NAMES.includes(body.target))
      throw badInput(`target must be one of ${TARGET_NAMES.join(', ')}, got ${JSON.stringify(body.target)}`);
    // one request of a write target is still a write: asked for in so many words, as a run's are
    if (targetNamed(body.target).write && body.allowWrites !== true)
      throw badInput(`${body.target} writes to the database; send allowWrites: true to inspect it`);
    const itemId = body.itemId === undefined ? 1 + Math.floor(Math.random() * 100) : Number(body.itemId);
    if (!Number.isInteger(itemId) || itemId < 1)
      throw badInput(`itemId must be a positive whole number, got ${JSON.stringify(body.itemId)}`);
    const specs = targetNamed(body.target).requests(options.endpoints, itemId, Date.now());
    const started = performance.now();
    const exchanges = await Promise.all(
      specs.map((spec) => exchange(inspectAgent, spec, AbortSignal.timeout(10_000), true)),
    );
    return { target: body.target, itemId, totalMs: performance.now() - started, exchanges };
  });

  // architecture as an A/B switch: the page through each gateway and the monolith, and the query plan
  // planned on first ask (composition and planning take half a second): a lab nobody asks never pays
  let queryPlan: string | null = null;
  app.get('/lab/api/architectures', async (): Promise<ArchitectureState> => ({
    choices: options.architectures.choices(),
    queryPlan: (queryPlan ??= itemPageQueryPlan(options.config)),
    comparison: options.architectures.comparison(),
  }));
  app.post('/lab/api/architectures/compare', async (request, reply) => {
    const body = (request.body ?? {}) as { seconds?: unknown; connections?: unknown };
    const seconds = body.seconds === undefined ? 5 : Number(body.seconds);
    const connections = body.connections === undefined ? 16 : Number(body.connections);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60)
      throw badInput(`seconds must be a whole number from 1 to 60, got ${JSON.stringify(body.seconds)}`);
    if (!Number.isInteger(connections) || connections < 1 || connections > 64)
      throw badInput(`connections must be a whole number from 1 to 64, got ${JSON.stringify(body.connections)}`);
    if (runner.status())
      return sendProblem(
        reply,
        409,
        toProblem(new AppError('CONFLICT', 'a run is in progress: compare once it ends'), request.url),
      );
    const maxItemId = await discoverMaxItemId(options.endpoints.items);
    options.architectures.compare({ seconds, connections, maxItemId });
    return reply.code(202).send(options.architectures.comparison());
  });
  app.addHook('onClose', async () => options.architectures.close());

  return { state };
}
