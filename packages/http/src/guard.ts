// Who may drive the routes that change the stack (the lab, the admin and cache routes): requests
// addressed to this machine by a name it answers to, and changes that come from its own pages.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './server.ts';

/** What {@link guardRoutes} checks, and where. */
export interface GuardOptions {
  /** Path prefixes guarded, e.g. `['/admin', '/cache']`. */
  prefixes: readonly string[];
  /** Names accepted in `Host` besides the loopback ones (ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
  /**
   * Changes need their origin proven (`Origin` or `Sec-Fetch-Site`) even without those headers:
   * for routes a browser's cookie lets in (the lab). Routes guarded by a bearer token accept a
   * request with neither header (curl, another service): no browser sends one across sites
   * without a preflight this server never grants.
   */
  requireOrigin?: boolean;
}

const LOOPBACK = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** The host name of a `Host` header, without its port; null when there is none. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return header.replace(/:\d+$/, '').toLowerCase();
}

/** Whether `Host` names this machine's loopback or one of `allowed`: a DNS-rebound name does not. */
export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  const name = hostName(header);
  if (!name) return false;
  return LOOPBACK.test(name) || allowed.some((host) => host.toLowerCase() === name);
}

/**
 * Why a state-changing request is refused as cross-site, or null when it is not: its `Origin`
 * must be this host's, its `Sec-Fetch-Site` same-origin (or none: typed in the address bar),
 * and its content type JSON even with no body (a form or a no-cors fetch cannot send that
 * without a preflight).
 */
export function crossSiteReason(request: FastifyRequest, requireOrigin: boolean): string | null {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (origin !== undefined) {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      // "null" (a sandboxed frame, a redirect across sites) or junk
    }
    if (host !== request.headers.host) return `Origin ${origin} is not this site`;
  }
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
  if (requireOrigin && origin === undefined && site === undefined)
    return 'a change needs an Origin or Sec-Fetch-Site header (sent by every current browser)';
  const type = request.headers['content-type'];
  if (requireOrigin && !(typeof type === 'string' && /^application\/json\b/i.test(type)))
    return 'a change must be sent as application/json, even without a body';
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses, on the guarded prefixes, a foreign `Host` (403) and a cross-site change (403). */
export function guardRoutes(app: FastifyInstance, options: GuardOptions): void {
  const guarded = (url: string) =>
    options.prefixes.some((prefix) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`));
  const refusal = (request: FastifyRequest): string | null => {
    if (!guarded(request.url)) return null;
    if (!hostAllowed(request.headers.host, options.allowedHosts))
      return (
        `Host ${JSON.stringify(request.headers.host ?? '')} is not one this service answers to here: ` +
        'loopback names, or add it to ALLOWED_HOSTS'
      );
    if (SAFE_METHODS.has(request.method)) return null;
    const reason = crossSiteReason(request, options.requireOrigin ?? false);
    return reason ? `cross-site request refused: ${reason}` : null;
  };
  // `done` rather than async (every request passes here): a refusal answers and never calls it
  app.addHook('onRequest', (request, reply, done) => {
    const detail = refusal(request);
    if (detail) forbid(reply, request, detail);
    else done();
  });
}

/** 403 problem details (`code: 'FORBIDDEN'`) saying why. */
export function forbid(reply: FastifyReply, request: FastifyRequest, detail: string): FastifyReply {
  return sendProblem(reply, 403, {
    type: 'https://supergraph-lab.dev/problems/forbidden',
    title: 'Forbidden',
    status: 403,
    detail,
    code: 'FORBIDDEN',
    instance: request.url.split('?')[0]!,
  });
}
