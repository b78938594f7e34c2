// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';
import { registerMemberEnums } from '../member/enums.js';

/** Where a recognition request stands (docs/recognition.md, "States"). */
export enum RecognitionState {
  SUBMITTED = 'SUBMITTED',
  MORE_INFORMATION_NEEDED = 'MORE_INFORMATION_NEEDED',
  RECOGNISED = 'RECOGNISED',
  PARTIALLY_RECOGNISED = 'PARTIALLY_RECOGNISED',
  REJECTED = 'REJECTED',
  APPEALED = 'APPEALED',
  WITHDRAWN = 'WITHDRAWN',
}

/** What a decision says. */
export enum RecognitionOutcome {
  RECOGNISED = 'RECOGNISED',
  PARTIALLY_RECOGNISED = 'PARTIALLY_RECOGNISED',
  REJECTED = 'REJECTED',
  MORE_INFORMATION_NEEDED = 'MORE_INFORMATION_NEEDED',
}

/**
 * Why credit is (partly) refused, in the spirit of the Lisbon Recognition
 * Convention: recognition is the rule, and a refusal must name a substantial
 * difference (the burden of proof lies with the deciding member), or say that
 * the evidence itself does not hold.
 */
export enum RejectionReason {
  SUBSTANTIAL_DIFFERENCE_LEVEL = 'SUBSTANTIAL_DIFFERENCE_LEVEL',
  SUBSTANTIAL_DIFFERENCE_WORKLOAD = 'SUBSTANTIAL_DIFFERENCE_WORKLOAD',
  SUBSTANTIAL_DIFFERENCE_LEARNING_OUTCOMES = 'SUBSTANTIAL_DIFFERENCE_LEARNING_OUTCOMES',
  SUBSTANTIAL_DIFFERENCE_QUALITY_ASSURANCE = 'SUBSTANTIAL_DIFFERENCE_QUALITY_ASSURANCE',
  SUBSTANTIAL_DIFFERENCE_PROFILE = 'SUBSTANTIAL_DIFFERENCE_PROFILE',
  EVIDENCE_NOT_AUTHENTIC = 'EVIDENCE_NOT_AUTHENTIC',
  CREDIT_ALREADY_COUNTED = 'CREDIT_ALREADY_COUNTED',
}

export enum EvidenceKind {
  ACHIEVEMENT = 'ACHIEVEMENT',
  CREDENTIAL = 'CREDENTIAL',
  EXTERNAL_CREDENTIAL = 'EXTERNAL_CREDENTIAL',
  PORTFOLIO = 'PORTFOLIO',
}

export enum RecognitionTargetKind {
  OFFERING = 'OFFERING',
  CREDIT_SLOT = 'CREDIT_SLOT',
}

/** One step in a request's history. */
export enum RecognitionAction {
  SUBMITTED = 'SUBMITTED',
  DECIDED = 'DECIDED',
  DECIDED_BY_RULE = 'DECIDED_BY_RULE',
  INFORMATION_PROVIDED = 'INFORMATION_PROVIDED',
  APPEALED = 'APPEALED',
  WITHDRAWN = 'WITHDRAWN',
}

/** Which requests a rule covers. */
export enum RuleScope {
  CREDIT_SLOTS = 'CREDIT_SLOTS',
  OFFERINGS = 'OFFERINGS',
}

/** The kind of role an actor acted in, as history shows it. */
export enum ActorRole {
  LEARNER = 'LEARNER',
  MEMBER_STAFF = 'MEMBER_STAFF',
  ALLIANCE_ADMIN = 'ALLIANCE_ADMIN',
  RULE = 'RULE',
}

/** What a pathway requirement asks for. */
export enum PathwayRequirementKind {
  ECTS_TOTAL = 'ECTS_TOTAL',
  MIN_MEMBERS = 'MIN_MEMBERS',
  ALL_OF = 'ALL_OF',
  ANY_OF = 'ANY_OF',
  CHALLENGE = 'CHALLENGE',
  SKILL = 'SKILL',
}

/** Registers the enums with type-graphql (called when the schema is built: no import-time side effects). */
export function registerRecognitionEnums(): void {
  // AccreditationAuthority, OpportunityKind and MicroCredentialType are the member contract's own: one definition in the supergraph.
  registerMemberEnums();
  registerEnumType(RecognitionState, {
    name: 'RecognitionState',
    description: 'Where a recognition request stands.',
    valuesConfig: {
      SUBMITTED: { description: 'Waiting for the deciding member (its staff, or one of its rules).' },
      MORE_INFORMATION_NEEDED: { description: 'The member asked the learner for more information; the learner answers with `provideRecognitionInformation`.' },
      RECOGNISED: { description: 'Credit recognised (see the decision: ECTS, converted grade, what it counts for). The learner may appeal once.' },
      PARTIALLY_RECOGNISED: { description: 'Part of the credit recognised; the decision names the substantial difference for the rest. The learner may appeal once.' },
      REJECTED: { description: 'Refused; the decision names the substantial difference. The learner may appeal once.' },
      APPEALED: { description: "Reopened by the learner's appeal: waiting for the member's new decision, which is final." },
      WITHDRAWN: { description: 'Withdrawn by the learner.' },
    },
  });
  registerEnumType(RecognitionOutcome, {
    name: 'RecognitionOutcome',
    valuesConfig: {
      RECOGNISED: { description: 'The credit is recognised: `ectsRecognised` (at most what the evidence carries), a converted grade if any, what it counts for.' },
      PARTIALLY_RECOGNISED: { description: 'Part of the credit is recognised; `rejectionReason` names the substantial difference for the rest.' },
      REJECTED: { description: 'Refused; `rejectionReason` and `explanation` name the substantial difference.' },
      MORE_INFORMATION_NEEDED: { description: 'A question to the learner (`explanation`); the request waits for the answer.' },
    },
  });
  registerEnumType(RejectionReason, {
    name: 'RejectionReason',
    description: 'Why credit is refused, after the Lisbon Recognition Convention: a substantial difference the deciding member names and explains, or evidence that does not hold.',
    valuesConfig: {
      SUBSTANTIAL_DIFFERENCE_LEVEL: { description: 'The level (EQF, cycle) differs substantially from what is required.' },
      SUBSTANTIAL_DIFFERENCE_WORKLOAD: { description: 'The workload (ECTS, hours) differs substantially.' },
      SUBSTANTIAL_DIFFERENCE_LEARNING_OUTCOMES: { description: 'The learning outcomes differ substantially.' },
      SUBSTANTIAL_DIFFERENCE_QUALITY_ASSURANCE: { description: 'The quality assurance of the evidence differs substantially (e.g. no accreditation).' },
      SUBSTANTIAL_DIFFERENCE_PROFILE: { description: 'The profile or purpose of the learning differs substantially.' },
      EVIDENCE_NOT_AUTHENTIC: { description: 'The evidence could not be authenticated.' },
      CREDIT_ALREADY_COUNTED: { description: 'The same credit already counts towards this target or another one.' },
    },
  });
  registerEnumType(EvidenceKind, {
    name: 'EvidenceKind',
    valuesConfig: {
      ACHIEVEMENT: { description: "An assessed achievement at an alliance member, read from the member's records." },
      CREDENTIAL: { description: 'A credential the alliance issued (by id), in force.' },
      EXTERNAL_CREDENTIAL: { description: "A credential from outside the alliance (vc+jwt or EDC JAdES), verified by the hub's verification: valid, trusted, not revoked." },
      PORTFOLIO: { description: 'A reflective portfolio for non-formal or informal learning: text and links, assessed by the deciding member.' },
    },
  });
  registerEnumType(RecognitionTargetKind, {
    name: 'RecognitionTargetKind',
    valuesConfig: {
      OFFERING: { description: "One of the deciding member's offerings (the credit replaces it)." },
      CREDIT_SLOT: { description: 'A free credit slot, e.g. 5 ECTS of electives at EQF 6.' },
    },
  });
  registerEnumType(RecognitionAction, {
    name: 'RecognitionAction',
    valuesConfig: {
      SUBMITTED: { description: 'The learner submitted the request and shared the evidence it names with the deciding member.' },
      DECIDED: { description: "A decision by the deciding member's staff." },
      DECIDED_BY_RULE: { description: "A decision taken at once by one of the member's published recognition rules." },
      INFORMATION_PROVIDED: { description: 'The learner answered a request for more information.' },
      APPEALED: { description: 'The learner appealed the decision (once).' },
      WITHDRAWN: { description: 'The learner withdrew the request.' },
    },
  });
  registerEnumType(RuleScope, {
    name: 'RuleScope',
    valuesConfig: {
      CREDIT_SLOTS: { description: 'Requests for free credit slots (electives).' },
      OFFERINGS: { description: 'Requests towards the offerings the rule lists.' },
    },
  });
  registerEnumType(ActorRole, {
    name: 'ActorRole',
    valuesConfig: {
      LEARNER: { description: 'The learner.' },
      MEMBER_STAFF: { description: "Staff of the deciding member (the recognition office)." },
      ALLIANCE_ADMIN: { description: 'An alliance administrator.' },
      RULE: { description: 'A published recognition rule of the deciding member.' },
    },
  });
  registerEnumType(PathwayRequirementKind, {
    name: 'PathwayRequirementKind',
    valuesConfig: {
      ECTS_TOTAL: { description: "The counted components add up to the pathway's ECTS (derived from ectsMin; not listed in a specification's requirements)." },
      MIN_MEMBERS: { description: 'The counted components come from at least minMembers members (derived; not listed in requirements).' },
      ALL_OF: { description: 'Every listed offering is done (or recognised towards).' },
      ANY_OF: { description: '`count` of the listed offerings are done.' },
      CHALLENGE: { description: 'At least one challenge is done (on `sdg`, when named).' },
      SKILL: { description: 'A counted component shows the ESCO skill.' },
    },
  });
}
