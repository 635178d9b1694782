// The load lab's load generator, in a process of its own: its CPU and event loop must not be the
// SSR service's, which is one of the targets it measures.
import { runLoadTest } from '@supergraph-lab/loadtest';
import type { FromWorker, ToWorker } from './protocol.ts';

const cancel = new AbortController();
const send = (message: FromWorker) => process.send?.(message);

process.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    cancel.abort();
    return;
  }
  const { settings, endpoints, maxItemId, timeoutMs } = message;
  runLoadTest({
    targets: settings.targets,
    rates: settings.rates,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
    timeoutMs,
    connections: 256,
    endpoints,
    maxItemId,
    order: 'rate',
    variant: null,
    signal: cancel.signal,
    onEvent: (event) => send({ type: 'event', event }),
  }).then(
    (steps) => {
      send({ type: 'done', steps });
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
