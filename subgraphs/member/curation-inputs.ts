// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Field, Float, ID, InputType, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { EnrolmentStatus, ProficiencyLevel, SupervisionVerification } from './enums.js';
import { Achievement, Enrolment } from './model.js';

/* The inputs and answers of curation by a member's staff (curation.ts; docs/members.md, "Curation"). */

@InputType({ description: 'A skill shown in an assessment, at the level reached.' })
export class AcquiredSkillInput {
  @Field(() => String, { description: 'The ESCO skill URI, e.g. "http://data.europa.eu/esco/skill/…".' })
  skillUri!: string;

  @Field(() => ProficiencyLevel)
  level!: ProficiencyLevel;
}

@InputType({ description: 'An enrolment your staff record (e.g. one made outside the portal).' })
export class RecordEnrolmentInput {
  @Field(() => String, { description: 'Your local id for it (1–64 letters, digits, ".", "_", "-"); recording the same id again with the same facts changes nothing.' })
  localId!: string;

  @Field(() => ID, { description: 'The learner account, e.g. "tuni.fi:acc-…".' })
  accountId!: string;

  @Field(() => ID, { description: 'The offering, e.g. "tuni.fi:mm-101".' })
  opportunityId!: string;

  @Field(() => EnrolmentStatus, { description: 'ENROLLED, COMPLETED, WITHDRAWN or NOT_ADMITTED (applications come from learners).' })
  status!: EnrolmentStatus;

  @Field(() => LocalDateResolver, { nullable: true, description: 'When the learner enrolled; default: today.' })
  enrolledOn?: string | null;
}

@InputType({ description: 'A change of an enrolment by your staff.' })
export class CorrectEnrolmentInput {
  @Field(() => EnrolmentStatus)
  status!: EnrolmentStatus;

  @Field(() => String, { description: 'Why (3–500 characters); the learner sees it.' })
  reason!: string;
}

@InputType({ description: 'The assessed result of an enrolment.' })
export class RecordAchievementInput {
  @Field(() => ID, { description: 'The enrolment assessed (it becomes COMPLETED); one achievement per enrolment.' })
  enrolmentId!: string;

  @Field(() => LocalDateResolver, { description: 'The date of the result (not in the future, not before the enrolment).' })
  assessedOn!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => String, { nullable: true, description: 'The grade, in `gradingScheme`; must agree with `passed`.' })
  grade?: string | null;

  @Field(() => String, { nullable: true, description: 'The grading scheme code (e.g. "fi-0-5", "ects-a-f"); required with a grade.' })
  gradingScheme?: string | null;

  @Field(() => Float, { nullable: true, description: "ECTS awarded: default the offering's ECTS when passed and credit-bearing, else 0; never more than the offering's ECTS, 0 when failed or not credit-bearing." })
  ectsAwarded?: number | null;

  @Field(() => [AcquiredSkillInput], { nullable: true, description: 'Skills shown, at the level reached (passed assessments only); default none.' })
  skills?: AcquiredSkillInput[] | null;

  @Field(() => SupervisionVerification, { nullable: true })
  supervision?: SupervisionVerification | null;
}

@InputType({ description: 'A correction of an assessed result: give what changes, and why.' })
export class CorrectAchievementInput {
  @Field(() => LocalDateResolver, { nullable: true })
  assessedOn?: string | null;

  @Field(() => Boolean, { nullable: true })
  passed?: boolean | null;

  @Field(() => String, { nullable: true })
  grade?: string | null;

  @Field(() => String, { nullable: true })
  gradingScheme?: string | null;

  @Field(() => Float, { nullable: true })
  ectsAwarded?: number | null;

  @Field(() => [AcquiredSkillInput], { nullable: true, description: 'The skills as they should be (replaces the list).' })
  skills?: AcquiredSkillInput[] | null;

  @Field(() => String, { description: 'Why (3–500 characters); kept in the audit trail.' })
  reason!: string;
}

@ObjectType({ description: 'The answer to recording or correcting an enrolment.' })
export class EnrolmentCuration {
  @Field(() => Enrolment)
  enrolment!: Enrolment;

  @Field(() => Boolean, { description: 'False when it was already so (nothing written).' })
  changed!: boolean;
}

@ObjectType({ description: 'The answer to recording or correcting an achievement.' })
export class AchievementCuration {
  @Field(() => Achievement)
  achievement!: Achievement;

  @Field(() => Boolean, { description: 'False when it was already so (nothing written).' })
  changed!: boolean;

  @Field(() => String, { nullable: true, description: 'What happens to credentials issued for it (after a correction).' })
  credentials!: string | null;
}
