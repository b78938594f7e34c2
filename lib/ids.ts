import { badUserInput } from './errors.js';

/**
 * Every member-owned entity has a globally unique id `<member id>:<local id>`,
 * e.g. `tuni.fi:mm-204`. The member id is the member's web domain (SCHAC home
 * organisation style), so it never contains a colon and the owner of any id can
 * be read off the id itself, which is what lets the router send each entity
 * fetch to exactly one member.
 */
export const MEMBER_ID_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
/**
 * The alliance's member ids as a service checks them: the registry's, which
 * may change while the service runs (subgraphs/members/registry-watch.ts); a
 * Set of ids is one too.
 */
export interface MemberIds {
  has(id: string): boolean;
  readonly size: number;
}

const LOCAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

/**
 * An alliance learner id: a short opaque token (the identity provider's
 * `eciu_learner` claim, the learner register's key), e.g. "eciu-4k7q2m9x8c1z".
 * One pattern for tokens, the register and the CLI, so an id one accepts the
 * others accept too.
 */
const LEARNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;

/** A UUID as the hub writes its own ids (randomUUID: lower-case hex): grants, receipts, requests, rules, pathways. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A verifier id: who a learner shares with outside the alliance, as the
 * identity provider names it (`eciu_verifier`) and as learners name it in a
 * grant: a web address (https://…), a DID (did:method:…) or an e-mail address
 * (mailto:…), 8 to 500 characters.
 */
const VERIFIER_ID_PATTERN = /^(?:https:\/\/[^\s]+|did:[a-z0-9]+:[^\s]+|mailto:[^\s@]+@[^\s@]+)$/;

export function isVerifierId(value: string): boolean {
  return value.length >= 8 && value.length <= 500 && VERIFIER_ID_PATTERN.test(value);
}

export function isLearnerId(value: string): boolean {
  return LEARNER_ID_PATTERN.test(value);
}

export function isMemberId(value: string): boolean {
  return value.length <= 253 && MEMBER_ID_PATTERN.test(value);
}

export function globalId(memberId: string, localId: string): string {
  return `${memberId}:${localId}`;
}

export interface ParsedGlobalId {
  memberId: string;
  localId: string;
}

/** Splits a global id, or returns undefined when it is not one. */
export function parseGlobalId(id: string): ParsedGlobalId | undefined {
  const colon = id.indexOf(':');
  if (colon <= 0) return undefined;
  const memberId = id.slice(0, colon);
  const localId = id.slice(colon + 1);
  if (!isMemberId(memberId) || !LOCAL_ID_PATTERN.test(localId)) return undefined;
  return { memberId, localId };
}

/** Like `parseGlobalId`, but throws BAD_USER_INPUT naming the argument. */
export function requireGlobalId(id: string, argument = 'id'): ParsedGlobalId {
  const parsed = parseGlobalId(id);
  if (!parsed) {
    throw badUserInput(
      `"${argument}" must be a hub id of the form <member id>:<local id>, e.g. "tuni.fi:mm-204".`,
      argument,
    );
  }
  return parsed;
}
