// The gateway as a process: GATEWAY_PORT (default 4000); subgraphs at ITEMS_URL, REVIEWS_URL,
// PHOTOS_URL (default 127.0.0.1 on their ports).
import { ConfigError, readConfig } from '@supergraph-lab/config';
import { drainAndClose, onStopSignal } from '@supergraph-lab/http';
import { CompositionError } from './supergraph.ts';
import { createGatewayService } from './service.ts';

try {
  const config = readConfig();
  const gateway = await createGatewayService(config);
  const url = await gateway.listen(config.ports.gateway, config.host);
  gateway.app.log.info(`gateway listening at ${url}/graphql (Playground in a browser; REST under ${url}/api)`);
  onStopSignal(async (signal) => {
    gateway.app.log.info(`${signal}: draining and shutting down`);
    await drainAndClose(gateway.app, () => gateway.close(), config.shutdown);
  });
} catch (error) {
  if (error instanceof ConfigError || error instanceof CompositionError) {
    console.error(`gateway: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
