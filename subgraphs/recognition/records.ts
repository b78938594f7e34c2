import { AuditRecord } from '../../lib/audited-writes.js';

/*
 * What the recognition service stores. Plain classes mapped by database.ts;
 * the GraphQL types the graph shows are in model.ts. A request's history and
 * its decisions are append-only (RecognitionEvent rows are never updated):
 * the request row only carries where it stands now, for fast lists.
 */

/** Reads a stored comma-separated list (the rules' and pathways' list columns); null or empty: none. */
export const listOf = (value: string | null | undefined): string[] => (value ? value.split(',').filter(Boolean) : []);

/** A learner's request to a member to recognise evidence towards an offering or a free credit slot. */
export class RecognitionRequest {
  /** A random UUID. */
  id!: string;
  learnerId!: string;
  /** The deciding member (usually the learner's home member). */
  memberId!: string;
  targetKind!: string;
  /** The deciding member's offering the credit is for (targetKind OFFERING). */
  offeringId?: string | null;
  /** Snapshot of the target: the offering's title, or the slot's area (e.g. "Electives"). */
  targetTitle!: string;
  targetEcts!: number;
  targetEqfLevel?: number | null;
  /** ISCED-F code of a credit slot's field, when named. */
  targetIscedF?: string | null;
  /** ECTS the learner asks for (at most the target's). */
  ectsRequested!: number;
  /** Total ECTS the verifiable evidence carries (portfolios carry none until assessed). */
  evidenceEcts!: number;
  statement?: string | null;
  state!: string;
  /** True once the learner has used the one appeal. */
  appealed!: boolean;
  submittedAt!: Date;
  updatedAt!: Date;
  /** The current decision (denormalised from the latest decision event, for lists and sums). */
  decidedAt?: Date | null;
  ectsRecognised?: number | null;
  countsAs?: string | null;
  ruleId?: string | null;
  /** When the learner consented to share the named evidence with the deciding member. */
  consentedAt!: Date;
}

/** One piece of evidence a request names, as read when it was named (the deciding member sees this snapshot only). */
export class RecognitionEvidence {
  id!: number;
  requestId!: string;
  position!: number;
  kind!: string;
  /** Achievement id, credential id, or the external credential's own id. */
  reference?: string | null;
  /** The achievement a credential certifies. */
  achievementId?: string | null;
  title!: string;
  /** The awarding body: an alliance member id, or null outside the alliance. */
  issuerMemberId?: string | null;
  issuerName!: string;
  /** The awarding member's accreditation authority (alliance evidence only). */
  issuerAuthority?: string | null;
  /** Verifiable ECTS the evidence carries (0 when not credit-bearing; null for portfolios). */
  ects?: number | null;
  eqfLevel?: number | null;
  passed?: boolean | null;
  assessedOn?: string | null;
  grade?: string | null;
  gradingScheme?: string | null;
  opportunityKind?: string | null;
  microCredentialType?: string | null;
  creditBearing?: boolean | null;
  /** JSON: { reference, body, decidedOn, validUntil } of the offering's external accreditation. */
  externalAccreditation?: string | null;
  /** Comma-separated ESCO skill URIs shown. */
  skillList?: string | null;
  /** JSON of the verification result (external credentials), or the credential status. */
  verification?: string | null;
  /** The external credential as the learner sent it (vc+jwt or JAdES JSON), for the member to verify again. */
  document?: string | null;
  /** Portfolio: the reflection and the links (JSON list). */
  reflection?: string | null;
  linkList?: string | null;
  addedAt!: Date;
}

/** A step in a request's history; decisions are the steps with an outcome. Never updated. */
export class RecognitionEvent {
  id!: number;
  requestId!: string;
  action!: string;
  fromState?: string | null;
  toState!: string;
  at!: Date;
  actorSubject!: string;
  actorRole!: string;
  actorMemberId?: string | null;
  /** Why: the decision's explanation, the appeal's grounds, the learner's answer. */
  message?: string | null;
  outcome?: string | null;
  ectsRecognised?: number | null;
  convertedGrade?: string | null;
  gradingScheme?: string | null;
  countsAs?: string | null;
  rejectionReason?: string | null;
  ruleId?: string | null;
  ruleVersion?: number | null;
}

/** A member's published recognition rule: data, edited through the graph. */
export class RecognitionRule {
  id!: string;
  memberId!: string;
  name!: string;
  description?: string | null;
  active!: boolean;
  version!: number;
  scope!: string;
  /** Comma-separated offering ids of the owning member (scope OFFERINGS). */
  offeringList?: string | null;
  /** Comma-separated AccreditationAuthority values; null: any. */
  authorityList?: string | null;
  /** Comma-separated member ids whose evidence it covers; null: every alliance member. */
  issuerList?: string | null;
  eqfMin?: number | null;
  requirePassed!: boolean;
  /** Comma-separated OpportunityKind values; null: any. */
  kindList?: string | null;
  /** Comma-separated MicroCredentialType values; null: any. */
  typeList?: string | null;
  /** Most ECTS it recognises for one learner in one calendar year; null: no cap. */
  ectsCapPerYear?: number | null;
  /** Fixed credit per request (e.g. "a passed challenge counts as 5 ECTS"); null: what the request asks. */
  fixedEcts?: number | null;
  countsAs!: string;
  createdAt!: Date;
  createdBy!: string;
  updatedAt!: Date;
  updatedBy!: string;
}

/** Who did what, when, with the state before and after: every write of the service. */
export class RecognitionAudit extends AuditRecord {}

/** An idempotency key as used: caller + key → the request's fingerprint and what it made. */
export class RecognitionIdempotency {
  id!: number;
  /** sha256 of the caller's whole identity (lib/idempotency.ts callerScope). */
  caller!: string;
  subject!: string;
  key!: string;
  operation!: string;
  fingerprint!: string;
  resultId!: string;
  createdAt!: Date;
}

/**
 * A stackable pathway: what adds up to a larger credential, owned by a member
 * or by the alliance (ownerMemberId null). Data, edited through the graph;
 * the conditions are columns, the requirements one JSON list (pathways.ts checks it).
 */
export class Pathway {
  id!: string;
  /** The owning member; null: the alliance. */
  ownerMemberId?: string | null;
  name!: string;
  description?: string | null;
  active!: boolean;
  version!: number;
  /** ECTS the counted components must add up to. */
  ectsMin!: number;
  /** Most ECTS that count towards the pathway; null: no upper bound. */
  ectsMax?: number | null;
  /** Lowest EQF level of a component that counts; null: any. */
  eqfLevel?: number | null;
  /** Different members the counted components must come from. */
  minMembers!: number;
  /** Comma-separated SDGs: a component counts only if its offering has one of them; null: any. */
  sdgList?: string | null;
  /** Comma-separated member ids whose components count; null: every member. */
  memberList?: string | null;
  /** Comma-separated OpportunityKind values that count; null: any. */
  kindList?: string | null;
  /** YYYY-MM-DD: components assessed on or after / before this day count; null: open. */
  validFrom?: string | null;
  validUntil?: string | null;
  /** JSON list of PathwayRequirementSpec (pathways.ts). */
  requirements!: string;
  createdAt!: Date;
  createdBy!: string;
  updatedAt!: Date;
  updatedBy!: string;
}

/** A learner following a pathway (it then shows in their progress even before anything counts). */
export class PathwayFollow {
  id!: number;
  learnerId!: string;
  pathwayId!: string;
  followedAt!: Date;
}
