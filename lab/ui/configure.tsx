import { useState, type FormEvent } from 'react';
import type { CacheMode } from '@supergraph-lab/config/modes';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { labRunSeconds } from '../src/protocol.ts';
import { CacheModeSelect, CacheStoreSelect, NumberField, toggled, useCacheStore } from './controls.tsx';
import { startRun, type LabState, type OnMessage, type RunStatus } from './api.ts';

const RATE_CHOICES = [1, 10, 100, 1000];

export function Configure({ state, run, onMessage }: { state: LabState; run: RunStatus | null; onMessage: OnMessage }) {
  const [targets, setTargets] = useState<string[]>(['graphql', 'rest', 'ssr']);
  const [rates, setRates] = useState<number[]>([10, 100]);
  const [extraRate, setExtraRate] = useState('');
  const [duration, setDuration] = useState(5);
  const [warmup, setWarmup] = useState(2);
  const [cacheMode, setCacheMode] = useState<CacheMode>((state.settings.gateway?.cacheMode as CacheMode) ?? 'all');
  const [batching, setBatching] = useState(true);
  const cacheStore = useCacheStore(state);
  const [allowWrites, setAllowWrites] = useState(false);
  const [scaledAB, setScaledAB] = useState(false);
  const [thresholds, setThresholds] = useState('p99<100, errors<1%');
  const [who, setWho] = useState('');
  const [busy, setBusy] = useState(false);
  const isWrite = (name: string) => state.targets.some((target) => target.name === name && target.write);
  const allRates = [...rates, ...(extraRate.trim() ? extraRate.split(',').map((one) => Number(one.trim())) : [])];
  const seconds = labRunSeconds({
    targets,
    rates: allRates,
    durationSeconds: duration,
    warmupSeconds: warmup,
    scaledAB,
  });

  async function start(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await startRun(
        {
          kind: 'load',
          targets,
          rates: allRates,
          durationSeconds: duration,
          warmupSeconds: warmup,
          cacheMode,
          ...cacheStore.asSetting,
          batching,
          allowWrites,
          scaledAB,
          thresholds: thresholds
            .split(',')
            .map((text) => text.trim())
            .filter(Boolean),
          who,
        },
        onMessage,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={start} aria-labelledby="configure-title">
      <h2 id="configure-title">Configure</h2>
      <fieldset>
        <legend>Targets (side by side)</legend>
        {state.targets.map((target) => (
          <label key={target.name} className="check" title={target.description}>
            <input
              type="checkbox"
              name="target"
              value={target.name}
              checked={targets.includes(target.name)}
              disabled={target.write && !allowWrites}
              onChange={() => setTargets(toggled(targets, target.name))}
            />
            <span className="swatch" style={{ background: colorOf(target.name) }} aria-hidden="true" />
            {target.label}
            {target.write ? <em> (writes)</em> : null}
          </label>
        ))}
        <label className="check">
          <input
            type="checkbox"
            name="allow-writes"
            checked={allowWrites}
            onChange={() => {
              // turning writes off takes the write targets out of the run with it
              if (allowWrites) setTargets(targets.filter((name) => !isWrite(name)));
              setAllowWrites(!allowWrites);
            }}
          />{' '}
          Allow write targets (they add reviews and items to the database at every rate)
        </label>
      </fieldset>
      <fieldset>
        <legend>Rate steps (requests/s)</legend>
        {RATE_CHOICES.map((rate) => (
          <label key={rate} className="check inline">
            <input
              type="checkbox"
              name="rate"
              value={rate}
              checked={rates.includes(rate)}
              onChange={() => setRates(toggled(rates, rate).sort((a, b) => a - b))}
            />
            {rate}
          </label>
        ))}
        <label className="inline">
          more{' '}
          <input
            name="extra-rates"
            value={extraRate}
            onChange={(event) => setExtraRate(event.target.value)}
            placeholder="e.g. 50,500"
            size={10}
          />
        </label>
      </fieldset>
      <div className="row">
        <NumberField
          label="Seconds per step"
          name="duration"
          min={1}
          max={120}
          value={duration}
          onChange={setDuration}
        />
        <NumberField label="Warm-up s" name="warmup" min={0} max={60} value={warmup} onChange={setWarmup} />
      </div>
      <div className="row">
        <CacheModeSelect name="cache-mode" value={cacheMode} onChange={setCacheMode} />
        <CacheStoreSelect name="cache-store" choice={cacheStore} />
        <label className="check inline">
          <input type="checkbox" name="batching" checked={batching} onChange={() => setBatching(!batching)} />{' '}
          DataLoader batching
        </label>
      </div>
      <label className="check" title={state.frontSwitchUnavailable ?? undefined}>
        <input
          type="checkbox"
          name="scaled-ab"
          checked={scaledAB}
          disabled={Boolean(state.frontSwitchUnavailable)}
          onChange={() => setScaledAB(!scaledAB)}
        />{' '}
        One gateway against two behind the balancer: the steps run on one gateway and SSR instance, then on two of each
        behind the balancer, the stack restarting into each (side by side in the results, with the verdict)
        {state.frontSwitchUnavailable ? <em> (unavailable: {state.frontSwitchUnavailable})</em> : null}
      </label>
      <label>
        Thresholds, as <code>npm run loadtest -- --threshold</code> takes them (each step passes when all hold){' '}
        <input
          name="thresholds"
          value={thresholds}
          onChange={(event) => setThresholds(event.target.value)}
          placeholder="p99<100, errors<1%"
        />
      </label>
      <label>
        Your name (shown to others while it runs){' '}
        <input name="who" value={who} onChange={(event) => setWho(event.target.value)} maxLength={80} />
      </label>
      <p className="hint">
        {targets.length} target{targets.length === 1 ? '' : 's'} × {allRates.length} rate
        {allRates.length === 1 ? '' : 's'}
        {scaledAB ? ' × 2 fronts' : ''}: about {Math.ceil(seconds / 6) / 10} min.
      </p>
      <button type="submit" disabled={busy || Boolean(run)}>
        Start run
      </button>
      {run ? <p className="hint">A run is in progress; cancel it or wait.</p> : null}
    </form>
  );
}
