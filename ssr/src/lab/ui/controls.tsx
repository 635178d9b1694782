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

/** A whole-number field with its label and bounds. */
export function NumberField({
  label,
  name,
  min,
  max,
  value,
  onChange,
}: {
  label: string;
  name: string;
  min: number;
  max: number;
  value: number;
  onChange: (value: number) => void;
}) {
  return (
    <label>
      {label}{' '}
      <input
        type="number"
        name={name}
        min={min}
        max={max}
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
      />
    </label>
  );
}

/** `list` with `value` added, or taken out when it is there (a checkbox group's state). */
export const toggled = <T,>(list: readonly T[], value: T): T[] =>
  list.includes(value) ? list.filter((one) => one !== value) : [...list, value];
