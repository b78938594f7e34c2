import type { RequestHandler, Response } from 'express';
import { authenticate, InvalidTokenError, KeysUnavailableError, unauthenticated, type AccessTokenProfile, type Principal } from '../lib/auth.js';
import { memorySharedState, type SharedState } from '../lib/shared-state.js';

/*
 * Who is calling, and whether they are within their request budget: the
 * first thing every caller-facing route of the gateway does.
 *
 * A caller is the token's subject, or the client's address when anonymous
 * (lib/client-address.ts decides what that address is). A token that fails
 * verification costs its address one request of the address's budget, the
 * one anonymous callers there share: a flood of forged tokens is limited
 * like any other flood. And a signature check costs far more than a counter,
 * so the counter comes first: while an address's failed authentications
 * alone use up a minute's budget, its tokens are refused with 429 without
 * being verified at all.
 */

/** Where identify leaves its findings (`response.locals`). */
export const CALLER_LOCALS = { principal: 'principal', caller: 'caller' } as const;

/** The caller key of a request identified by `identify` (`user:<subject>` or `ip:<address>`). */
export function callerOf(response: Response): string {
  return String(response.locals[CALLER_LOCALS.caller] ?? 'ip:unknown');
}

/** The caller key of an identified principal; `address` for the anonymous (`ip:<address>`). */
export function callerKey(principal: Principal, address = 'ip:unknown'): string {
  return principal.kind === 'user' ? `user:${principal.subject}` : address;
}

export interface IdentifyOptions {
  auth: AccessTokenProfile;
  /** Requests per minute per caller; also the failed authentications an address may make per minute. */
  rateLimitPerMinute: number;
  /** Where the budgets are counted: shared by the gateway's replicas (lib/shared-state.ts); default this process. */
  sharedState?: SharedState;
}

function refuse(response: Response, status: number, message: string, code: string): void {
  response.status(status).json({ errors: [{ message, extensions: { code } }] });
}

function tooMany(response: Response, wait: number): void {
  response.setHeader('Retry-After', String(wait));
  refuse(response, 429, `Too many requests; try again in ${wait} s.`, 'RATE_LIMITED');
}

/** Express middleware: 401 for a refused token, 429 over budget, else the principal and caller key in `response.locals`. */
export function createIdentify(options: IdentifyOptions): RequestHandler {
  const shared = options.sharedState ?? memorySharedState();
  const requests = shared.limiter('requests', options.rateLimitPerMinute);
  const failures = shared.limiter('failed-sign-ins', options.rateLimitPerMinute);
  return async (request, response, next) => {
    const address = `ip:${request.ip ?? 'unknown'}`;
    const header = request.headers.authorization;
    const hasToken = header !== undefined && header.trim() !== '';
    if (hasToken) {
      const wait = await failures.peek(address);
      if (wait > 0) {
        tooMany(response, wait);
        return;
      }
    }
    let principal: Principal;
    try {
      principal = await authenticate(header, options.auth);
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        // Not the caller's fault and not a failed sign-in: no budget spent, and a retry will do.
        response.setHeader('Retry-After', '5');
        refuse(response, 503, 'The hub cannot check access tokens right now (its identity provider does not answer); try again shortly.', 'SERVICE_UNAVAILABLE');
        return;
      }
      if (!(error instanceof InvalidTokenError)) {
        next(error);
        return;
      }
      await failures.take(address);
      const wait = await requests.take(address);
      if (wait > 0) {
        tooMany(response, wait);
        return;
      }
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      refuse(response, 401, unauthenticated(error.reason).message, 'UNAUTHENTICATED');
      return;
    }
    const caller = callerKey(principal, address);
    const wait = await requests.take(caller);
    if (wait > 0) {
      tooMany(response, wait);
      return;
    }
    response.locals[CALLER_LOCALS.principal] = principal;
    response.locals[CALLER_LOCALS.caller] = caller;
    next();
  };
}
