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

/*
 * The state of a member's sync from its own student information system
 * (subgraphs/member/sync/README.md). Not in the graph: the sync and the
 * member's staff (through SQL) read them.
 */

/** One run of the sync: the run history (started, finished, status, counts, error). */
export class SyncRun {
  /** A random UUID. */
  id!: string;
  /** Where the records came from: "oeapi". */
  source!: string;
  memberId!: string;
  /** "full" (everything, finds deletions) or "incremental" (changed since the watermark). */
  mode!: string;
  /** running, succeeded, failed, stopped (by a signal) or abandoned (the process died; found by the next run). */
  status!: string;
  startedAt!: Date;
  finishedAt?: Date | null;
  /** The resource it is on, or ended on: courses, persons, associations. */
  resource?: string | null;
  /** Pages committed so far. */
  pages!: number;
  /** The modification time it asked for records after; null: every record. */
  watermark?: Date | null;
  /** The source's clock when the run (or the run it resumes) began: the next watermark is taken from it. */
  serverStartedAt?: Date | null;
  /** Set when the run ended cleanly: the watermark of the next incremental run. */
  nextWatermark?: Date | null;
  /** sha256 of the mapping configuration (defaults, grading schemes): a change forces a full run. */
  configDigest!: string;
  /** JSON: counts per record kind (no personal data). */
  counts!: string;
  heldBack!: number;
  error?: string | null;
  resumedFrom?: string | null;
  resumedBy?: string | null;
  host!: string;
  pid!: number;
}

/** A page a run committed: written in the same transaction as the page's records. */
export class SyncCheckpoint {
  id!: number;
  runId!: string;
  resource!: string;
  page!: number;
  /** True on the row that closes a resource. */
  done!: boolean;
  /** JSON: what the page wrote. */
  counts!: string;
  at!: Date;
}

/** The run lock: one row per source while a run holds it, renewed with every page. */
export class SyncLock {
  name!: string;
  runId!: string;
  host!: string;
  pid!: number;
  acquiredAt!: Date;
  heartbeatAt!: Date;
  /** Raised by every renewal: a takeover is a compare-and-swap on it. */
  version!: number;
}

/** A source record the sync has seen: which hub record it became, for deletions and for what depends on it. */
export class SyncRecord {
  id!: number;
  /** course, offering, person or association. */
  kind!: string;
  /** The OEAPI id. */
  sourceId!: string;
  /** The hub record's global id (courses have none of their own). */
  hubId?: string | null;
  /** Offerings: the course's OEAPI id; associations: the offering's. */
  parentId?: string | null;
  /** JSON: what later stages need of the source record (a course's outcome ids; an offering's result type and study load). */
  facts?: string | null;
  lastSeenRun!: string;
  seenAt!: Date;
  /** When a full sweep last missed it (the hub record is kept or withdrawn, never deleted). */
  missingSince?: Date | null;
  /** Offerings: the withdrawal was the sync's (cancelled, draft, gone), not the staff's. */
  withdrawnBySync!: boolean;
  /** Offerings: every association has been read once; until then they are read without the watermark. */
  associationsComplete!: boolean;
}

/** A source record held back (not written): why, until it is written or disappears from the source. */
export class SyncHeld {
  id!: number;
  kind!: string;
  sourceId!: string;
  parentId?: string | null;
  hubId?: string | null;
  /** JSON: [{ field, reason, code? }]. */
  problems!: string;
  runId!: string;
  firstHeldAt!: Date;
  lastHeldAt!: Date;
}
