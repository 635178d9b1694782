// The load lab as a process: LAB_PORT (default 3100); the stack it measures at GATEWAY_URL and
// SSR_URL (else GATEWAY_PORT and SSR_PORT here) and the subgraphs' URLs; its runs under
// LAB_DATA_DIR (default .data/lab). It needs the ADMIN_TOKEN the gateway and the SSR service share.
import { ConfigError, readConfig } from '@supergraph-lab/config';
import { drainAndClose, onStopSignal } from '@supergraph-lab/http';
import { createLabService } from './service.tsx';

try {
  const config = readConfig();
  const lab = createLabService(config);
  const url = await lab.listen(config.ports.lab, config.host);
  // the way in, as Jupyter prints its own: nobody else knows a made-up token
  lab.app.log.info(`lab at ${lab.madeUpUrl(url) ?? `${url}/lab (open it with ?token=$LAB_TOKEN)`}`);
  onStopSignal(async (signal) => {
    lab.app.log.info(`${signal}: draining and shutting down`);
    await drainAndClose(lab.app, () => lab.close(), config.shutdown);
  });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`lab: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
