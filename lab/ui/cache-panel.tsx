import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { percent as pct } from '@supergraph-lab/loadtest/format';
import { CONTENT_LAYERS } from '@supergraph-lab/cache/layers';
import { api, type CacheView, type OnMessage } from './api.ts';
import { Chart, align } from './chart.tsx';

const LAYER_COLORS = ['#1f77b4', '#2ca02c', '#e6550d', '#9467bd'];
const STORE_NAMES: Record<string, string> = { redis: 'Redis', memcached: 'memcached' };

export function CachePanel({ onMessage }: { onMessage: OnMessage }) {
  const [view, setView] = useState<CacheView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ratios, setRatios] = useState<{ t: number; layer: string; ratio: number | null }[]>([]);
  const last = useRef<CacheView | null>(null);

  const load = useCallback(async () => {
    try {
      const next = await api<CacheView>('/lab/api/cache');
      setError(null);
      setView(next);
      const before = last.current;
      last.current = next;
      if (before) {
        const t = Math.round(Date.parse(next.at) / 1000);
        // hit ratio over the last interval, per layer: from the difference of the counters
        const fresh = Object.entries(next.layers).map(([layer, now]) => {
          const hits = now.hits - (before.layers[layer]?.hits ?? 0);
          const lookups = hits + now.misses - (before.layers[layer]?.misses ?? 0);
          return { t, layer, ratio: lookups > 0 ? (hits / lookups) * 100 : null };
        });
        setRatios((list) => [...list, ...fresh].slice(-300));
      }
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, 2000);
    return () => clearInterval(timer);
  }, [load]);

  async function flush() {
    try {
      const answer = await api<{ deletedKeys: number; note?: string }>('/lab/api/cache/flush', { method: 'POST' });
      onMessage({
        kind: 'info',
        text: answer.note
          ? `Cache flushed: every entry is dead (a new epoch). ${answer.note}.`
          : `Cache flushed: ${answer.deletedKeys} keys removed.`,
      });
      await load();
    } catch (failure) {
      onMessage({ kind: 'error', text: (failure as Error).message });
    }
  }

  // the content layers the services report, in the order of the cache module's list
  const layers = CONTENT_LAYERS.filter((layer) => view?.layers[layer]);
  const data = useMemo(
    () =>
      align(
        layers.map((layer) => ratios.filter((point) => point.layer === layer)),
        (point) => point.t - (ratios[0]?.t ?? 0),
        (point) => point.ratio,
      ),
    [ratios, layers.join()],
  );

  return (
    <section className="panel" aria-labelledby="cache-title">
      <h2 id="cache-title">Cache</h2>
      {error ? <p className="warning">{error}</p> : null}
      {view ? (
        <>
          <p>
            CACHE_MODE <strong>{view.mode}</strong> · store {view.store.kind}
            {view.store.keys !== undefined
              ? ` (${STORE_NAMES[view.store.kind] ?? view.store.kind} holds ${view.store.keys} keys`
              : ''}
            {view.store.usedMemory ? `, ${view.store.usedMemory}` : ''}
            {view.store.evictions !== undefined ? `, ${view.store.evictions} evicted` : ''}
            {view.store.keys !== undefined ? ')' : ''} ·{' '}
            {Object.entries(view.layers)
              .map(([layer, stats]) =>
                view.off?.layers.includes(layer)
                  ? `${layer} off`
                  : `${layer} ${stats.hitRatio === null ? '-' : `${pct(stats.hitRatio)}%`}`,
              )
              .join(' · ')}{' '}
            hits since start
          </p>
          {view.off && view.mode !== 'off' && view.mode !== 'entity' ? (
            <p className="warning" data-testid="layers-off">
              Off whatever CACHE_MODE says: {view.off.layers.join(', ')}. The {view.off.reason}.
            </p>
          ) : null}
          <button type="button" onClick={flush}>
            Flush cache
          </button>
          <Chart
            title="cache hit ratio over time, per layer"
            xLabel="seconds"
            yLabel="hit %"
            series={layers.map((layer) => ({ label: layer, color: LAYER_COLORS[CONTENT_LAYERS.indexOf(layer)]! }))}
            data={data}
            height={160}
          />
          {view.store.keyListing === false ? (
            <p className="note" data-testid="no-key-listing">
              No entry list: {view.store.note}.
            </p>
          ) : (
            <div className="scroll short">
              <table className="entries">
                <caption>Entries in the cache now (a sample of {view.entries.length})</caption>
                <thead>
                  <tr>
                    <th scope="col">key</th>
                    <th scope="col">layer</th>
                    <th scope="col">TTL s</th>
                    <th scope="col">bytes</th>
                  </tr>
                </thead>
                <tbody>
                  {view.entries.map((entry) => (
                    <tr key={entry.key}>
                      <td className="key">{entry.key}</td>
                      <td>{entry.layer}</td>
                      <td>{entry.ttlMs === null ? 'none' : Math.round(entry.ttlMs / 1000)}</td>
                      <td>{entry.sizeBytes}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : (
        !error && <p>Loading…</p>
      )}
    </section>
  );
}
