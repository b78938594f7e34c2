import { GraphQLError } from 'graphql';
import type { Principal, RecordScope, Role } from './auth.js';

/*
 * The pieces of the access rules every subgraph shares (docs/security.md,
 * "Roles"). Each subgraph decides on its own objects; these helpers keep the
 * wording and the codes the same everywhere.
 */

export type SignedIn = Extract<Principal, { kind: 'user' }>;

/** The caller has not signed in (sent without an access token): the gateway answers HTTP 401. */
export function signInRequired(what: string): GraphQLError {
  return new GraphQLError(`Sign in to see ${what}: send an access token as "Authorization: Bearer <token>".`, {
    extensions: { code: 'UNAUTHENTICATED' },
  });
}

/** The caller is known but may not have this object: it is null in the response. */
export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.kind === 'user' && principal.roles.includes(role);
}

/** Throws UNAUTHENTICATED for an anonymous caller; returns the signed-in one. */
export function requireSignedIn(principal: Principal, what: string): SignedIn {
  if (principal.kind !== 'user') throw signInRequired(what);
  return principal;
}

/** Why a signed-in caller who holds none of the roles that could read a learner's record is refused. */
export function recordRefusal(principal: SignedIn): GraphQLError {
  if (principal.roles.includes('analyst') && principal.roles.length === 1) {
    return forbidden("Analysts see aggregates only, never a learner's record.");
  }
  if (principal.roles.includes('alliance-admin') && principal.roles.length === 1) {
    return forbidden("Alliance administrators manage the registry; they do not read learners' records.");
  }
  return forbidden("This record belongs to another learner, and you have no right to see it.");
}

/** The name of a scope in messages, e.g. "achievements". */
export function scopeName(scope: RecordScope): string {
  return scope.toLowerCase();
}
