// The stack the lab measures, as the lab switches and reads it: over HTTP, through the gateway's
// admin routes (which pass settings on to the subgraphs) and the SSR service's (its page cache),
// both behind the ADMIN_TOKEN they share with the lab.
import type { CacheStoreKind, Config } from '@supergraph-lab/config';
import { adminCall, AppError, type RuntimeSettings } from '@supergraph-lab/http';
import type { Endpoints } from '@supergraph-lab/loadtest';
import type { Agent } from 'undici';

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

export interface StackControl {
  /** An admin call to the gateway; its JSON answer, or an AppError (503) saying what went wrong. */
  gateway(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<any>;
  /** The SSR service's page cache settings and counts, or an AppError (503). */
  ssr(): Promise<SsrSettings>;
  /**
   * Switches CACHE_MODE and the cache store (gateway, subgraphs, the SSR service's page cache)
   * and batching; resolves to what was set before. `patch` is one parseSettingsPatch passed.
   */
  apply(patch: Partial<RuntimeSettings>): Promise<StackSettings>;
  /** Switches the gateway's and the subgraphs' CACHE_MODE alone (not the SSR page cache); resolves to the mode before. */
  applyToApi(patch: Pick<RuntimeSettings, 'cacheMode'>): Promise<Pick<RuntimeSettings, 'cacheMode'>>;
}

const NAMES = { gateway: 'the gateway', ssr: 'the SSR service' } as const;

/** The stack at `endpoints`, reached with `agent` and the configuration's ADMIN_TOKEN. */
export function stackControl(config: Config, endpoints: Endpoints, agent: Agent): StackControl {
  const call = async (
    service: keyof typeof NAMES,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<any> => {
    const name = NAMES[service];
    if (!config.adminToken)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        `the lab needs ADMIN_TOKEN (the same value in the lab, the gateway and the SSR service) to read and switch the caches`,
      );
    let answer;
    try {
      answer = await adminCall<any>(agent, endpoints[service], path, config.adminToken, {
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
  return {
    gateway: (method, path, body) => call('gateway', method, path, body),
    ssr: () => call('ssr', 'GET', '/admin/settings'),
    async applyToApi(patch) {
      const before = await call('gateway', 'GET', '/admin/settings');
      await call('gateway', 'PUT', '/admin/settings', patch);
      return { cacheMode: before.gateway.cacheMode };
    },
    async apply(patch) {
      const [gateway, ssr] = await Promise.all([
        call('gateway', 'GET', '/admin/settings'),
        call('ssr', 'GET', '/admin/settings'),
      ]);
      await call('gateway', 'PUT', '/admin/settings', patch);
      // the page cache has no batching to switch
      const { batching: _batching, ...pages } = patch;
      if (Object.keys(pages).length) await call('ssr', 'PUT', '/admin/settings', pages);
      return {
        cacheMode: (ssr as SsrSettings).cacheMode,
        batching: (gateway.subgraphs?.items?.batching as boolean | undefined) ?? true,
        cacheStore: (ssr as SsrSettings).cacheStore,
      };
    },
  };
}
