import type { Endpoints, RunEvent, StepResult } from '@supergraph-lab/loadtest';

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

/** One point of a live chart: a target's second of load. */
export interface LivePoint {
  /** Seconds since the run started. */
  t: number;
  target: string;
  rate: number;
  phase: 'warmup' | 'measure';
  okPerSecond: number;
  p50: number | null;
  p99: number | null;
  errors: number;
}

/** The run in progress, as the page shows it. */
export interface RunStatus {
  id: number;
  who: string;
  settings: LabSettings;
  startedAt: string;
  state: 'starting' | 'running' | 'cancelling';
  /** 0..1 of the planned time. */
  progress: number;
  phase: { target: string; rate: number; phase: 'warmup' | 'measure'; stepIndex: number; stepCount: number } | null;
  points: LivePoint[];
  steps: StepResult[];
}

/** A stored run, as the history lists it. */
export interface RunSummary {
  id: number;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  who: string;
  settings: LabSettings;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export type LabEvent =
  | { type: 'status'; run: RunStatus | null }
  | { type: 'tick'; point: LivePoint; progress: number }
  | { type: 'step'; step: StepResult }
  | { type: 'finished'; run: RunSummary };

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
