// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import type { Ref } from '@mikro-orm/core';
import { AuditRecord } from '../../lib/audited-writes.js';
import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import {
  AccreditationAuthority,
  AssessmentType,
  EnrolmentStatus,
  LearningMode,
  LearningSetting,
  MicroCredentialType,
  OpportunityKind,
  ProficiencyLevel,
  Stackability,
  SupervisionVerification,
} from './enums.js';

/*
 * The member's data model. Each class is both a GraphQL object type
 * (type-graphql decorators, explicit types everywhere) and an ORM entity
 * (mapped without decorators in database.ts). Columns that only serve search
 * and ordering carry no @Field and stay out of the graph.
 */

@ObjectType({ description: 'How a member assures the quality of what it awards.' })
export class QualityAssuranceArrangement {
  @Field(() => String, { description: 'The external quality-assurance agency or accreditation body.' })
  body!: string;

  @Field(() => String, { description: 'The arrangement, e.g. institutional audit or programme accreditation.' })
  arrangement!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An alliance member university, as described by the member itself.' })
export class Institution {
  @Field(() => ID, { description: 'The member id: its web domain, e.g. "tuni.fi".' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: 'A short name, e.g. "TAU".' })
  shortName?: string | null;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2 country code.' })
  country!: string;

  @Field(() => Boolean, { description: 'True for associate members (outside the twelve full members).' })
  associate!: boolean;

  @Field(() => AccreditationAuthority)
  accreditationAuthority!: AccreditationAuthority;

  qaBody!: string;
  qaArrangement!: string;

  @Field(() => String, { nullable: true })
  website?: string | null;
}

@ObjectType({ description: 'A record that an external body accredited an offering (needed where the member cannot accredit).' })
export class ExternalAccreditation {
  @Field(() => String, { description: "The accrediting body's reference for the decision." })
  reference!: string;

  @Field(() => String, { description: 'The accrediting body.' })
  body!: string;

  @Field(() => LocalDateResolver)
  decidedOn!: string;

  @Field(() => LocalDateResolver, { nullable: true })
  validUntil?: string | null;

  @Field(() => String, { nullable: true })
  url?: string | null;
}

@Directive('@key(fields: "uri", resolvable: false)')
@ObjectType({ description: 'An ESCO skill; its labels come from the ESCO subgraph.' })
export class Skill {
  @Field(() => ID, { description: 'The ESCO URI, e.g. http://data.europa.eu/esco/skill/….' })
  uri!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An alliance learner (pseudonymous alliance id); resolved by the learners subgraph.' })
export class Learner {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A learning outcome (Annex I element 6), linked to an ESCO skill.' })
export class LearningOutcome {
  id!: number;
  opportunity!: Ref<LearningOpportunity>;

  @Field(() => Int, { description: 'Position within the offering, from 1.' })
  position!: number;

  @Field(() => String)
  description!: string;

  skillUri!: string;

  @Field(() => ProficiencyLevel, { description: 'The proficiency a successful learner is expected to reach.' })
  expectedProficiency!: ProficiencyLevel;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A learning opportunity offered by a member, with every Annex I element that belongs to an offering.' })
export class LearningOpportunity {
  @Field(() => ID, { description: 'Global id "<member id>:<local id>".' })
  id!: string;

  @Field(() => String, { nullable: true, description: "The member's own course code." })
  code?: string | null;

  @Field(() => String, { description: 'Title (Annex I element 2).' })
  title!: string;

  sortTitle!: string;
  searchText!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => OpportunityKind)
  kind!: OpportunityKind;

  @Field(() => MicroCredentialType, { description: 'Which of the alliance micro-credential types a pass earns.' })
  microCredentialType!: MicroCredentialType;

  @Field(() => Float, { description: 'Notional workload in ECTS credits (Annex I element 7).' })
  ects!: number;

  @Field(() => Int, { description: 'Notional workload in hours (1 ECTS ≈ 25–30 hours).' })
  workloadHours!: number;

  @Field(() => Int, { description: 'EQF level 1–8 (Annex I element 8).' })
  eqfLevel!: number;

  @Field(() => String, { nullable: true, description: 'ISCED-F 2013 field code (ELM thematic area), e.g. "0731".' })
  iscedF?: string | null;

  @Field(() => AssessmentType, { description: 'Type of assessment (Annex I element 9).' })
  assessmentType!: AssessmentType;

  @Field(() => LearningMode, { description: 'Form of participation (Annex I element 10).' })
  mode!: LearningMode;

  @Field(() => LearningSetting)
  learningSetting!: LearningSetting;

  @Field(() => String, { description: 'Type of quality assurance used (Annex I element 11).' })
  qualityAssurance!: string;

  @Field(() => String, { nullable: true, description: 'Prerequisites to enrol (Annex I, optional).' })
  prerequisites?: string | null;

  @Field(() => SupervisionVerification, { nullable: true, description: 'Supervision and identity verification during assessment (Annex I, optional).' })
  supervision?: SupervisionVerification | null;

  @Field(() => Stackability, { description: 'Integration/stackability options (Annex I, optional).' })
  stackability!: Stackability;

  @Field(() => String, { nullable: true, description: 'What it stacks towards, when stackable.' })
  stackableTowards?: string | null;

  /** Comma-separated SDG numbers; see `sdgs`. */
  sdgList!: string;

  /** Comma-separated ISO 639-1 codes; see `languages`. */
  languageList!: string;

  @Field(() => LocalDateResolver, { nullable: true })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  endDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  enrolmentDeadline?: string | null;

  @Field(() => Int, { nullable: true, description: 'Maximum number of participants; null when unlimited.' })
  capacity?: number | null;

  @Field(() => Boolean, { description: 'Whether passing earns ECTS credits.' })
  creditBearing!: boolean;

  @Field(() => String, { nullable: true, description: 'Further information (Annex I, optional).' })
  moreInformationUrl?: string | null;

  accreditationReference?: string | null;
  accreditationBody?: string | null;
  accreditationDecidedOn?: string | null;
  accreditationValidUntil?: string | null;
  accreditationUrl?: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true, description: "When the member's staff withdrew it from the catalogue (no longer listed or open to applications; its enrolments and results stay); null: offered." })
  withdrawnAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was withdrawn.' })
  withdrawalReason?: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A learner's account at a member: the member's own learner record." })
export class LearnerAccount {
  @Field(() => ID, { description: 'Global id "<member id>:<local id>".' })
  id!: string;

  /** Link to the alliance learner; exposed as `learner`. */
  allianceLearnerId?: string | null;

  /**
   * The learner's home member (the member of their first account in the
   * learner register, as the register said when this account was made; this
   * member itself for a learner new to the alliance). Only counted in the
   * statistics (HOME_MEMBER); null for accounts made before member contract 1.8.0.
   */
  homeMemberId?: string | null;

  @Field(() => String, { nullable: true, description: "The member's student number." })
  studentNumber?: string | null;

  @Field(() => String)
  givenName!: string;

  @Field(() => String)
  familyName!: string;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An enrolment of a learner account in an offering.' })
export class Enrolment {
  @Field(() => ID)
  id!: string;

  account!: Ref<LearnerAccount>;
  opportunity!: Ref<LearningOpportunity>;

  @Field(() => EnrolmentStatus)
  status!: EnrolmentStatus;

  @Field(() => DateTimeISOResolver)
  enrolledAt!: Date;

  @Field(() => DateTimeISOResolver)
  statusChangedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The language of instruction the learner applied to follow it in (ISO 639-1); null for enrolments made before applications came through the portal.' })
  language?: string | null;

  @Field(() => Boolean, { description: 'Whether the learner declared, when applying, that they meet the offering\'s prerequisites (staff check them before admitting).' })
  prerequisitesDeclared!: boolean;

  /** Why the status last changed (a decline reason code, or the learner's cancellation note); see `statusReason`. */
  statusReasonCode?: string | null;

  @Field(() => String, { nullable: true, description: 'What the deciding staff or the learner wrote when the status last changed (up to 500 characters).' })
  statusNote?: string | null;
}

@ObjectType({ description: 'A skill a learner showed in an assessment, at the level they reached.' })
export class AcquiredSkill {
  id!: number;
  achievement!: Ref<Achievement>;
  skillUri!: string;

  @Field(() => ProficiencyLevel)
  level!: ProficiencyLevel;
}

@ObjectType({ description: 'How a grade is to be read.' })
export class GradingScheme {
  @Field(() => String, { description: 'Scheme code, e.g. "fi-0-5".' })
  code!: string;

  @Field(() => String)
  description!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An assessed achievement: the outcome of an assessment of an enrolment.' })
export class Achievement {
  @Field(() => ID)
  id!: string;

  account!: Ref<LearnerAccount>;
  opportunity!: Ref<LearningOpportunity>;
  enrolment?: Ref<Enrolment> | null;

  @Field(() => LocalDateResolver, { description: 'Date of the assessment result.' })
  assessedOn!: string;

  @Field(() => String, { nullable: true, description: 'The grade achieved, in the grading scheme (Annex I, optional).' })
  grade?: string | null;

  gradingSchemeCode!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => Float, { description: 'ECTS credits awarded (0 when failed or not credit-bearing).' })
  ectsAwarded!: number;

  @Field(() => SupervisionVerification, { nullable: true, description: 'How the assessment was supervised.' })
  supervision?: SupervisionVerification | null;

  @Field(() => Int, { description: "1 as first recorded; each correction by the member's staff adds one (credentials issued for an earlier revision are suspended pending re-issue)." })
  revision!: number;
}

/**
 * A correction of an achievement, in order (the issuance service reads them
 * to suspend credentials issued for the facts before it): append-only.
 */
export class AchievementCorrection {
  id!: number;
  achievementId!: string;
  /** The achievement's revision after the correction. */
  revision!: number;
  correctedAt!: Date;
  correctedBy!: string;
}

/** An audit row of a write at this member (enrolment applications, decisions, cancellations): who, when, before and after. */
export class MemberAudit extends AuditRecord {}
