// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LearningMode } from '../member/enums.js';
import { Institution, Skill, SkillGroup } from './model.js';

/* The recommendations' GraphQL types (recommend.ts computes them). */

export enum CoverageKind {
  EXACT = 'EXACT',
  SAME_GROUP = 'SAME_GROUP',
}

export function registerRecommendationEnums(): void {
  registerEnumType(CoverageKind, {
    name: 'CoverageKind',
    valuesConfig: {
      EXACT: { description: 'A learning outcome of the offering is the goal skill itself.' },
      SAME_GROUP: { description: 'A learning outcome of the offering sits in the same ESCO skill group as the goal skill (counts half).' },
    },
  });
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A learning opportunity; resolved by the member that offers it.' })
export class LearningOpportunity {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A goal skill an offering covers, and how.' })
export class SkillCoverage {
  @Field(() => Skill)
  skill!: Skill;

  @Field(() => String, { description: "The goal skill's ESCO label." })
  label!: string;

  @Field(() => CoverageKind)
  how!: CoverageKind;

  @Field(() => SkillGroup, { nullable: true, description: 'SAME_GROUP: the shared ESCO group.' })
  viaGroup!: SkillGroup | null;

  @Field(() => Skill, { nullable: true, description: "SAME_GROUP: the offering's skill in that group." })
  viaSkill!: Skill | null;

  @Field(() => Float, { description: 'What it adds to the score: 1 exact, 0.5 same group.' })
  weight!: number;
}

@ObjectType({ description: "The score's parts (docs/learner.md, \"Scoring\")." })
export class ScoreComponents {
  @Field(() => Float)
  exact!: number;

  @Field(() => Float)
  hierarchy!: number;

  @Field(() => Float)
  buildsOn!: number;

  @Field(() => Float)
  interest!: number;

  @Field(() => Float)
  goal!: number;
}

@ObjectType({ description: 'A recommended offering with why.' })
export class Recommendation {
  @Field(() => LearningOpportunity)
  offering!: LearningOpportunity;

  @Field(() => String)
  title!: string;

  @Field(() => Institution)
  institution!: Institution;

  @Field(() => Float)
  ects!: number;

  @Field(() => Int)
  eqfLevel!: number;

  @Field(() => LearningMode)
  mode!: LearningMode;

  @Field(() => [String])
  languages!: string[];

  @Field(() => String, { nullable: true })
  startDate!: string | null;

  @Field(() => Float)
  score!: number;

  @Field(() => ScoreComponents)
  components!: ScoreComponents;

  @Field(() => [SkillCoverage], { description: 'The goal skills it covers.' })
  covers!: SkillCoverage[];

  @Field(() => [Skill], { description: 'Its outcome skills the learner already has.' })
  buildsOn!: Skill[];

  @Field(() => String, { description: 'The explanation in words.' })
  explanation!: string;
}

@ObjectType({ description: 'A small set of offerings covering as much of the gap as the ECTS budget and the constraints allow.' })
export class RecommendationPlan {
  @Field(() => [Recommendation])
  offerings!: Recommendation[];

  @Field(() => Float)
  ects!: number;

  @Field(() => Float, { description: 'Covered weight over the gap (1: every goal skill covered exactly).' })
  coverage!: number;

  @Field(() => [Skill])
  covered!: Skill[];

  @Field(() => [Skill], { description: 'Goal skills no plan within the budget and constraints covers.' })
  uncovered!: Skill[];
}

@ObjectType()
export class Recommendations {
  @Field(() => [Skill], { description: "The goal's skills the passport does not count yet." })
  gap!: Skill[];

  @Field(() => [Recommendation], { description: 'Best first.' })
  ranked!: Recommendation[];

  @Field(() => RecommendationPlan)
  plan!: RecommendationPlan;

  @Field(() => Int, { description: 'Offerings that passed the constraints.' })
  considered!: number;

  @Field(() => [String], { description: 'Why the answer is empty or partial, in words (contradictory constraints, an occupation without linked skills, …).' })
  notes!: string[];
}

@InputType({ description: 'What to aim at; left out entirely: the goals of the learner\'s motivation scan.' })
export class RecommendationGoalInput {
  @Field(() => [ID], { nullable: true, description: 'ESCO skill URIs (up to 20).' })
  skillUris?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'ESCO skill group URIs (up to 10): the skills in them.' })
  skillGroupUris?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'An ESCO occupation: its essential skills (needs the full ESCO import).' })
  occupationUri?: string | null;

  @Field(() => ID, { nullable: true, description: "A pathway: its open requirements' skills and offerings." })
  pathwayId?: string | null;
}

@InputType({ description: 'Hard filters; left out entirely: the constraints of the learner\'s motivation scan.' })
export class RecommendationConstraintsInput {
  @Field(() => [String], { nullable: true, description: 'ISO 639-1: offerings taught in one of them.' })
  languages?: string[] | null;

  @Field(() => [LearningMode], { nullable: true })
  modes?: LearningMode[] | null;

  @Field(() => Float, { nullable: true, description: '0.5 to 120 ECTS for the plan (default 30); no single offering above it.' })
  ectsBudget?: number | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: offerings starting on or after it.' })
  startAfter?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: offerings ending on or before it.' })
  endBefore?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Only these members.' })
  memberIds?: string[] | null;
}
