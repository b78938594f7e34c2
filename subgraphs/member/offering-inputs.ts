// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { AssessmentType, LearningMode, LearningSetting, MicroCredentialType, OpportunityKind, ProficiencyLevel, Stackability, SupervisionVerification } from './enums.js';
import { LearningOpportunity } from './model.js';

/* An offering as a member's staff write it (offering-curation.ts): every Annex I element, as the file import's template names them. */

@InputType({ description: 'A learning outcome (Annex I element 6).' })
export class LearningOutcomeInput {
  @Field(() => String, { description: 'What a successful learner can do (1–10,000 characters).' })
  description!: string;

  @Field(() => String, { description: 'The ESCO skill it develops (http://data.europa.eu/esco/skill/<uuid>).' })
  skillUri!: string;

  @Field(() => ProficiencyLevel)
  expectedProficiency!: ProficiencyLevel;
}

@InputType({ description: 'An offering as it should be: every field (an update replaces the offering with this).' })
export class OfferingInput {
  @Field(() => String, { nullable: true, description: 'Your course code.' })
  code?: string | null;

  @Field(() => String, { description: 'Title (Annex I element 2).' })
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => OpportunityKind)
  kind!: OpportunityKind;

  @Field(() => MicroCredentialType)
  microCredentialType!: MicroCredentialType;

  @Field(() => Float, { description: 'ECTS credits (Annex I element 7), more than 0 and at most 60.' })
  ects!: number;

  @Field(() => Int, { description: 'Notional workload in hours: 25–30 per ECTS credit.' })
  workloadHours!: number;

  @Field(() => Int, { description: 'EQF level 1–8 (Annex I element 8).' })
  eqfLevel!: number;

  @Field(() => String, { nullable: true, description: 'ISCED-F 2013 field code, e.g. "0731".' })
  iscedF?: string | null;

  @Field(() => AssessmentType, { description: 'Annex I element 9.' })
  assessmentType!: AssessmentType;

  @Field(() => LearningMode, { description: 'Annex I element 10.' })
  mode!: LearningMode;

  @Field(() => LearningSetting)
  learningSetting!: LearningSetting;

  @Field(() => String, { description: 'Type of quality assurance (Annex I element 11).' })
  qualityAssurance!: string;

  @Field(() => String, { nullable: true })
  prerequisites?: string | null;

  @Field(() => SupervisionVerification, { nullable: true })
  supervision?: SupervisionVerification | null;

  @Field(() => Stackability)
  stackability!: Stackability;

  @Field(() => String, { nullable: true, description: 'What it stacks towards (required when STACKABLE).' })
  stackableTowards?: string | null;

  @Field(() => [Int], { description: 'UN Sustainable Development Goals, 1–17.' })
  sdgs!: number[];

  @Field(() => [String], { description: 'Languages of instruction (ISO 639-1), at least one.' })
  languages!: string[];

  @Field(() => LocalDateResolver, { nullable: true })
  startDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  endDate?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  enrolmentDeadline?: string | null;

  @Field(() => Int, { nullable: true, description: 'Places; null: unlimited.' })
  capacity?: number | null;

  @Field(() => Boolean, { description: "Whether passing earns ECTS: only on the member's own authority (FULL, SEMI_PREQUALIFIED, MICRO_CREDENTIALS_ONLY) or with an external accreditation record." })
  creditBearing!: boolean;

  @Field(() => String, { nullable: true })
  moreInformationUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'External accreditation: reference (with body and decision date).' })
  accreditationReference?: string | null;

  @Field(() => String, { nullable: true })
  accreditationBody?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  accreditationDecidedOn?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  accreditationValidUntil?: string | null;

  @Field(() => String, { nullable: true })
  accreditationUrl?: string | null;

  @Field(() => [LearningOutcomeInput], { description: 'At least one (Annex I element 6), in order.' })
  learningOutcomes!: LearningOutcomeInput[];
}

@ObjectType({ description: 'The answer to creating, updating or withdrawing an offering.' })
export class OfferingCuration {
  @Field(() => LearningOpportunity)
  offering!: LearningOpportunity;

  @Field(() => Boolean, { description: 'False when it was already so (nothing written).' })
  changed!: boolean;
}
