// The gateway through this origin: the SPA's GraphQL and REST calls, and the pages' "GraphQL
// Playground" link, which sends a browser to the gateway's port on the host it used.
import { sendProblem, toProblem, unavailable } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import { request as undiciRequest, type Agent } from 'undici';

/** `GET /api/*`, `GET /graphql` (a redirect) and `POST /graphql`, forwarded to `gatewayUrl`. */
export function registerGatewayProxy(
  app: FastifyInstance,
  options: { gatewayUrl: string; agent: Agent; timeoutMs: number },
): void {
  const { gatewayUrl, agent } = options;
  // the single-page app's REST calls reach the gateway through this origin, as its GraphQL does
  app.get<{ Params: { '*': string } }>('/api/*', async (request, reply) => {
    try {
      const upstream = await undiciRequest(`${gatewayUrl}${request.url}`, {
        dispatcher: agent,
        headers: { 'x-request-id': request.id },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: request.cancellation,
      });
      const type = upstream.headers['content-type'];
      if (typeof type === 'string') reply.type(type);
      return reply.code(upstream.statusCode).send(upstream.body);
    } catch (error) {
      const reason = (error as { code?: string }).code ?? (error as Error).message;
      return sendProblem(reply, 503, toProblem(unavailable(`the gateway is unavailable: ${reason}`), request.url), 5);
    }
  });
  // a person following the pages' "GraphQL Playground" link: the gateway's port on the host they used
  app.get('/graphql', async (request, reply) => {
    const gateway = new URL(gatewayUrl);
    return reply.redirect(
      `${request.protocol}://${request.hostname}${gateway.port ? `:${gateway.port}` : ''}/graphql`,
      302,
    );
  });
  // the browser's GraphQL requests go to the gateway through this same origin
  app.post('/graphql', async (request, reply) => {
    try {
      const upstream = await undiciRequest(`${gatewayUrl}/graphql`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'x-request-id': request.id },
        body: JSON.stringify(request.body),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      return reply.code(upstream.statusCode).type('application/json').send(upstream.body);
    } catch {
      return reply
        .code(503)
        .type('application/json')
        .send({ errors: [{ message: 'the gateway is unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    }
  });
}
