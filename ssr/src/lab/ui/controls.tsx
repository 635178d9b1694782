// Controls the lab's run panels share: the cache mode picker and a run's progress with its Cancel.
import { CACHE_MODES, type CacheMode } from '@supergraph-lab/config/modes';
import { cancelRun, type OnMessage, type RunStatus } from './api.ts';

/** CACHE_MODE for the run: the stack is switched to it for the run's duration. */
export function CacheModeSelect({
  name,
  value,
  onChange,
}: {
  name: string;
  value: CacheMode;
  onChange: (mode: CacheMode) => void;
}) {
  return (
    <label>
      CACHE_MODE{' '}
      <select name={name} value={value} onChange={(event) => onChange(event.target.value as CacheMode)}>
        {CACHE_MODES.map((mode) => (
          <option key={mode}>{mode}</option>
        ))}
      </select>
    </label>
  );
}

/** The run's progress bar, its percentage and the button that cancels it. */
export function RunProgress({
  run,
  label,
  cancelLabel,
  onMessage,
}: {
  run: RunStatus;
  label: string;
  cancelLabel: string;
  onMessage: OnMessage;
}) {
  const percent = Math.round(run.progress * 100);
  return (
    <div className="progress-row">
      <progress className="progress" max={1} value={run.progress} aria-label={label}>
        {percent}%
      </progress>
      <span>{percent}%</span>
      <button type="button" onClick={() => cancelRun(onMessage)} disabled={run.state === 'cancelling'}>
        {cancelLabel}
      </button>
    </div>
  );
}
