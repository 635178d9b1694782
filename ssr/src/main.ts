// The SSR service as a process: SSR_PORT (default 3000), the gateway at GATEWAY_URL or
// http://127.0.0.1:GATEWAY_PORT.
import { ConfigError, readConfig } from '@supergraph-lab/config';
import { drainAndClose, onStopSignal } from '@supergraph-lab/http';
import { createSsrService } from './service.tsx';

try {
  const config = readConfig();
  const ssr = createSsrService(config);
  const url = await ssr.listen(config.ports.ssr, config.host);
  ssr.app.log.info(`ssr listening at ${url} (the shop at ${url}/, item pages under ${url}/items/)`);
  onStopSignal(async (signal) => {
    ssr.app.log.info(`${signal}: draining and shutting down`);
    await drainAndClose(ssr.app, () => ssr.close(), config.shutdown);
  });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`ssr: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
