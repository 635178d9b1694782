// A subgraph's process: its configuration, one service or WORKERS of them (node:cluster), and a
// clean stop on SIGINT/SIGTERM.
import cluster from 'node:cluster';
import { ConfigError, readConfig, requireDatabaseUrl, type Config, type SubgraphName } from '@supergraph-lab/config';
import { drainAndClose, onStopSignal, type RuntimeSettings } from '@supergraph-lab/http';
import type { SubgraphService, SubgraphServiceOptions } from './service.ts';

/**
 * A subgraph's `main.ts`: reads the configuration, listens on its port, stops cleanly on
 * SIGINT/SIGTERM. Configuration errors end the process with one line.
 */
export async function runSubgraphMain(
  name: SubgraphName | 'monolith',
  create: (config: Config, options?: SubgraphServiceOptions) => Promise<SubgraphService>,
  portOf: (config: Config) => number = (config) => config.ports[name],
): Promise<void> {
  let config: Config;
  try {
    config = readConfig();
    requireDatabaseUrl(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(name, config.workers);
  // a worker passes settings changes to its siblings through the primary, and applies theirs
  const worker = cluster.isWorker ? process : null;
  const service = await create(
    config,
    worker ? { onSettingsChanged: (patch) => worker.send?.({ type: 'settings', patch }) } : {},
  );
  worker?.on('message', (message: { type?: string; patch?: Partial<RuntimeSettings> }) => {
    if (message?.type === 'settings' && message.patch) service.applySettings(message.patch);
  });
  const url = await service.listen(portOf(config), config.host);
  const what = name === 'monolith' ? name : `${name} subgraph`;
  const workerId = cluster.isWorker ? `, worker ${cluster.worker?.id}` : '';
  service.app.log.info(`${what} listening at ${url}/graphql (REST under ${url}/api)${workerId}`);
  onStopSignal(async (signal) => {
    service.app.log.info(`${signal}: draining and shutting down`);
    await drainAndClose(service.app, () => service.close(), config.shutdown);
  });
}

/**
 * WORKERS > 1: this process only forks the workers (they share the port: node:cluster), relays
 * settings changes between them, restarts one that dies, and on SIGINT/SIGTERM lets each drain.
 */
function runPrimary(name: string, count: number): void {
  let stopping = false;
  const start = () => {
    const worker = cluster.fork();
    worker.on('message', (message: { type?: string }) => {
      if (message?.type !== 'settings') return;
      for (const sibling of Object.values(cluster.workers ?? {}))
        if (sibling && sibling !== worker) sibling.send(message);
    });
  };
  for (let i = 0; i < count; i++) start();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`${name}: worker ${worker.id} exited (${signal ?? code}); starting another`);
    start();
  });
  onStopSignal(async (signal) => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.process.kill(signal);
          }),
      ),
    );
  });
}
