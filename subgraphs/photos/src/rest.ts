import type { Photo } from '@supergraph-lab/db';
import { jsonBody } from '@supergraph-lab/http';
import { answerCreate } from '@supergraph-lab/subgraph';
import type { FastifyInstance } from 'fastify';
import type { PhotosModule } from './photos.ts';

type IdParams = { Params: { id: string } };

/** `/api/items/:id/photos` and `/api/photos/:id`: the REST face of the photos module. */
export function registerPhotoRoutes(app: FastifyInstance, photos: PhotosModule): void {
  app.get<IdParams & { Querystring: Record<string, string> }>('/api/items/:id/photos', async (request) => ({
    photos: await photos.ofItem(request.params.id, request.query, request.cacheReader),
  }));
  app.post<IdParams>('/api/items/:id/photos', (request, reply) =>
    answerCreate(
      request,
      reply,
      (photo: Photo) => `/api/photos/${photo.id}`,
      (body, create) => photos.add(request.params.id, body, create),
    ),
  );
  app.get<IdParams>('/api/photos/:id', async (request) => photos.get(request.params.id, request.cacheReader));
  app.put<IdParams>('/api/photos/:id', async (request) => photos.replace(request.params.id, jsonBody(request)));
  app.patch<IdParams>('/api/photos/:id', async (request) => photos.update(request.params.id, jsonBody(request)));
  app.delete<IdParams>('/api/photos/:id', async (request, reply) => {
    await photos.remove(request.params.id);
    return reply.code(204).send();
  });
}
