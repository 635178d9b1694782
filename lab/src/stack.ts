// The stack the lab measures, as the lab switches and reads it: over HTTP, through the gateway's
// admin routes (which pass settings on to the subgraphs) and the SSR service's (its page cache),
// both behind the ADMIN_TOKEN they share with the lab; on each gateway and SSR instance.
import { hitRatio } from '@supergraph-lab/cache';
import type { CacheStoreKind, Config } from '@supergraph-lab/config';
import { adminCall, AppError, type RuntimeSettings } from '@supergraph-lab/http';
import type { Endpoints, MetricsSources } from '@supergraph-lab/loadtest';
import type { Agent } from 'undici';
import type { FrontSwitch } from './front.ts';
import type { Front } from './protocol.ts';

/** What the SSR service's `GET /admin/settings` answers: its page cache's mode, store and counts. */
export interface SsrSettings {
  cacheMode: Config['cacheMode'];
  cacheStore: CacheStoreKind;
  cacheStores: CacheStoreKind[];
  /** Whether its store is one every instance shares (pages are cached only then). */
  sharedStore: boolean;
  page: { hits: number; misses: number };
}

/** The settings a run changes, as they were before it. */
export type StackSettings = Pick<RuntimeSettings, 'cacheMode' | 'batching' | 'cacheStore'>;

/** A gateway and SSR instance of the front, as npm start reports them. */
type Instance = Front['instances'][number];

/**
 * `restoring`: settings put back (after a run, a comparison): npm start is told them first, and
 * each instance that can take them does, whatever the others do. Otherwise a switch is on every
 * instance or none: one that fails puts back what it had changed and what the others had.
 */
export type SwitchHow = { restoring?: boolean };

/** What one instance had before a switch, to put back: its gateway's (and subgraphs') and its SSR instance's. */
interface Before {
  api: Partial<RuntimeSettings>;
  pages: Partial<RuntimeSettings>;
}

/** `settings` with only the keys `patch` has. */
const sameKeys = (settings: Partial<RuntimeSettings>, patch: Partial<RuntimeSettings>) =>
  Object.fromEntries(Object.keys(patch).map((key) => [key, settings[key as keyof RuntimeSettings]]));

export interface StackControl {
  /** An admin call to the (first) gateway instance; its JSON answer, or an AppError (503) saying what went wrong. */
  gateway(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<any>;
  /** `POST /cache/flush` on every gateway instance (each per-process store has its own entries); the keys deleted by all. */
  flush(): Promise<any>;
  /** The (first) SSR instance's page cache settings and counts, or an AppError (503). */
  ssr(): Promise<SsrSettings>;
  /**
   * Switches CACHE_MODE and the cache store (gateway, subgraphs, the SSR service's page cache)
   * and batching, on every gateway and SSR instance; resolves to what was set before (the first
   * instance's). `patch` is one parseSettingsPatch passed.
   */
  apply(patch: Partial<RuntimeSettings>, how?: SwitchHow): Promise<StackSettings>;
  /** Switches the gateways' and the subgraphs' CACHE_MODE alone (not the SSR page cache); resolves to the mode before. */
  applyToApi(patch: Pick<RuntimeSettings, 'cacheMode'>, how?: SwitchHow): Promise<Pick<RuntimeSettings, 'cacheMode'>>;
  /** Where each service's /metrics is read: every gateway and SSR instance's, the subgraphs'. */
  metricsSources(): Promise<MetricsSources>;
  /**
   * The gateway's `GET /cache` and the SSR service's settings, with the hits and misses of the
   * layers each process counts (response, REST, page) summed over every instance.
   */
  cacheStats(): Promise<{ gateway: any; ssr: SsrSettings }>;
}

/** Hits and misses added up over instances, with their ratio. */
const summed = (counts: { hits: number; misses: number }[]) => {
  const total = {
    hits: counts.reduce((sum, one) => sum + one.hits, 0),
    misses: counts.reduce((sum, one) => sum + one.misses, 0),
  };
  return { ...total, hitRatio: hitRatio(total) };
};

const NAMES = { gateway: 'the gateway', ssr: 'the SSR service' } as const;

/**
 * The stack at `endpoints`, reached with `agent` and the configuration's ADMIN_TOKEN. Behind a
 * balancer (start:scaled) a switch through `endpoints` would reach one instance of two: with
 * npm start's `front`, switches and counters go to each instance it reports running now.
 */
export function stackControl(
  config: Config,
  endpoints: Endpoints,
  agent: Agent,
  front: FrontSwitch | null = null,
): StackControl {
  const call = async (
    service: keyof typeof NAMES,
    base: string,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<any> => {
    const name = base === endpoints[service] ? NAMES[service] : `${NAMES[service]} at ${base}`;
    if (!config.adminToken)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `the lab needs ADMIN_TOKEN (the same value in the lab, the gateway and the SSR service) to read and switch the caches`,
      );
    let answer;
    try {
      answer = await adminCall<any>(agent, base, path, config.adminToken, {
        method,
        body,
        timeoutMs: 5000,
      });
    } catch (error) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `${name} is unavailable (${(error as { code?: string }).code ?? (error as Error).message})`,
      );
    }
    if (answer.status === 401)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `${name} refused the lab's ADMIN_TOKEN: give the lab, the gateway and the SSR service the same one`,
      );
    if (answer.status !== 200)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `${name} answered ${path} with ${answer.status}: ${answer.body?.detail ?? ''}`,
      );
    return answer.body;
  };
  const instances = async (): Promise<Instance[]> =>
    front ? (await front.known()).instances : [{ gateway: endpoints.gateway, ssr: endpoints.ssr }];
  /** `each` on every instance at once; their answers, or the first failure once all have settled. */
  const onEvery = async <T>(each: (instance: Instance) => Promise<T>): Promise<T[]> => {
    const settled = await Promise.allSettled((await instances()).map(each));
    const failed = settled.find((one) => one.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((one) => (one as PromiseFulfilledResult<T>).value);
  };
  /** `api` on a gateway (which passes it on to the subgraphs), then `pages` on its SSR instance. */
  const put = async (at: Instance, api: Partial<RuntimeSettings>, pages: Partial<RuntimeSettings>) => {
    if (Object.keys(api).length) await call('gateway', at.gateway, 'PUT', '/admin/settings', api);
    if (Object.keys(pages).length) await call('ssr', at.ssr, 'PUT', '/admin/settings', pages);
  };
  /** Puts `before` back on an instance, as far as it goes (best effort: it follows a failure). */
  const putBack = (at: Instance, before: Before) =>
    Promise.allSettled([
      call('gateway', at.gateway, 'PUT', '/admin/settings', before.api),
      Object.keys(before.pages).length ? call('ssr', at.ssr, 'PUT', '/admin/settings', before.pages) : null,
    ]);
  /**
   * `api` and `pages` on one instance; its answers from before. A gateway that switched itself
   * and some subgraphs but not all answers 503: what it changed is put back before the failure
   * is passed on.
   */
  const switchAt = async (at: Instance, api: Partial<RuntimeSettings>, pages: Partial<RuntimeSettings>) => {
    const [gateway, ssr] = await Promise.all([
      call('gateway', at.gateway, 'GET', '/admin/settings'),
      Object.keys(pages).length ? (call('ssr', at.ssr, 'GET', '/admin/settings') as Promise<SsrSettings>) : null,
    ]);
    const batching = gateway.subgraphs?.items?.batching as boolean | undefined;
    const had = { ...gateway.gateway, ...(batching === undefined ? {} : { batching }) };
    const before: Before = { api: sameKeys(had, api), pages: ssr ? sameKeys(ssr, pages) : {} };
    try {
      await put(at, api, pages);
    } catch (error) {
      await putBack(at, before);
      throw error;
    }
    return { before, gateway, ssr };
  };
  /** The switch on every instance (`how` says what a failure does); the first instance's answers from before. */
  const switchEvery = async (api: Partial<RuntimeSettings>, pages: Partial<RuntimeSettings>, how: SwitchHow) => {
    if (how.restoring) {
      // a process started again from now on takes them, whatever happens below
      rememberSwitch(api, pages);
      await onEvery((at) => put(at, api, pages));
      return null;
    }
    const all = await instances();
    const settled = await Promise.allSettled(all.map((at) => switchAt(at, api, pages)));
    const failed = settled.find((one) => one.status === 'rejected');
    if (failed) {
      await Promise.allSettled(
        settled.map((one, i) => (one.status === 'fulfilled' ? putBack(all[i]!, one.value.before) : null)),
      );
      throw failed.reason;
    }
    rememberSwitch(api, pages);
    return (settled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof switchAt>>>).value;
  };
  /** Tells npm start, for the processes it starts later (a restart, a switched front). */
  const rememberSwitch = (api: Partial<RuntimeSettings>, pages: Partial<RuntimeSettings>) => {
    if (api.cacheMode || api.batching !== undefined)
      front?.remember({ part: 'api', cacheMode: api.cacheMode, batching: api.batching });
    if (pages.cacheMode) front?.remember({ part: 'pages', cacheMode: pages.cacheMode });
  };
  return {
    // the first instance itself, not through a balancer (which answers 503 while no gateway is ready)
    gateway: async (method, path, body) => call('gateway', (await instances())[0]!.gateway, method, path, body),
    ssr: async () => call('ssr', (await instances())[0]!.ssr, 'GET', '/admin/settings'),
    async flush() {
      // on a shared store both delete at once: each counts the keys it removed
      const answers = await onEvery((at) => call('gateway', at.gateway, 'POST', '/cache/flush'));
      return { ...answers[0], deletedKeys: answers.reduce((sum, one) => sum + (one.deletedKeys ?? 0), 0) };
    },
    async applyToApi(patch, how = {}) {
      const had = await switchEvery(patch, {}, how);
      return { cacheMode: had?.gateway.gateway.cacheMode ?? patch.cacheMode };
    },
    async apply(patch, how = {}) {
      // the page cache has no batching to switch
      const { batching: _batching, ...pages } = patch;
      const had = await switchEvery(patch, pages, how);
      if (!had) return { cacheMode: patch.cacheMode!, batching: patch.batching!, cacheStore: patch.cacheStore! };
      const ssr = had.ssr ?? (await call('ssr', (await instances())[0]!.ssr, 'GET', '/admin/settings'));
      return {
        cacheMode: (ssr as SsrSettings).cacheMode,
        batching: (had.gateway.subgraphs?.items?.batching as boolean | undefined) ?? true,
        cacheStore: (ssr as SsrSettings).cacheStore,
      };
    },
    async cacheStats() {
      const [gateways, ssrs] = await Promise.all([
        onEvery((at) => call('gateway', at.gateway, 'GET', '/cache')),
        onEvery((at) => call('ssr', at.ssr, 'GET', '/admin/settings') as Promise<SsrSettings>),
      ]);
      // the entity layer is the subgraphs' (the same whichever gateway answered), the rest per process
      const [gateway, ssr] = [gateways[0]!, ssrs[0]!];
      const layers = { ...gateway.layers };
      for (const layer of ['response', 'rest'])
        if (layers[layer]) layers[layer] = { ...layers[layer], ...summed(gateways.map((one) => one.layers[layer])) };
      return {
        gateway: { ...gateway, layers },
        ssr: { ...ssr, page: summed(ssrs.map((one) => one.page)) },
      };
    },
    async metricsSources() {
      const all = await instances();
      return { ...endpoints, gateway: all.map((at) => at.gateway), ssr: all.map((at) => at.ssr) };
    },
  };
}
