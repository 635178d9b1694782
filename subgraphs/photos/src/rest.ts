import { created, jsonBody } from '@supergraph-lab/http';
import type { FastifyInstance } from 'fastify';
import type { PhotosModule } from './photos.ts';

type IdParams = { Params: { id: string } };

/** `/api/items/:id/photos` and `/api/photos/:id`: the REST face of the photos module. */
export function registerPhotoRoutes(app: FastifyInstance, photos: PhotosModule): void {
  app.get<IdParams & { Querystring: Record<string, string> }>('/api/items/:id/photos', async (request) => ({
    photos: await photos.ofItem(request.params.id, request.query, request.cacheReader),
  }));
  app.post<IdParams>('/api/items/:id/photos', async (request, reply) => {
    const photo = await photos.add(request.params.id, jsonBody(request));
    return created(reply, `/api/photos/${photo.id}`, photo);
  });
  app.get<IdParams>('/api/photos/:id', async (request) => photos.get(request.params.id, request.cacheReader));
  app.put<IdParams>('/api/photos/:id', async (request) => photos.replace(request.params.id, jsonBody(request)));
  app.patch<IdParams>('/api/photos/:id', async (request) => photos.update(request.params.id, jsonBody(request)));
  app.delete<IdParams>('/api/photos/:id', async (request, reply) => {
    await photos.remove(request.params.id);
    return reply.code(204).send();
  });
}
