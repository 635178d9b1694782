// The load lab inside the SSR service: its runner, its API (outside the compressed scope:
// server-sent events must not be buffered), and its page and bundle (inside it).
import type { SwitchableStore } from '@supergraph-lab/cache';
import type { Config } from '@supergraph-lab/config';
import { createPrismaClient } from '@supergraph-lab/db';
import type { Endpoints } from '@supergraph-lab/loadtest';
import type { FastifyInstance } from 'fastify';
import type { Agent } from 'undici';
import { buildBundle } from '../bundles.ts';
import type { PageCache } from '../page-cache.ts';
import { stream } from '../render.tsx';
import { guardLab, labDoor, labToken } from './access.tsx';
import { LabDocument } from './document.tsx';
import { applyStackSettings, registerLabRoutes, type LabRoutesOptions } from './routes.ts';
import { LabRunner } from './runner.ts';

export interface LabMount {
  /** Registers `/lab` and its bundle in `scope` (the compressed one). */
  registerPages(scope: FastifyInstance): void;
  /** The lab's address with its token, to log once it listens at `baseUrl`: null when LAB_TOKEN gave the token. */
  madeUpUrl(baseUrl: string): string | null;
}

/** The lab on `app`: runs kept in Postgres when DATABASE_URL is set, in memory otherwise. */
export function mountLab(
  app: FastifyInstance,
  options: { config: Config; endpoints: Endpoints; agent: Agent; pageCache: PageCache; store: SwitchableStore },
): LabMount {
  const { config, endpoints, agent, pageCache, store } = options;
  const prisma = config.databaseUrl ? createPrismaClient(config.databaseUrl, { poolSize: 2 }) : null;
  app.addHook('onClose', async () => {
    await prisma?.$disconnect();
  });
  const routesOptions: LabRoutesOptions = {
    config,
    endpoints,
    agent,
    pageCache,
    store,
    runner: null as unknown as LabRunner,
  };
  routesOptions.runner = new LabRunner({
    endpoints,
    prisma,
    timeoutMs: 2000,
    log: app.log,
    applySettings: (patch) => applyStackSettings(routesOptions, patch),
  });
  const { token, madeUp } = labToken(config);
  guardLab(app, { token, allowedHosts: config.allowedHosts });
  const routes = registerLabRoutes(app, routesOptions);
  // built on the first visit: most SSR processes never serve the lab
  let built: { path: string; code: string } | null = null;
  const bundle = () => (built ??= buildBundle('lab/ui/client.tsx', 'lab'));
  return {
    registerPages(scope) {
      scope.get<{ Params: { file: string } }>('/assets/lab-:file', async (request, reply) => {
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
        return stream(
          reply.header('cache-control', 'no-store'),
          200,
          <LabDocument state={state} script={bundle().path} />,
        );
      });
    },
    // a wildcard address is no name a browser's Host may carry here: loopback's is
    madeUpUrl: (baseUrl) =>
      madeUp ? `${baseUrl.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:)/, '//127.0.0.1')}/lab?token=${token}` : null,
  };
}
