// The SSR service as a process: SSR_PORT (default 3000), the gateway at GATEWAY_URL or
// http://127.0.0.1:GATEWAY_PORT.
import { serveUntilStopped } from '@supergraph-lab/http';
import { createSsrService } from './service.tsx';

await serveUntilStopped('ssr', createSsrService, {
  port: (config) => config.ports.ssr,
  banner: (_ssr, url) => `ssr listening at ${url} (the shop at ${url}/, item pages under ${url}/items/)`,
});
