// The gateway as a process: GATEWAY_PORT (default 4000); subgraphs at ITEMS_URL, REVIEWS_URL,
// PHOTOS_URL (default 127.0.0.1 on their ports).
import { serveUntilStopped } from '@supergraph-lab/http';
import { CompositionError } from './supergraph.ts';
import { createGatewayService } from './service.ts';

await serveUntilStopped('gateway', createGatewayService, {
  port: (config) => config.ports.gateway,
  banner: (_gateway, url) => `gateway listening at ${url}/graphql (Playground in a browser; REST under ${url}/api)`,
  isFatal: (error) => error instanceof CompositionError,
});
