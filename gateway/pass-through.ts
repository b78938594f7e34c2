import express, { type Express, type RequestHandler } from 'express';
import type { HttpClient } from '../lib/http-client.js';
import type { Logger } from '../lib/log.js';

export interface PassThrough {
  /** Path prefixes, e.g. "/credentials/". */
  prefixes: readonly string[];
  /** The service's base URL, e.g. "http://issuance:4004". */
  target: string;
  timeoutMs: number;
  /**
   * The route takes its own bearer token (an OID4VCI wallet's access token),
   * not a hub access token: the gateway does not read the Authorization
   * header (the caller counts as anonymous, rate-limited by address) and
   * passes it on unchanged.
   */
  forwardAuthorization?: boolean;
}

/** The largest body a pass-through route takes (a credential to verify, with its evidence). */
export const PASS_THROUGH_BODY_LIMIT = 2 * 1024 * 1024;

/** Request headers a pass-through route receives besides accept (and a wallet's Authorization). */
export const PASSED_REQUEST_HEADERS = ['content-type', 'accept-language', 'if-none-match', 'if-modified-since'] as const;

/**
 * Response headers of the owning service that reach the client: content and
 * caching, and the security headers the service sets for its own pages (the
 * verification page's Content-Security-Policy), which the gateway cannot know
 * better. CORS stays the gateway's; cookies and anything naming the service's
 * internals do not pass.
 */
export const PASSED_RESPONSE_HEADERS = [
  'content-type',
  'content-language',
  'content-disposition',
  'cache-control',
  'expires',
  'etag',
  'last-modified',
  'vary',
  'content-security-policy',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'strict-transport-security',
  'www-authenticate',
  'retry-after',
  'location',
  'link',
] as const;

/**
 * The service URL a request path is passed on to, or null when the path is
 * not one of the route's. The path is taken as the service would resolve it
 * ("/credentials/%2e%2e/graphql" is "/graphql"): only paths still under a
 * passed-through prefix leave the gateway, so no other route of the service
 * is reachable. Shared by every gateway the hub ships (deploy/hive-gateway).
 */
export function passThroughTarget(pathAndQuery: string, route: Pick<PassThrough, 'prefixes' | 'target'>): string | null {
  const resolved = new URL(pathAndQuery, 'http://gateway.invalid');
  if (!route.prefixes.some((prefix) => resolved.pathname.startsWith(prefix)) || /%2e|%2f|%5c/i.test(pathAndQuery)) return null;
  return new URL(`${resolved.pathname}${resolved.search}`, route.target).toString();
}

/** Whether a service's Location header may reach the client: a path, never an address (it could be internal). */
export function passableLocation(value: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(value);
}

/**
 * Passes public routes of a service (the issuer's keys, status lists,
 * credential verification) through the gateway, so their URLs are the hub's
 * public ones. Only method, path, query, body and a few request headers
 * travel; the answer keeps its status and the headers listed in
 * PASSED_RESPONSE_HEADERS. A service that does not answer gets 503 with its
 * name, never its address.
 */
export function mountPassThrough(app: Express, client: HttpClient, route: PassThrough, logger: Logger, identify: RequestHandler): void {
  const handler: RequestHandler = async (request, response) => {
    const url = passThroughTarget(request.originalUrl, route);
    if (!url) {
      response.status(404).json({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    try {
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : (request.body as Buffer | undefined);
      const answer = await client.fetch(url, {
        method: request.method,
        headers: {
          ...Object.fromEntries(PASSED_REQUEST_HEADERS.flatMap((name) => (typeof request.headers[name] === 'string' ? [[name, request.headers[name]]] : []))),
          accept: request.headers.accept ?? '*/*',
          ...(typeof response.locals['forwardedAuthorization'] === 'string' ? { authorization: response.locals['forwardedAuthorization'] } : {}),
        },
        ...(body && body.length > 0 ? { body } : {}),
        timeoutMs: route.timeoutMs,
      });
      const text = Buffer.from(await answer.arrayBuffer());
      response.status(answer.status);
      for (const name of PASSED_RESPONSE_HEADERS) {
        const value = answer.headers.get(name);
        if (value && (name !== 'location' || passableLocation(value))) response.setHeader(name, value);
      }
      response.send(text);
    } catch (error) {
      logger.warn('pass-through failed', { path: request.path, reason: (error as Error).message });
      response.status(503).json({ errors: [{ message: 'The credential service could not be reached; try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    }
  };
  // The wallet's token is the route's business: set aside before identify, which would refuse it as a hub token.
  const setAside: RequestHandler = (request, response, next) => {
    if (typeof request.headers.authorization === 'string') response.locals['forwardedAuthorization'] = request.headers.authorization;
    delete request.headers.authorization;
    next();
  };
  for (const prefix of route.prefixes) app.use(prefix, ...(route.forwardAuthorization ? [setAside] : []), identify, express.raw({ type: '*/*', limit: PASS_THROUGH_BODY_LIMIT }), handler);
}
