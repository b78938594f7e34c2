import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { ActorRole } from './enums.js';
import type { RecognitionRequest } from './records.js';

/*
 * Who may do what with recognition (docs/recognition.md, "Access"):
 * - a learner submits requests, sees their own, answers, appeals, withdraws;
 * - staff of the deciding member see the requests addressed to it (with the
 *   evidence the learner named, nothing else) and decide them;
 * - staff of a member and alliance administrators edit that member's rules;
 * - anyone reads the published rules and pathways.
 * A request the caller may not see and a request that does not exist answer alike.
 */


export function requestNotFound(argument = 'requestId'): GraphQLError {
  return new GraphQLError('You have no recognition request with this id.', { extensions: { code: 'NOT_FOUND', argument } });
}

/** The signed-in learner acting on their own requests. */
export function actingLearner(principal: Principal, what: string): SignedIn & { learnerId: string } {
  const caller = requireSignedIn(principal, what);
  if (!hasRole(caller, 'learner') || !caller.learnerId) throw forbidden(`Only a learner can ${what}.`);
  return caller as SignedIn & { learnerId: string };
}

export function isOwnRequest(principal: Principal, request: RecognitionRequest): boolean {
  return hasRole(principal, 'learner') && principal.kind === 'user' && principal.learnerId === request.learnerId;
}

export function isDecidingStaff(principal: Principal, request: { memberId: string }): boolean {
  return hasRole(principal, 'member-staff') && principal.kind === 'user' && principal.memberId === request.memberId;
}

export function mayReadRequest(principal: Principal, request: RecognitionRequest): boolean {
  return isOwnRequest(principal, request) || isDecidingStaff(principal, request);
}

/** Staff of `memberId` or an alliance administrator: who may edit that member's rules. */
export function mayManageMember(principal: Principal, memberId: string): boolean {
  return hasRole(principal, 'alliance-admin') || isDecidingStaff(principal, { memberId });
}

/** The role an actor acts in for history and audit. */
export function actorRole(caller: SignedIn, memberId?: string | null): ActorRole {
  if (memberId && hasRole(caller, 'member-staff') && caller.memberId === memberId) return ActorRole.MEMBER_STAFF;
  if (hasRole(caller, 'alliance-admin')) return ActorRole.ALLIANCE_ADMIN;
  if (hasRole(caller, 'learner')) return ActorRole.LEARNER;
  return ActorRole.MEMBER_STAFF;
}
