// The load lab as a service of its own: its runner and run store, its API (outside the
// compressed scope: server-sent events must not be buffered), its page and bundle (inside it).
// It drives the stack it measures over HTTP only: the load tester's requests, and the gateway's
// and the SSR service's admin routes.
import path from 'node:path';
import compress from '@fastify/compress';
import type { Config } from '@supergraph-lab/config';
import { createHttpServer, listenUrl } from '@supergraph-lab/http';
import type { Endpoints } from '@supergraph-lab/loadtest';
import { buildBundle } from '@supergraph-lab/ssr/bundles';
import type { FastifyInstance } from 'fastify';
import { Agent } from 'undici';
import { guardLab, labDoor, labToken } from './access.tsx';
import { LabDocument } from './document.tsx';
import { NO_SUPERVISOR, supervisorFront, type FrontSwitch } from './front.ts';
import { sendPage } from './html.tsx';
import { createArchitectures } from './architectures.ts';
import { registerLabRoutes } from './routes.ts';
import { LabRunner } from './runner.ts';
import { stackControl } from './stack.ts';
import { fileRunStore, type RunStore } from './store.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface LabService {
  app: FastifyInstance;
  /** Listens; the lab's base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** The lab's address with its token, to log once it listens at `baseUrl`: null when LAB_TOKEN gave the token. */
  madeUpUrl(baseUrl: string): string | null;
  close(): Promise<void>;
}

export interface LabOptions {
  /** Where runs are kept; default files under LAB_DATA_DIR, else `.data/lab` in the checkout. */
  store?: RunStore;
  /** The stack under test; default the configuration's (GATEWAY_URL, SSR_URL, the subgraphs' URLs). */
  endpoints?: Partial<Endpoints>;
  /** The switch of the stack's front for scaled A/B runs; default npm start's, when it started the lab (null: none). */
  front?: FrontSwitch | null;
}

/**
 * The load lab: `GET /lab` (behind its token), its API under `/lab/api`, its bundle. Runs are
 * kept by the lab itself (`options.store`), so they survive a restart with or without a database.
 */
export function createLabService(config: Config, options: LabOptions = {}): LabService {
  const endpoints: Endpoints = {
    gateway: config.gatewayUrl,
    ssr: config.ssrUrl,
    ...config.subgraphUrls,
    ...options.endpoints,
  };
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  const app = createHttpServer({
    name: 'lab',
    logLevel: config.logLevel,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const store = options.store ?? fileRunStore(config.labDataDir ?? path.join(ROOT, '.data', 'lab'));
  const front = options.front === undefined ? supervisorFront() : options.front;
  const stack = stackControl(config, endpoints, agent, front);
  const runner = new LabRunner({
    endpoints,
    store,
    timeoutMs: 2000,
    log: app.log,
    applySettings: stack.apply,
    metricsSources: stack.metricsSources,
    front,
  });
  const { token, madeUp } = labToken(config);
  guardLab(app, { token, allowedHosts: config.allowedHosts });
  const architectures = createArchitectures(config, endpoints, stack);
  const routes = registerLabRoutes(app, {
    config,
    runner,
    endpoints,
    stack,
    architectures,
    frontSwitchUnavailable: front ? null : NO_SUPERVISOR,
  });
  // built on the first visit: a lab nobody opens never pays for it
  let built: { path: string; code: string } | null = null;
  // React, uPlot and the panels; under /lab, as everything of the lab's: a balancer routes that prefix here
  const bundle = () =>
    (built ??= buildBundle(path.join(import.meta.dirname, '../ui/client.tsx'), 'lab', { prefix: '/lab/assets' }));

  void app.register(async (scope) => {
    await scope.register(compress, { threshold: 1024 });
    scope.get('/', async (_request, reply) => reply.redirect('/lab'));
    scope.get<{ Params: { file: string } }>('/lab/assets/:file', async (request, reply) => {
      if (request.url.split('?')[0] !== bundle().path) return reply.callNotFound();
      return reply
        .type('application/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(bundle().code);
    });
    scope.get('/lab', async (request, reply) => {
      // the token traded for the cookie, or a page saying how to get in
      const answered = labDoor(request, reply, token);
      if (answered) return answered;
      const state = await routes.state();
      return sendPage(
        reply.header('cache-control', 'no-store'),
        200,
        <LabDocument state={state} script={bundle().path} />,
      );
    });
  });

  return {
    app,
    listen: (port, host) => listenUrl(app, port, host),
    // a wildcard address is no name a browser's Host may carry here: loopback's is
    madeUpUrl: (baseUrl) =>
      madeUp ? `${baseUrl.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, '//127.0.0.1')}/lab?token=${token}` : null,
    async close() {
      await app.close();
      await agent.close();
    },
  };
}
