import { randomUUID } from 'node:crypto';
import { badUserInput, checkedText, unknownMember } from '../../lib/errors.js';
import { isMemberId, isVerifierId, type MemberIds } from '../../lib/ids.js';
import { ConsentGrantStatus, ConsentPurpose, ConsentScope, GranteeKind } from './enums.js';
import type { GrantConsentInput } from './inputs.js';
import type { CallerSharing, ConsentGrant } from './model.js';

/*
 * The rules of a learner's sharing grants (docs/security.md, "Consent").
 */

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_GRANT_DAYS = 180;
export const MAX_GRANT_DAYS = 2 * 365;
/** A learner shares with a handful of recipients; more active grants than this is a runaway client. */
export const MAX_ACTIVE_GRANTS = 100;

export function grantStatus(grant: ConsentGrant, now = new Date()): ConsentGrantStatus {
  if (grant.revokedAt) return ConsentGrantStatus.REVOKED;
  if (grant.expiresAt.getTime() <= now.getTime()) return ConsentGrantStatus.EXPIRED;
  return ConsentGrantStatus.ACTIVE;
}

export function grantScopes(grant: ConsentGrant): ConsentScope[] {
  return grant.scopeList.split(',').filter(Boolean) as ConsentScope[];
}

export function grantSourceMembers(grant: ConsentGrant): string[] {
  return grant.sourceMemberList ? grant.sourceMemberList.split(',') : [];
}

/** The caller's member's view of one learner's grants: what the active grants to that member share. */
export function sharingWith(grants: readonly ConsentGrant[], memberId: string, now = new Date()): CallerSharing[] {
  return grants
    .filter((grant) => grant.granteeKind === GranteeKind.MEMBER && grant.granteeMemberId === memberId && grantStatus(grant, now) === ConsentGrantStatus.ACTIVE)
    .map((grant) => ({ scopes: grantScopes(grant), memberIds: grantSourceMembers(grant) }));
}

export interface GrantContext {
  learnerId: string;
  /** Members where the learner has an account: the only records a grant can share. */
  learnerMembers: ReadonlySet<string>;
  /** Members of the alliance (from the registry), or null when this service was not told. */
  knownMembers: MemberIds | null;
  activeGrants: number;
  now: Date;
}

/** Checks a grant request and builds the grant, or throws BAD_USER_INPUT naming the field. */
export function newGrant(input: GrantConsentInput, context: GrantContext): Omit<ConsentGrant, 'learner'> {
  const { now } = context;
  if (Boolean(input.memberId) === Boolean(input.verifier)) {
    throw badUserInput('Name exactly one recipient: "input.memberId" (a member\'s staff) or "input.verifier".', 'input.memberId');
  }
  let memberId: string | null = null;
  if (input.memberId) {
    if (!isMemberId(input.memberId)) throw badUserInput('"input.memberId" must be a member id: the member\'s web domain, e.g. "tuni.fi".', 'input.memberId');
    if (context.knownMembers && !context.knownMembers.has(input.memberId)) throw unknownMember(input.memberId, 'input.memberId');
    memberId = input.memberId;
  }
  const verifierName = input.verifier ? checkedText(input.verifier.name, 'input.verifier.name', 2, 200) : null;
  const verifierId = input.verifier ? checkedText(input.verifier.id, 'input.verifier.id', 8, 500) : null;
  if (verifierId !== null && !isVerifierId(verifierId)) {
    throw badUserInput('"input.verifier.id" must be a web address (https://…), a DID (did:method:…) or an e-mail address (mailto:…).', 'input.verifier.id');
  }
  const purposeDescription = checkedText(input.purposeDescription, 'input.purposeDescription', 3, 500);
  if (input.purpose === ConsentPurpose.OTHER && purposeDescription === null) {
    throw badUserInput('"input.purposeDescription" is required when the purpose is OTHER.', 'input.purposeDescription');
  }
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) throw badUserInput('"input.scopes" must name at least one kind of record.', 'input.scopes');
  let sourceMembers: string[] | null = null;
  if (input.sourceMemberIds !== null && input.sourceMemberIds !== undefined) {
    if (input.sourceMemberIds.length > 50) throw badUserInput('"input.sourceMemberIds" may list at most 50 members.', 'input.sourceMemberIds');
    sourceMembers = [...new Set(input.sourceMemberIds)];
    if (sourceMembers.length === 0) throw badUserInput('"input.sourceMemberIds" must name at least one member, or be left out to share every member\'s records.', 'input.sourceMemberIds');
    const foreign = sourceMembers.filter((id) => !context.learnerMembers.has(id));
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 3).map((id) => (id.length > 60 ? `${id.slice(0, 60)}…` : id));
      throw badUserInput(`"input.sourceMemberIds": you have no account at ${shown.join(', ')}, so there is nothing there to share.`, 'input.sourceMemberIds');
    }
  }
  const expiresAt = input.expiresAt ?? new Date(now.getTime() + DEFAULT_GRANT_DAYS * DAY_MS);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime()) {
    throw badUserInput('"input.expiresAt" must be in the future.', 'input.expiresAt');
  }
  if (expiresAt.getTime() > now.getTime() + MAX_GRANT_DAYS * DAY_MS) {
    throw badUserInput(`"input.expiresAt" may be at most ${MAX_GRANT_DAYS} days ahead; grant again when it ends.`, 'input.expiresAt');
  }
  if (context.activeGrants >= MAX_ACTIVE_GRANTS) {
    throw badUserInput(`You already have ${MAX_ACTIVE_GRANTS} active grants; revoke some before granting more.`, 'input');
  }
  return {
    id: randomUUID(),
    granteeKind: memberId ? GranteeKind.MEMBER : GranteeKind.VERIFIER,
    granteeMemberId: memberId,
    verifierName,
    verifierId,
    purpose: input.purpose,
    purposeDescription,
    scopeList: scopes.join(','),
    sourceMemberList: sourceMembers ? sourceMembers.join(',') : null,
    grantedAt: now,
    expiresAt,
    revokedAt: null,
    revocationReason: null,
  };
}

/** Checks the optional reason given for a revocation. */
export function revocationReason(reason: string | null | undefined): string | null {
  return checkedText(reason, 'reason', 1, 500);
}
