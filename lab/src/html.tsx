// The lab's HTML answers: whole documents rendered once (they are small and carry no data to
// stream), and JSON made safe to put in a <script>.
import type { FastifyReply } from 'fastify';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

/** Sends `document` (an <html> tree) with `status` as a complete HTML page. */
export function sendPage(reply: FastifyReply, status: number, document: ReactElement): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!DOCTYPE html>${renderToStaticMarkup(document)}`);
}

/** JSON safe inside a <script> element: "<" escaped so no text can close the script. */
export function serializeState(state: unknown): string {
  return JSON.stringify(state)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
