// Who gets into the lab: whoever holds its token (LAB_TOKEN, or one made up at start and logged),
// traded once by `GET /lab?token=` for a cookie, or sent by a script as a Bearer header; asked
// for by one of this machine's names only, and changed from the lab's own page only.
import { randomBytes } from 'node:crypto';
import type { Config } from '@supergraph-lab/config';
import { bearerToken, crossSiteReason, forbid, guardRoutes, sendProblem, tokenMatches } from '@supergraph-lab/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RefusedDocument } from './document.tsx';
import { sendPage } from './html.tsx';

/** The cookie a browser holds once it traded the token (the token itself, for `/lab` paths only). */
export const LAB_COOKIE = 'lab_token';

const HOW =
  'open the lab URL npm start printed (…/lab?token=…; the lab logs one when LAB_TOKEN is unset), ' +
  'or send Authorization: Bearer <LAB_TOKEN>';

/** The lab's token: LAB_TOKEN, else one made up for this process (`madeUp`: log it, as nobody else knows it). */
export function labToken(config: Config): { token: string; madeUp: boolean } {
  return config.labToken
    ? { token: config.labToken, madeUp: false }
    : { token: randomBytes(24).toString('base64url'), madeUp: true };
}

/** The lab cookie's value in the request, or undefined. */
function cookieToken(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== LAB_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * How the request proves it holds the token: `bearer` (a script: no ambient credentials),
 * `cookie` (a browser, whose cookie any page could make it send), or null. A request with an
 * Authorization header is judged by it alone.
 */
export function labCredential(request: FastifyRequest, token: string): 'bearer' | 'cookie' | null {
  if (request.headers.authorization !== undefined) return tokenMatches(bearerToken(request), token) ? 'bearer' : null;
  return tokenMatches(cookieToken(request), token) ? 'cookie' : null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Guards `/lab` on `app`: a foreign Host is refused (403: DNS rebinding), every
 * `/lab/api/*` request needs the token (401), and a change the cookie lets in must come from the
 * lab's own page (403: a cross-site form or no-cors fetch carries the cookie too).
 */
export function guardLab(app: FastifyInstance, options: { token: string; allowedHosts: readonly string[] }): void {
  guardRoutes(app, { prefixes: ['/lab'], allowedHosts: options.allowedHosts });
  app.addHook('onRequest', async (request, reply) => {
    // the route's pattern too: no spelling of a path that reaches a lab route escapes the check
    if (!request.url.startsWith('/lab/api/') && !request.routeOptions.url?.startsWith('/lab/api/')) return;
    const credential = labCredential(request, options.token);
    if (!credential) {
      reply.header('www-authenticate', 'Bearer realm="supergraph-lab lab"');
      return sendProblem(reply, 401, {
        type: 'https://supergraph-lab.dev/problems/unauthorized',
        title: 'Unauthorized',
        status: 401,
        detail: `the lab API needs the lab's token: ${HOW}`,
        code: 'UNAUTHORIZED',
        instance: request.url.split('?')[0]!,
      });
    }
    if (credential === 'bearer' || SAFE_METHODS.has(request.method)) return;
    const reason = crossSiteReason(request, true);
    if (reason) return forbid(reply, request, `cross-site request refused: ${reason}`);
  });
}

/**
 * `GET /lab`'s door: `?token=` right trades it for the cookie and redirects (303) to `/lab`
 * without it in the address; without the cookie (or a Bearer header) a 401 page says how to get
 * in. Returns the reply sent, or null when the request may see the lab.
 */
export function labDoor(request: FastifyRequest, reply: FastifyReply, token: string): FastifyReply | null {
  const given = (request.query as { token?: unknown }).token;
  if (typeof given === 'string') {
    if (!tokenMatches(given, token)) return refusedPage(reply, 'That token is not this lab’s.');
    reply
      .code(303)
      .header('set-cookie', `${LAB_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/lab`)
      .header('location', '/lab')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer');
    return reply.send();
  }
  return labCredential(request, token) ? null : refusedPage(reply, 'The load lab needs its token.');
}

function refusedPage(reply: FastifyReply, reason: string): FastifyReply {
  reply.header('cache-control', 'no-store').header('www-authenticate', 'Bearer realm="supergraph-lab lab"');
  return sendPage(reply, 401, <RefusedDocument reason={reason} />);
}
