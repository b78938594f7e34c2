import { MAY_APPROVE_MICRO_CREDENTIALS } from '../../lib/accreditation.js';
import type { CredentialFacts, CredentialKind } from './facts.js';

// The authority table is shared with the member's offering rules (lib/accreditation.ts).
export { MAY_APPROVE_MICRO_CREDENTIALS };

export type IssuanceBasis = 'MEMBER_AUTHORITY' | 'EXTERNAL_ACCREDITATION' | 'NOT_CREDIT_BEARING' | 'PARTICIPATION';

export type IssuanceDecision = { allowed: true; basis: IssuanceBasis } | { allowed: false; reason: string };

type DecisionFacts = Pick<CredentialFacts, 'awardingBody' | 'offering' | 'achievement'>;

/** Whether the credential may be issued, and on what basis, or why not (in words for the person asking). */
export function decideIssuance(facts: DecisionFacts, kind: CredentialKind): IssuanceDecision {
  if (!facts.achievement.passed) {
    return { allowed: false, reason: 'the assessment was not passed, so there is nothing to certify' };
  }
  if (kind === 'PARTICIPATION') return { allowed: true, basis: 'PARTICIPATION' };
  if (!facts.offering.creditBearing) return { allowed: true, basis: 'NOT_CREDIT_BEARING' };
  const level = facts.awardingBody.accreditationAuthority;
  if (MAY_APPROVE_MICRO_CREDENTIALS[level]) return { allowed: true, basis: 'MEMBER_AUTHORITY' };
  const record = facts.offering.externalAccreditation;
  const on = facts.achievement.assessedOn;
  if (record && record.decidedOn <= on && (record.validUntil === null || record.validUntil >= on)) {
    return { allowed: true, basis: 'EXTERNAL_ACCREDITATION' };
  }
  const why = record
    ? `its external accreditation (${record.reference}) was not valid on the assessment date ${on}`
    : 'the offering has no external accreditation record';
  return {
    allowed: false,
    reason:
      `${facts.awardingBody.name} (accreditation authority ${level}) may not approve credit-bearing micro-credentials on its own, and ${why}. ` +
      'A certificate of participation (kind PARTICIPATION, no credit) can still be issued.',
  };
}
