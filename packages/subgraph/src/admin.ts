// A subgraph's admin routes, behind ADMIN_TOKEN: its entity cache's counts (the gateway's /cache
// inspector reads them) and the runtime switches the load lab turns (CACHE_MODE, batching).
import type { CacheStore, SubgraphCache, SwitchableStore } from '@supergraph-lab/cache';
import type { Config } from '@supergraph-lab/config';
import { isAdmin, parseSettingsPatch, refuseAdmin, type RuntimeSettings } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';

export interface SubgraphAdminState {
  cache: SubgraphCache;
  /** Switchable when the service made it from its configuration; a store a test passed in is not. */
  store: CacheStore & Partial<Pick<SwitchableStore, 'available'>>;
  settings: { batching: boolean };
  applySettings(patch: Partial<RuntimeSettings>): void;
  /** Told of every change made here (WORKERS > 1: passed on to the sibling workers). */
  onSettingsChanged?: (patch: Partial<RuntimeSettings>) => void;
}

/** `GET /cache/stats`, `GET` and `PUT /admin/settings`. */
export function registerSubgraphAdmin(app: FastifyInstance, config: Config, state: SubgraphAdminState): void {
  const { cache, store, settings, applySettings, onSettingsChanged } = state;
  const stores = () => store.available ?? [store.kind];
  /** The settings in force, and the cache stores this service could switch to. */
  const current = () => ({
    ...({ cacheMode: cache.mode, batching: settings.batching, cacheStore: store.kind } satisfies RuntimeSettings),
    cacheStores: stores(),
  });
  app.get('/cache/stats', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    return { ...cache.stats, mode: cache.mode, store: store.kind };
  });
  app.get('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    return current();
  });
  app.put('/admin/settings', async (request, reply) => {
    if (!isAdmin(request, config.adminToken)) return refuseAdmin(reply, request, Boolean(config.adminToken));
    const patch = parseSettingsPatch(request.body, stores());
    applySettings(patch);
    if (Object.keys(patch).length) {
      request.log.info({ settings: patch }, 'runtime settings changed');
      onSettingsChanged?.(patch);
    }
    return current();
  });
}
