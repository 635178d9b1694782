// Controls the lab's run panels share: the cache mode and store pickers and a run's progress with its Cancel.
import { useState } from 'react';
import { CACHE_MODES, type CacheMode, type CacheStoreKind } from '@supergraph-lab/config/modes';
import { cancelRun, type LabState, type OnMessage, type RunStatus } from './api.ts';

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

/**
 * The cache store for a run (Redis or memcached), offered when the stack has both (CACHE_URL
 * beside REDIS_URL); switched for the run like CACHE_MODE. Unchanged: the store in use.
 */
export function useCacheStore(state: LabState) {
  const stores = (state.settings.gateway?.cacheStores ?? []) as CacheStoreKind[];
  const [store, setStore] = useState<CacheStoreKind | null>(null);
  const chosen = store ?? (state.settings.gateway?.cacheStore as CacheStoreKind | undefined) ?? null;
  return { stores, chosen, setStore, asSetting: store && stores.length > 1 ? { cacheStore: store } : {} };
}

export function CacheStoreSelect({ name, choice }: { name: string; choice: ReturnType<typeof useCacheStore> }) {
  if (choice.stores.length < 2) return null;
  return (
    <label>
      cache store{' '}
      <select
        name={name}
        value={choice.chosen ?? ''}
        onChange={(event) => choice.setStore(event.target.value as CacheStoreKind)}
      >
        {choice.stores.map((store) => (
          <option key={store}>{store}</option>
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
