// The SSR service's admin routes, behind ADMIN_TOKEN: its page cache's mode and store, which the
// load lab switches with the rest of the stack for a run, and the page cache's counts it shows.
import type { SwitchableStore } from '@supergraph-lab/cache';
import type { Config } from '@supergraph-lab/config';
import { guardRoutes, isAdmin, parseSettingsPatch, refuseAdmin } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import type { PageCache } from './page-cache.ts';

/** `GET` and `PUT /admin/settings` (`cacheMode`, `cacheStore`; batching is the subgraphs'), on this machine's names only. */
export function registerSsrAdmin(
  app: FastifyInstance,
  config: Config,
  state: { pageCache: PageCache; store: SwitchableStore },
): void {
  const { pageCache, store } = state;
  guardRoutes(app, { prefixes: ['/admin'], allowedHosts: config.allowedHosts });
  const current = () => ({
    cacheMode: pageCache.mode,
    cacheStore: store.kind,
    cacheStores: store.available,
    sharedStore: store.shared,
    page: { ...pageCache.stats },
  });
  app.get('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    return current();
  });
  app.put('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    const patch = parseSettingsPatch(request.body, store.available);
    if (patch.cacheMode) pageCache.mode = patch.cacheMode;
    if (patch.cacheStore) store.use(patch.cacheStore);
    if (patch.cacheMode || patch.cacheStore) request.log.info({ settings: patch }, 'runtime settings changed');
    return current();
  });
}
