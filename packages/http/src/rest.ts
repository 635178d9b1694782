import type { FastifyReply, FastifyRequest } from 'fastify';
import { badInput } from './errors.ts';

/** The JSON body of a write, or a 400 saying it is missing. */
export function jsonBody(request: FastifyRequest): unknown {
  if (request.body === undefined || request.body === null) {
    throw badInput('request body is required: send a JSON object with Content-Type: application/json');
  }
  return request.body;
}

/** 201 Created with the new resource's location. */
export function created<T>(reply: FastifyReply, location: string, body: T): T {
  reply.code(201).header('location', location);
  return body;
}
