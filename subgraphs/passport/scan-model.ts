// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LearningMode } from '../member/enums.js';
import { Skill, SkillGroup } from './model.js';

/* The motivation scan's GraphQL types (scan.ts checks the answers). */

export enum MotivationRole {
  THRIVING_EARNER = 'THRIVING_EARNER',
  EMPOWERED_LEARNER = 'EMPOWERED_LEARNER',
  ACTIVE_CITIZEN = 'ACTIVE_CITIZEN',
}

export function registerScanEnums(): void {
  registerEnumType(MotivationRole, {
    name: 'MotivationRole',
    description: "Why a learner learns, after the alliance's white paper.",
    valuesConfig: {
      THRIVING_EARNER: { description: 'Career: skills employers ask for, a better job.' },
      EMPOWERED_LEARNER: { description: 'Curiosity: shaping an own learning path.' },
      ACTIVE_CITIZEN: { description: 'Civic impact: real problems, the SDGs.' },
    },
  });
}

@Directive('@key(fields: "uri", resolvable: false)')
@ObjectType({ description: 'An ESCO occupation; resolved by the ESCO service.' })
export class Occupation {
  @Field(() => ID)
  uri!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A stackable pathway; resolved by the recognition service.' })
export class Pathway {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
export class LikertItem {
  @Field(() => ID)
  id!: string;

  @Field(() => MotivationRole)
  role!: MotivationRole;

  @Field(() => String)
  text!: string;
}

@ObjectType({ description: 'The motivation scan questionnaire: its version, the fields it asks for and the Likert items.' })
export class Questionnaire {
  @Field(() => Int)
  version!: number;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  introduction!: string;

  @Field(() => Int)
  likertMin!: number;

  @Field(() => Int)
  likertMax!: number;

  @Field(() => String)
  likertMinLabel!: string;

  @Field(() => String)
  likertMaxLabel!: string;

  @Field(() => [LikertItem])
  items!: LikertItem[];
}

@ObjectType()
export class ScanGoals {
  @Field(() => [Skill])
  skills!: Skill[];

  @Field(() => [SkillGroup])
  skillGroups!: SkillGroup[];

  @Field(() => Occupation, { nullable: true })
  occupation!: Occupation | null;

  @Field(() => Pathway, { nullable: true })
  pathway!: Pathway | null;
}

@ObjectType()
export class ScanInterests {
  @Field(() => [Int])
  sdgs!: number[];

  @Field(() => [String], { description: 'ISCED-F field codes.' })
  iscedFields!: string[];
}

@ObjectType()
export class ScanConstraints {
  @Field(() => [String], { description: 'ISO 639-1 codes; empty: any.' })
  languages!: string[];

  @Field(() => [LearningMode], { description: 'Empty: any.' })
  modes!: LearningMode[];

  @Field(() => Float, { nullable: true })
  hoursPerWeek!: number | null;

  @Field(() => Float, { nullable: true })
  ectsBudget!: number | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: offerings starting on or after it.' })
  startAfter!: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: offerings ending on or before it.' })
  endBefore!: string | null;
}

@ObjectType()
export class LikertAnswer {
  @Field(() => ID)
  item!: string;

  @Field(() => Int)
  value!: number;
}

@ObjectType()
export class RoleScore {
  @Field(() => MotivationRole)
  role!: MotivationRole;

  @Field(() => Float, { nullable: true, description: 'The mean of the answered items of this role; null when none was answered.' })
  score!: number | null;
}

@ObjectType({ description: "A learner's motivation scan: theirs, changed or deleted at any time." })
export class MotivationScanView {
  @Field(() => Int)
  questionnaireVersion!: number;

  @Field(() => Int, { description: 'Goes up with every save.' })
  revision!: number;

  @Field(() => ScanGoals)
  goals!: ScanGoals;

  @Field(() => ScanInterests)
  interests!: ScanInterests;

  @Field(() => ScanConstraints)
  constraints!: ScanConstraints;

  @Field(() => [LikertAnswer])
  motivation!: LikertAnswer[];

  @Field(() => [RoleScore])
  roles!: RoleScore[];

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;
}

@InputType()
export class LikertAnswerInput {
  @Field(() => ID, { description: 'A Likert item id of the current questionnaire.' })
  item!: string;

  @Field(() => Int)
  value!: number;
}

@InputType({ description: 'Every field may be left out; a save replaces the whole scan.' })
export class MotivationScanInput {
  @Field(() => [ID], { nullable: true, description: 'Goal: ESCO skill URIs (up to 20).' })
  skillUris?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Goal: ESCO skill group URIs (up to 10).' })
  skillGroupUris?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Goal: an ESCO occupation URI.' })
  occupationUri?: string | null;

  @Field(() => ID, { nullable: true, description: 'Goal: a stackable pathway.' })
  pathwayId?: string | null;

  @Field(() => [Int], { nullable: true, description: 'Interests: SDGs 1-17.' })
  sdgs?: number[] | null;

  @Field(() => [String], { nullable: true, description: 'Interests: ISCED-F field codes (2-4 digits).' })
  iscedFields?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Constraint: ISO 639-1 language codes.' })
  languages?: string[] | null;

  @Field(() => [LearningMode], { nullable: true })
  modes?: LearningMode[] | null;

  @Field(() => Float, { nullable: true, description: '1 to 60.' })
  hoursPerWeek?: number | null;

  @Field(() => Float, { nullable: true, description: '0.5 to 120 ECTS.' })
  ectsBudget?: number | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  startAfter?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, not before startAfter.' })
  endBefore?: string | null;

  @Field(() => [LikertAnswerInput], { nullable: true })
  motivation?: LikertAnswerInput[] | null;
}
