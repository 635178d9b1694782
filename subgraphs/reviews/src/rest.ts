import type { Review } from '@supergraph-lab/db';
import { jsonBody } from '@supergraph-lab/http';
import { answerCreate } from '@supergraph-lab/subgraph';
import type { FastifyInstance } from 'fastify';
import type { ReviewsModule } from './reviews.ts';

type IdParams = { Params: { id: string } };

/** `/api/items/:id/reviews...` and `/api/reviews/:id`: the REST face of the reviews module. */
export function registerReviewRoutes(app: FastifyInstance, reviews: ReviewsModule): void {
  app.get<IdParams & { Querystring: Record<string, string> }>('/api/items/:id/reviews', async (request) => {
    const page = await reviews.pageOfItem(request.params.id, request.query, request.cacheReader);
    return { reviews: page.reviews, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  });
  app.get<IdParams>('/api/items/:id/reviews/summary', async (request) =>
    reviews.summaryOfItem(request.params.id, request.cacheReader),
  );
  app.post<IdParams>('/api/items/:id/reviews', (request, reply) =>
    answerCreate(
      request,
      reply,
      (review: Review) => `/api/reviews/${review.id}`,
      (body, create) => reviews.create(request.params.id, body, create),
    ),
  );
  app.get<IdParams>('/api/reviews/:id', async (request) => reviews.get(request.params.id, request.cacheReader));
  app.put<IdParams>('/api/reviews/:id', async (request) => reviews.replace(request.params.id, jsonBody(request)));
  app.patch<IdParams>('/api/reviews/:id', async (request) => reviews.update(request.params.id, jsonBody(request)));
  app.delete<IdParams>('/api/reviews/:id', async (request, reply) => {
    await reviews.remove(request.params.id);
    return reply.code(204).send();
  });
}
