// The lab page's view of the server: the JSON API under /lab/api and its event stream.
import type { BrowserBenchReport, LoadTestReport, StepResult } from '@supergraph-lab/loadtest';
import type {
  BrowserPoint,
  BrowserRunSettings,
  LabEvent,
  LabSettings,
  LabState,
  LivePoint,
  LoadRunSettings,
  RunStatus,
  RunSummary,
  TargetInfo,
  VariantInfo,
} from '../src/protocol.ts';

export type {
  BrowserBenchReport,
  BrowserPoint,
  BrowserRunSettings,
  LabEvent,
  LabSettings,
  LabState,
  TargetInfo,
  VariantInfo,
  LivePoint,
  LoadTestReport,
  RunStatus,
  RunSummary,
  StepResult,
};

/** A load run as the run panel shows it: in progress, or finished (until the next one starts). */
export interface LoadRun {
  id: number;
  who: string;
  settings: LoadRunSettings;
  state: RunStatus['state'] | RunSummary['status'];
  error?: string | null;
}

/** Shows a line under the lab's heading: what just happened, or what went wrong. */
export type OnMessage = (message: { kind: 'error' | 'info'; text: string }) => void;

export interface CacheView {
  at: string;
  mode: string;
  pageCacheMode: string;
  /** The layers a per-process memory store turns off whatever CACHE_MODE says, and why; null when none is. */
  off: { layers: string[]; reason: string } | null;
  layers: Record<string, { hits: number; misses: number; hitRatio: number | null }>;
  store: {
    kind: string;
    keys?: number;
    usedMemory?: string | null;
    /** false on memcached, which cannot list its keys: `note` says so in place of the entries. */
    keyListing?: boolean;
    note?: string;
    evictions?: number;
  };
  entries: { key: string; layer: string; ttlMs: number | null; sizeBytes: number }[];
}

export interface Exchange {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  response: { status: number; headers: Record<string, string>; body: string } | null;
  outcome: { ok: boolean; error?: { kind: string; message: string }; serverTiming?: Record<string, number> };
  ms: number;
}

export interface Inspection {
  target: string;
  itemId: number;
  totalMs: number;
  exchanges: Exchange[];
}

/** A problem+json answer as an Error carrying the body (409 busy carries `running`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { detail?: string; running?: { id: number; who: string; state: string; startedAt: string } } | null,
  ) {
    super(body?.detail ?? `HTTP ${status}`);
  }
}

/**
 * One call to the lab's API. A change is always JSON, `{}` when it has nothing to say: the
 * server refuses any other change from a browser, as a cross-site form could send it.
 */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const change = method !== 'GET' && method !== 'HEAD';
  const response = await fetch(path, {
    method,
    headers: change ? { 'content-type': 'application/json' } : {},
    body: change ? JSON.stringify(init.body ?? {}) : undefined,
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body as ApiError['body']);
  return body as T;
}

/** Starts a run of either kind and says so, or says what stopped it (409: who is running one). */
export async function startRun(body: Record<string, unknown>, onMessage: OnMessage): Promise<void> {
  try {
    const answer = await api<{ run: RunStatus }>('/lab/api/runs', { method: 'POST', body });
    onMessage({ kind: 'info', text: `Run ${answer.run.id} started.` });
  } catch (error) {
    const running = error instanceof ApiError ? error.body?.running : undefined;
    onMessage({
      kind: 'error',
      text: running
        ? `Busy: run ${running.id} by ${running.who} is ${running.state} since ${new Date(running.startedAt).toLocaleTimeString()}.`
        : (error as Error).message,
    });
  }
}

/** Cancels the run in progress; it ends, keeping what it measured, within a few seconds. */
export async function cancelRun(onMessage: OnMessage): Promise<void> {
  try {
    await api('/lab/api/runs/current/cancel', { method: 'POST' });
  } catch (error) {
    onMessage({ kind: 'error', text: (error as Error).message });
  }
}
