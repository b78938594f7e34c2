// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { AccreditationAuthority, MicroCredentialType, OpportunityKind } from '../member/enums.js';
import { ActorRole, EvidenceKind, RecognitionAction, RecognitionOutcome, RecognitionState, RecognitionTargetKind, RejectionReason, RuleScope } from './enums.js';

/*
 * The recognition subgraph's GraphQL types. The objects resolvers return are
 * the stored rows (records.ts); fields that are not stored as such are field
 * resolvers (resolvers.ts, rule-resolvers.ts).
 */

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An alliance learner. The recognition service adds their recognition requests.' })
export class Learner {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An alliance member; resolved by the member itself.' })
export class Institution {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A learning opportunity; resolved by the member that offers it.' })
export class LearningOpportunity {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "uri", resolvable: false)')
@ObjectType({ description: 'An ESCO skill; its labels come from the ESCO subgraph.' })
export class Skill {
  @Field(() => ID)
  uri!: string;
}

@ObjectType({ description: 'Who took a step in a request: a role, the member acted for, and (for staff and administrators) the token subject.' })
export class RecognitionActor {
  @Field(() => ActorRole)
  role!: ActorRole;

  @Field(() => Institution, { nullable: true, description: 'The member the actor acted for (staff and rules).' })
  member!: Institution | null;

  @Field(() => String, { nullable: true, description: "The person (the identity provider's subject); shown to the deciding member's staff only." })
  subject!: string | null;
}

@ObjectType({ description: 'What the credit is to count for: one of the deciding member\'s offerings, or a free credit slot.' })
export class RecognitionTarget {
  @Field(() => RecognitionTargetKind)
  kind!: RecognitionTargetKind;

  @Field(() => LearningOpportunity, { nullable: true, description: 'The offering (kind OFFERING).' })
  offering!: LearningOpportunity | null;

  @Field(() => String, { description: "The offering's title, or the slot's area (e.g. \"Electives\"), as submitted." })
  title!: string;

  @Field(() => Float, { description: 'ECTS the target carries.' })
  ects!: number;

  @Field(() => Int, { nullable: true, description: 'EQF level of the target.' })
  eqfLevel!: number | null;

  @Field(() => String, { nullable: true, description: 'ISCED-F field code of a credit slot, when named.' })
  iscedF!: string | null;
}

@ObjectType({ description: "An offering's external accreditation record, as read with the evidence." })
export class EvidenceAccreditation {
  @Field(() => String)
  reference!: string;

  @Field(() => String)
  body!: string;

  @Field(() => String, { description: 'YYYY-MM-DD.' })
  decidedOn!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD; null: open-ended.' })
  validUntil!: string | null;
}

@ObjectType({ description: 'One check of the verification of an external credential.' })
export class EvidenceCheck {
  @Field(() => String)
  check!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'A reflective portfolio (non-formal or informal learning).' })
export class Portfolio {
  @Field(() => String, { description: "The learner's reflection." })
  reflection!: string;

  @Field(() => [String], { description: 'Links to the work (https).' })
  links!: string[];
}

@ObjectType({
  description:
    'A piece of evidence a request names, as it was read when the learner named it: the deciding member sees this and nothing else of the learner\'s records.',
})
export class RecognitionEvidenceItem {
  @Field(() => EvidenceKind)
  kind!: EvidenceKind;

  @Field(() => ID, { nullable: true, description: 'The achievement (kind ACHIEVEMENT, or the one a CREDENTIAL certifies).' })
  achievementId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The credential id (CREDENTIAL and EXTERNAL_CREDENTIAL).' })
  credentialId!: string | null;

  @Field(() => String)
  title!: string;

  @Field(() => Institution, { nullable: true, description: 'The awarding member, for alliance evidence.' })
  issuer!: Institution | null;

  @Field(() => String, { description: 'The awarding body as named by the evidence.' })
  issuerName!: string;

  @Field(() => AccreditationAuthority, { nullable: true, description: "The awarding member's accreditation authority when the evidence was named." })
  issuerAuthority!: AccreditationAuthority | null;

  @Field(() => Float, { nullable: true, description: 'ECTS the evidence verifiably carries (0 when not credit-bearing); null for a portfolio, which the member assesses.' })
  ects!: number | null;

  @Field(() => Int, { nullable: true })
  eqfLevel!: number | null;

  @Field(() => Boolean, { nullable: true })
  passed!: boolean | null;

  @Field(() => String, { nullable: true, description: 'Date of the assessment, YYYY-MM-DD.' })
  assessedOn!: string | null;

  @Field(() => String, { nullable: true })
  grade!: string | null;

  @Field(() => String, { nullable: true, description: 'How the grade is to be read.' })
  gradingScheme!: string | null;

  @Field(() => OpportunityKind, { nullable: true })
  opportunityKind!: OpportunityKind | null;

  @Field(() => MicroCredentialType, { nullable: true })
  microCredentialType!: MicroCredentialType | null;

  @Field(() => Boolean, { nullable: true })
  creditBearing!: boolean | null;

  @Field(() => EvidenceAccreditation, { nullable: true })
  externalAccreditation!: EvidenceAccreditation | null;

  @Field(() => [Skill], { description: 'ESCO skills the evidence shows.' })
  skills!: Skill[];

  @Field(() => [EvidenceCheck], { nullable: true, description: "The hub's verification of an external credential, every check with its reason." })
  verification!: EvidenceCheck[] | null;

  @Field(() => String, { nullable: true, description: 'The external credential as sent (vc+jwt or JAdES JSON), for the member to verify again; staff of the deciding member only.' })
  document!: string | null;

  @Field(() => Portfolio, { nullable: true })
  portfolio!: Portfolio | null;

  @Field(() => DateTimeISOResolver)
  addedAt!: Date;
}

@ObjectType({ description: 'A decision on a request: never edited; a later decision (after an appeal) is a new one.' })
export class RecognitionDecision {
  @Field(() => RecognitionOutcome)
  outcome!: RecognitionOutcome;

  @Field(() => Float, { nullable: true, description: 'ECTS recognised (RECOGNISED, PARTIALLY_RECOGNISED): at most what the evidence carries.' })
  ectsRecognised!: number | null;

  @Field(() => String, { nullable: true, description: "The grade converted to the deciding member's scale, if any." })
  convertedGrade!: string | null;

  @Field(() => String, { nullable: true, description: 'The scale of the converted grade.' })
  gradingScheme!: string | null;

  @Field(() => String, { nullable: true, description: 'What the credit counts for, e.g. "Electives, MSc Urban Planning".' })
  countsAs!: string | null;

  @Field(() => RejectionReason, { nullable: true, description: 'The substantial difference (REJECTED, PARTIALLY_RECOGNISED).' })
  rejectionReason!: RejectionReason | null;

  @Field(() => String, { nullable: true, description: 'Why: the explanation of the decision, or the question to the learner.' })
  explanation!: string | null;

  @Field(() => DateTimeISOResolver)
  decidedAt!: Date;

  @Field(() => RecognitionActor)
  decidedBy!: RecognitionActor;

  @Field(() => Int, { nullable: true, description: 'The version of the rule that decided, when a rule did.' })
  ruleVersion!: number | null;
}

@ObjectType({ description: "A step in a request's history (append-only)." })
export class RecognitionHistoryEntry {
  @Field(() => RecognitionAction)
  action!: RecognitionAction;

  @Field(() => RecognitionState, { nullable: true })
  fromState!: RecognitionState | null;

  @Field(() => RecognitionState)
  toState!: RecognitionState;

  @Field(() => DateTimeISOResolver)
  at!: Date;

  @Field(() => RecognitionActor)
  actor!: RecognitionActor;

  @Field(() => String, { nullable: true, description: "Why: the learner's statement, answer or grounds of appeal; the decision's explanation." })
  message!: string | null;

  @Field(() => RecognitionDecision, { nullable: true, description: 'The decision taken at this step.' })
  decision!: RecognitionDecision | null;
}

@ObjectType({ description: "The learner's consent: what the request shares, with whom, since when." })
export class RecognitionConsent {
  @Field(() => DateTimeISOResolver)
  givenAt!: Date;

  @Field(() => Institution, { description: 'The deciding member, whose staff see the named evidence.' })
  sharedWith!: Institution;

  @Field(() => Int, { description: 'How many pieces of evidence are shared (the request names them; nothing else of the learner is).' })
  evidenceShared!: number;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A learner\'s request to a member to recognise evidence towards one of its offerings or a free credit slot.' })
export class RecognitionRequest {
  @Field(() => ID)
  id!: string;

  @Field(() => RecognitionState)
  state!: RecognitionState;

  @Field(() => Float, { description: 'ECTS the learner asks for.' })
  ectsRequested!: number;

  @Field(() => Float, { description: 'ECTS the verifiable evidence carries in total (portfolios count none until assessed).' })
  evidenceEcts!: number;

  @Field(() => String, { nullable: true, description: "The learner's statement." })
  statement!: string | null;

  @Field(() => DateTimeISOResolver)
  submittedAt!: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;

  @Field(() => Boolean, { description: 'True once the learner has used the one appeal.' })
  appealed!: boolean;
}

@ObjectType()
export class SubmitRecognitionPayload {
  @Field(() => RecognitionRequest)
  request!: RecognitionRequest;

  @Field(() => Boolean, { description: 'False when this is the request submitted before (a retry, or the same request again).' })
  created!: boolean;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A member's published recognition rule (automatic recognition): data, edited by the member's staff and alliance administrators." })
export class RecognitionRule {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Boolean, { description: 'Only active rules decide requests.' })
  active!: boolean;

  @Field(() => Int, { description: 'Goes up with every edit; decisions cite the version that decided.' })
  version!: number;

  @Field(() => RuleScope)
  scope!: RuleScope;

  @Field(() => Int, { nullable: true, description: 'Lowest EQF level of the evidence; null: any.' })
  eqfMin!: number | null;

  @Field(() => Boolean, { description: 'The evidence must be a passed assessment.' })
  requirePassed!: boolean;

  @Field(() => Float, { nullable: true, description: 'Most ECTS it recognises for one learner in one calendar year; null: no cap.' })
  ectsCapPerYear!: number | null;

  @Field(() => Float, { nullable: true, description: 'Fixed credit it grants per request (never more than the evidence carries); null: what the request asks.' })
  fixedEcts!: number | null;

  @Field(() => String, { description: 'What the credit counts as, e.g. "Elective ECTS".' })
  countsAs!: string;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;
}

@ObjectType({ description: 'What a rule would decide for a request, and why.' })
export class RuleDryRun {
  @Field(() => Boolean, { description: 'True when the rule covers the request (it would be decided at once).' })
  covers!: boolean;

  @Field(() => RecognitionOutcome, { nullable: true, description: 'The outcome it would decide, when it covers the request.' })
  outcome!: RecognitionOutcome | null;

  @Field(() => Float, { nullable: true, description: 'ECTS it would recognise: never more than the evidence carries, the request asks or the cap leaves.' })
  ectsRecognised!: number | null;

  @Field(() => [String], { description: 'Why it covers the request or not, one line per condition.' })
  reasons!: string[];
}
