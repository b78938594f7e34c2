// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { AccreditationAuthority, MicroCredentialType, OpportunityKind } from '../member/enums.js';
import { RecognitionOutcome, RejectionReason, RuleScope } from './enums.js';

@InputType({ description: 'A free credit slot at the deciding member, e.g. 5 ECTS of electives at EQF 6.' })
export class CreditSlotInput {
  @Field(() => Float, { description: 'ECTS of the slot: more than 0, at most 60.' })
  ects!: number;

  @Field(() => Int, { description: 'EQF level 1–8.' })
  eqfLevel!: number;

  @Field(() => String, { description: 'What the slot is, e.g. "Electives, MSc Urban Planning" (2–200 characters).' })
  area!: string;

  @Field(() => String, { nullable: true, description: 'ISCED-F field code of the slot, e.g. "0731" (2–4 digits).' })
  iscedF?: string | null;
}

@InputType({ description: 'A reflective portfolio for non-formal or informal learning, assessed by the deciding member.' })
export class PortfolioInput {
  @Field(() => String, { description: 'What was learnt, where and how (3–200 characters).' })
  title!: string;

  @Field(() => String, { description: 'The reflection: what you learnt and how it matches the target (100–20,000 characters; line breaks allowed).' })
  reflection!: string;

  @Field(() => [String], { nullable: true, description: 'Up to 10 links to the work (https://…, at most 500 characters each).' })
  links?: string[] | null;
}

@InputType({ description: 'One piece of evidence: name exactly one of the fields.' })
export class EvidenceInput {
  @Field(() => ID, { nullable: true, description: 'One of your achievements at any member, e.g. "tuni.fi:ach-123-1".' })
  achievementId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A credential the alliance issued to you, "urn:uuid:…" (in force: not revoked or suspended).' })
  credentialId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "A credential from outside the alliance: a vc+jwt, or EDC JAdES JSON as a string. Accepted only when the hub's verification passes every check (valid, trusted issuer, not revoked).",
  })
  externalCredential?: string | null;

  @Field(() => PortfolioInput, { nullable: true, description: 'A reflective portfolio (non-formal or informal learning).' })
  portfolio?: PortfolioInput | null;
}

@InputType({
  description:
    "A request to a member to recognise evidence towards one of its offerings or a free credit slot. The evidence it names - and nothing else of yours - is shared with that member's staff.",
})
export class SubmitRecognitionRequestInput {
  @Field(() => ID, { description: 'The deciding member (usually your home member), e.g. "dcu.ie".' })
  memberId!: string;

  @Field(() => ID, { nullable: true, description: "One of the deciding member's offerings the credit is to replace. Name this or `creditSlot`." })
  offeringId?: string | null;

  @Field(() => CreditSlotInput, { nullable: true, description: 'A free credit slot. Name this or `offeringId`.' })
  creditSlot?: CreditSlotInput | null;

  @Field(() => [EvidenceInput], { description: '1 to 10 pieces of evidence.' })
  evidence!: EvidenceInput[];

  @Field(() => Float, { nullable: true, description: "ECTS you ask for: at most the target's and what the evidence carries. Default: as many as both allow." })
  ectsRequested?: number | null;

  @Field(() => String, { nullable: true, description: 'A statement for the recognition office (up to 2,000 characters).' })
  statement?: string | null;

  @Field(() => Boolean, { description: "Must be true: you agree that the deciding member's staff see the evidence this request names." })
  consent!: boolean;
}

@InputType({ description: "A decision of the deciding member's staff." })
export class DecideRecognitionInput {
  @Field(() => ID)
  requestId!: string;

  @Field(() => RecognitionOutcome)
  outcome!: RecognitionOutcome;

  @Field(() => Float, { nullable: true, description: 'RECOGNISED and PARTIALLY_RECOGNISED: ECTS recognised, more than 0 and at most what the evidence carries and the target holds.' })
  ectsRecognised?: number | null;

  @Field(() => String, { nullable: true, description: "The grade converted to your member's scale (up to 32 characters); needs `gradingScheme`." })
  convertedGrade?: string | null;

  @Field(() => String, { nullable: true, description: 'The scale of the converted grade, e.g. "ie-honours" (2–200 characters).' })
  gradingScheme?: string | null;

  @Field(() => String, { nullable: true, description: 'What the credit counts for (up to 500 characters); default: the target.' })
  countsAs?: string | null;

  @Field(() => RejectionReason, { nullable: true, description: 'REJECTED and PARTIALLY_RECOGNISED: the substantial difference (required).' })
  rejectionReason?: RejectionReason | null;

  @Field(() => String, {
    description:
      'Why, in words the learner will read (3–2,000 characters): a rejection must explain the difference it names (at least 20 characters); MORE_INFORMATION_NEEDED asks the question.',
  })
  explanation!: string;
}

@InputType({
  description:
    "A recognition rule: which evidence it covers and what it counts as. Every condition given must hold for every piece of evidence; the accreditation rule always applies (credit-bearing evidence from a member without the authority needs its external accreditation).",
})
export class RecognitionRuleInput {
  @Field(() => ID, { description: 'The member that publishes the rule and decides by it.' })
  memberId!: string;

  @Field(() => String, { description: '3–200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Up to 2,000 characters.' })
  description?: string | null;

  @Field(() => Boolean, { defaultValue: true, description: 'Only active rules decide requests.' })
  active!: boolean;

  @Field(() => RuleScope, { defaultValue: RuleScope.CREDIT_SLOTS })
  scope!: RuleScope;

  @Field(() => [ID], { nullable: true, description: "Scope OFFERINGS: the member's offerings (1–100) the rule covers requests towards." })
  offeringIds?: string[] | null;

  @Field(() => [AccreditationAuthority], { nullable: true, description: 'Accreditation authority levels of the awarding members it accepts; omitted: any.' })
  issuerAuthorities?: AccreditationAuthority[] | null;

  @Field(() => [ID], { nullable: true, description: 'The awarding members it accepts (up to 50); omitted: every alliance member.' })
  issuerMemberIds?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'Lowest EQF level of the evidence, 1–8.' })
  eqfMin?: number | null;

  @Field(() => Boolean, { defaultValue: true, description: 'The evidence must be a passed assessment.' })
  requirePassed!: boolean;

  @Field(() => [OpportunityKind], { nullable: true, description: 'Kinds of offering the evidence must be; omitted: any.' })
  opportunityKinds?: OpportunityKind[] | null;

  @Field(() => [MicroCredentialType], { nullable: true, description: 'Micro-credential types the evidence must be; omitted: any.' })
  microCredentialTypes?: MicroCredentialType[] | null;

  @Field(() => Float, { nullable: true, description: 'Most ECTS it recognises for one learner in one calendar year (more than 0, at most 60); omitted: no cap.' })
  ectsCapPerYear?: number | null;

  @Field(() => Float, { nullable: true, description: 'Fixed credit it grants per request (more than 0, at most the cap); it covers only evidence that carries at least this much.' })
  fixedEcts?: number | null;

  @Field(() => String, { description: 'What the credit counts as, e.g. "Elective ECTS, any master programme" (2–500 characters).' })
  countsAs!: string;
}
