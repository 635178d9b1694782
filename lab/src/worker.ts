// The load lab's worker, in a process of its own: its CPU and event loop are not the lab's, whose
// live events and page must keep up while it generates load. It runs a load test on the load
// tester's engine, or page loads in headless Chromium on the browser bench.
import { itemIds, runBrowserBench, runLoadTest } from '@supergraph-lab/loadtest';
import type { FromWorker, ToWorker } from './protocol.ts';
import { benchSettings } from './settings.ts';

const cancel = new AbortController();
const send = (message: FromWorker) => process.send?.(message);

function run(message: Extract<ToWorker, { type: 'start' }>): Promise<FromWorker> {
  const { settings, endpoints, metrics, maxItemId, timeoutMs, variant } = message;
  if (settings.kind === 'browser') {
    const ids = itemIds(maxItemId);
    return runBrowserBench({
      ...benchSettings(settings, maxItemId),
      endpoints: { ssr: endpoints.ssr, gateway: endpoints.gateway },
      nextId: ids,
      signal: cancel.signal,
      onProgress: ({ variant, sample, samples }) => send({ type: 'sampling', variant, sample, samples }),
      onLoad: ({ variant, sample, load }) => send({ type: 'load', point: { variant, sample, load } }),
    }).then(({ results, background }) => ({ type: 'browser-done', results, background }));
  }
  return runLoadTest({
    targets: settings.targets,
    rates: settings.rates,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
    timeoutMs,
    connections: 256,
    endpoints,
    metricsEndpoints: metrics,
    maxItemId,
    order: 'rate',
    variant,
    // each step's statements, fetches and CPU per request, read from the services' /metrics
    mechanism: true,
    signal: cancel.signal,
    onEvent: (event) => send({ type: 'event', event }),
  }).then((steps) => ({ type: 'done', steps }));
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    cancel.abort();
    return;
  }
  run(message).then(
    (done) => {
      send(done);
      process.disconnect?.();
    },
    (error: Error) => {
      send({ type: 'failed', message: error.message });
      process.disconnect?.();
    },
  );
});
// the lab going away must not leave a load generator running
process.on('disconnect', () => cancel.abort());
