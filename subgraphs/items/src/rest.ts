import type { Item } from '@supergraph-lab/db';
import { jsonBody } from '@supergraph-lab/http';
import { answerCreate } from '@supergraph-lab/subgraph';
import type { FastifyInstance } from 'fastify';
import type { ItemsModule } from './items.ts';

type IdParams = { Params: { id: string } };

/** `/api/items...`: the REST face of the items module (same validation, same writes as GraphQL). */
export function registerItemRoutes(app: FastifyInstance, items: ItemsModule): void {
  app.get<{ Querystring: Record<string, string> }>('/api/items', async (request) => {
    const page = await items.page(request.query, request.cacheReader);
    return { items: page.items, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  });
  app.post('/api/items', (request, reply) =>
    answerCreate(
      request,
      reply,
      (item: Item) => `/api/items/${item.id}`,
      (body, create) => items.create(body, create),
    ),
  );
  app.get<IdParams>('/api/items/:id', async (request) => items.get(request.params.id, request.cacheReader));
  app.put<IdParams>('/api/items/:id', async (request) => items.replace(request.params.id, jsonBody(request)));
  app.patch<IdParams>('/api/items/:id', async (request) => items.update(request.params.id, jsonBody(request)));
  app.delete<IdParams>('/api/items/:id', async (request, reply) => {
    await items.remove(request.params.id);
    return reply.code(204).send();
  });
}
