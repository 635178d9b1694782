// The lab's live state: the run in progress, its points and steps, the history, from the server's event stream.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  api,
  type BrowserPoint,
  type BrowserRunSettings,
  type LabEvent,
  type LabState,
  type LivePoint,
  type LoadRun,
  type RunStatus,
  type RunSummary,
  type StepResult,
} from './api.ts';

export function useLabEvents(initial: LabState) {
  const [state, setState] = useState(initial);
  const [run, setRun] = useState<RunStatus | null>(initial.run);
  const [points, setPoints] = useState<LivePoint[]>(initial.run?.points ?? []);
  const [steps, setSteps] = useState<StepResult[]>(initial.run?.steps ?? []);
  // the newest browser run's page loads: they stay on the panel once it has finished
  const [loads, setLoads] = useState<BrowserPoint[]>(initial.run?.loads ?? []);
  const [browserRun, setBrowserRun] = useState<{ id: number; settings: BrowserRunSettings } | null>(
    initial.run?.settings.kind === 'browser' ? { id: initial.run.id, settings: initial.run.settings } : null,
  );
  // the load run the run panel shows: the one in progress, or the last one until another starts
  const [loadRun, setLoadRun] = useState<LoadRun | null>(
    initial.run?.settings.kind === 'load'
      ? { id: initial.run.id, who: initial.run.who, settings: initial.run.settings, state: initial.run.state }
      : null,
  );
  const [message, setMessage] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const [history, setHistory] = useState<RunSummary[]>([]);
  const runId = useRef<number | null>(initial.run?.id ?? null);

  const refreshHistory = useCallback(() => {
    api<{ runs: RunSummary[] }>('/lab/api/runs').then(
      (answer) => setHistory(answer.runs),
      () => undefined,
    );
  }, []);

  useEffect(() => {
    refreshHistory();
    const source = new EventSource('/lab/api/events');
    const on = (type: LabEvent['type'], handle: (event: any) => void) =>
      source.addEventListener(type, (message) => handle(JSON.parse((message as MessageEvent).data)));
    on('status', (event: Extract<LabEvent, { type: 'status' }>) => {
      const next = event.run;
      if (!next) {
        runId.current = null;
        setRun(null);
        return;
      }
      // a run seen for the first time brings its points so far (status events later carry none);
      // the last run of the other kind stays on its panel
      if (runId.current !== next.id) {
        runId.current = next.id;
        if (next.settings.kind === 'browser') {
          setLoads(next.loads);
          setBrowserRun({ id: next.id, settings: next.settings });
        } else {
          setPoints(next.points);
          setSteps(next.steps);
        }
      }
      const settings = next.settings;
      if (settings.kind === 'load') setLoadRun({ id: next.id, who: next.who, settings, state: next.state });
      setRun((previous) => ({
        ...next,
        progress: Math.max(next.progress, previous?.id === next.id ? previous.progress : 0),
      }));
    });
    on('tick', (event: Extract<LabEvent, { type: 'tick' }>) => {
      setPoints((list) => [...list, event.point]);
      setRun((previous) => (previous ? { ...previous, progress: event.progress } : previous));
    });
    on('step', (event: Extract<LabEvent, { type: 'step' }>) => setSteps((list) => [...list, event.step]));
    on('load', (event: Extract<LabEvent, { type: 'load' }>) => {
      setLoads((list) => [...list, event.point]);
      setRun((previous) => (previous ? { ...previous, progress: event.progress } : previous));
    });
    on('finished', (event: Extract<LabEvent, { type: 'finished' }>) => {
      const ended = event.run;
      setLoadRun((shown) => (shown?.id === ended.id ? { ...shown, state: ended.status, error: ended.error } : shown));
      setMessage({
        kind: event.run.status === 'failed' ? 'error' : 'info',
        text: `Run ${event.run.id} ${event.run.status}${event.run.error ? `: ${event.run.error}` : ''}.`,
      });
      refreshHistory();
      api<LabState>('/lab/api/state').then(setState, () => undefined);
    });
    return () => source.close();
  }, [refreshHistory]);

  return { state, run, points, steps, loads, browserRun, loadRun, message, setMessage, history, refreshHistory };
}
