import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './server.ts';

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function isAdmin(request: FastifyRequest, token: string | undefined): boolean {
  const header = request.headers.authorization;
  if (!token || typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** 401 problem details for an admin endpoint, saying whether a token is configured at all. */
export function refuseAdmin(reply: FastifyReply, request: FastifyRequest, configured: boolean): FastifyReply {
  reply.header('www-authenticate', 'Bearer realm="supergraph-lab admin"');
  return sendProblem(reply, 401, {
    type: 'https://supergraph-lab.dev/problems/unauthorized',
    title: 'Unauthorized',
    status: 401,
    detail: configured ? 'admin endpoints need Authorization: Bearer <ADMIN_TOKEN>' : 'admin endpoints are off: ADMIN_TOKEN is not set',
    code: 'UNAUTHORIZED',
    instance: request.url,
  });
}
