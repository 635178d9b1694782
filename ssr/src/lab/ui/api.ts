// The lab page's view of the server: the JSON API under /lab/api and its event stream.
import type { LoadTestReport, StepResult } from '@supergraph-lab/loadtest';
import type { LabEvent, LabSettings, LabState, LivePoint, RunStatus, RunSummary, TargetInfo } from '../protocol.ts';

export type {
  LabEvent,
  LabSettings,
  LabState,
  TargetInfo,
  LivePoint,
  LoadTestReport,
  RunStatus,
  RunSummary,
  StepResult,
};

/** Shows a line under the lab's heading: what just happened, or what went wrong. */
export type OnMessage = (message: { kind: 'error' | 'info'; text: string }) => void;

export interface CacheView {
  at: string;
  mode: string;
  pageCacheMode: string;
  layers: Record<string, { hits: number; misses: number; hitRatio: number | null }>;
  store: { kind: string; keys?: number; usedMemory?: string | null };
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

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body as ApiError['body']);
  return body as T;
}
