import type { Endpoints, RunEvent, StepResult } from '@supergraph-lab/loadtest';
import type { RunStatus } from './runner.ts';

/** What the lab asks for: the form on /lab, validated by `parseLabSettings`. */
export interface LabSettings {
  targets: string[];
  rates: number[];
  durationSeconds: number;
  warmupSeconds: number;
  cacheMode: 'off' | 'entity' | 'response' | 'all';
  batching: boolean;
  who: string;
}

/** Messages between the lab (in the SSR service) and its load-generator process. */
export type ToWorker =
  | { type: 'start'; settings: LabSettings; endpoints: Endpoints; maxItemId: number; timeoutMs: number }
  | { type: 'cancel' };

export type FromWorker =
  { type: 'event'; event: RunEvent } | { type: 'done'; steps: StepResult[] } | { type: 'failed'; message: string };

/** A target as the lab's form lists it. */
export interface TargetInfo {
  name: string;
  label: string;
  description: string;
  write: boolean;
}

/** What the page starts from (GET /lab/api/state). */
export interface LabState {
  run: RunStatus | null;
  targets: TargetInfo[];
  settings: {
    gateway?: { cacheMode: string };
    subgraphs?: Record<string, { cacheMode: string; batching: boolean } | null>;
    error?: string;
  };
  pageCacheMode: string;
}
