// The load lab as a process: LAB_PORT (default 3100); the stack it measures at GATEWAY_URL and
// SSR_URL (else GATEWAY_PORT and SSR_PORT here) and the subgraphs' URLs; its runs under
// LAB_DATA_DIR (default .data/lab). It needs the ADMIN_TOKEN the gateway and the SSR service share.
import { serveUntilStopped } from '@supergraph-lab/http';
import { createLabService } from './service.tsx';

await serveUntilStopped('lab', createLabService, {
  port: (config) => config.ports.lab,
  // the way in, as Jupyter prints its own: nobody else knows a made-up token
  banner: (lab, url) => `lab at ${lab.madeUpUrl(url) ?? `${url}/lab (open it with ?token=$LAB_TOKEN)`}`,
});
