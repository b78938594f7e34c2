// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { OpportunityKind } from '../member/enums.js';
import { PathwayRequirementKind } from './enums.js';
import { Institution, LearningOpportunity, RecognitionRequest, Skill } from './model.js';

/*
 * The GraphQL types of stackable pathways: the specification (data a member
 * or the alliance publishes) and a learner's progress along one.
 */

@ObjectType({ description: 'One requirement of a pathway.' })
export class PathwayRequirement {
  @Field(() => PathwayRequirementKind)
  kind!: PathwayRequirementKind;

  @Field(() => String, { description: 'What it asks, in words, e.g. "One SDG 11 challenge".' })
  title!: string;

  @Field(() => [LearningOpportunity], { description: 'The offerings it lists (ALL_OF, ANY_OF).' })
  offerings!: LearningOpportunity[];

  @Field(() => Float, { nullable: true, description: 'How many: offerings (ANY_OF), ECTS (ECTS_TOTAL) or members (MIN_MEMBERS).' })
  count!: number | null;

  @Field(() => Int, { nullable: true, description: 'The SDG a CHALLENGE must be on; null: any challenge.' })
  sdg!: number | null;

  @Field(() => Skill, { nullable: true, description: 'The skill (SKILL).' })
  skill!: Skill | null;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A stackable pathway: what adds up to a larger credential, owned by a member or by the alliance. Data, edited by the owner's staff and alliance administrators." })
export class Pathway {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Boolean, { description: 'Only active pathways show in learners\' progress unless followed.' })
  active!: boolean;

  @Field(() => Int, { description: 'Goes up with every edit.' })
  version!: number;

  @Field(() => Institution, { nullable: true, description: 'The owning member; null: the alliance.' })
  owner!: Institution | null;

  @Field(() => Float, { description: 'ECTS the counted components must add up to.' })
  ectsMin!: number;

  @Field(() => Float, { nullable: true, description: 'Most ECTS that count; null: no upper bound.' })
  ectsMax!: number | null;

  @Field(() => Int, { nullable: true, description: 'Lowest EQF level of a component that counts; null: any.' })
  eqfLevel!: number | null;

  @Field(() => Int, { description: 'Different members the counted components must come from.' })
  minMembers!: number;

  @Field(() => [Int], { nullable: true, description: 'A component counts only if its offering is on one of these SDGs; null: any.' })
  sdgs!: number[] | null;

  @Field(() => [Institution], { nullable: true, description: 'Members whose components count; null: every member.' })
  members!: Institution[] | null;

  @Field(() => [OpportunityKind], { nullable: true, description: 'Kinds of offering that count; null: any.' })
  opportunityKinds!: OpportunityKind[] | null;

  @Field(() => String, { nullable: true, description: 'Components assessed on or after this day (YYYY-MM-DD) count; null: open.' })
  validFrom!: string | null;

  @Field(() => String, { nullable: true, description: 'Components assessed on or before this day (YYYY-MM-DD) count; null: open.' })
  validUntil!: string | null;

  @Field(() => [PathwayRequirement], { description: 'The requirements besides the ECTS total and the number of members.' })
  requirements!: PathwayRequirement[];

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;
}

@ObjectType({ description: "Something of the learner's that may count towards a pathway: a passed achievement, or credit recognised by a member." })
export class PathwayComponent {
  @Field(() => ID, { nullable: true, description: 'The achievement (null for a recognition).' })
  achievementId!: string | null;

  @Field(() => RecognitionRequest, { nullable: true, description: 'The recognition that granted the credit (its evidence then does not count again on its own).' })
  recognition!: RecognitionRequest | null;

  @Field(() => ID, { nullable: true, description: "The achievement's alliance credential, when one was issued." })
  credentialId!: string | null;

  @Field(() => String)
  title!: string;

  @Field(() => Institution, { description: 'The member where it was earned (for a recognition: the deciding member).' })
  institution!: Institution;

  @Field(() => LearningOpportunity, { nullable: true, description: 'The offering done, or the one a recognition counts towards.' })
  offering!: LearningOpportunity | null;

  @Field(() => Float, { description: 'ECTS it carries (0 when not credit-bearing).' })
  ects!: number;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  assessedOn!: string | null;

  @Field(() => Boolean, { description: 'Whether it counts towards this pathway.' })
  counts!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it does not count (e.g. its credential was revoked, it is below the EQF level).' })
  reason!: string | null;
}

@ObjectType({ description: 'Where one requirement stands.' })
export class RequirementProgress {
  @Field(() => PathwayRequirement)
  requirement!: PathwayRequirement;

  @Field(() => Boolean)
  satisfied!: boolean;

  @Field(() => String, { description: 'What is done and what is missing, in words.' })
  status!: string;

  @Field(() => [ID], { description: 'The achievements and recognition requests that satisfy it.' })
  satisfiedBy!: string[];

  @Field(() => [LearningOpportunity], { description: 'Offerings, at any member, that would help satisfy it (empty when satisfied).' })
  suggestions!: LearningOpportunity[];
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An enrolment at a member; resolved by the member that holds it.' })
export class Enrolment {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'An open application or place of the learner (APPLIED, ENROLLED) that would count towards a pathway once passed.' })
export class PathwayEnrolment {
  @Field(() => Enrolment)
  enrolment!: Enrolment;

  @Field(() => String, { description: 'APPLIED or ENROLLED, as the member holds it now.' })
  status!: string;

  @Field(() => LearningOpportunity)
  offering!: LearningOpportunity;

  @Field(() => Float, { description: 'ECTS it would add (0 when not credit-bearing).' })
  ects!: number;

  @Field(() => [String], { description: 'The open requirements it would help satisfy, by title.' })
  helpsWith!: string[];
}

@ObjectType({ description: "A learner's progress along a pathway." })
export class PathwayProgress {
  @Field(() => Pathway)
  pathway!: Pathway;

  @Field(() => Boolean, { description: 'The learner follows it.' })
  following!: boolean;

  @Field(() => Boolean, { description: 'Every requirement is satisfied: the stacked credential can be issued.' })
  complete!: boolean;

  @Field(() => Float, { description: 'ECTS counted towards the total (at most ectsMax).' })
  ectsCounted!: number;

  @Field(() => Float, { description: 'ECTS still missing towards ectsMin.' })
  ectsMissing!: number;

  @Field(() => [Institution], { description: 'The members the counted components come from.' })
  membersCounted!: Institution[];

  @Field(() => [Institution], { description: 'Members that did not answer: what the learner did there is missing, so the progress may fall short of the truth (ask again later).' })
  unavailableMembers!: Institution[];

  @Field(() => [RequirementProgress])
  requirements!: RequirementProgress[];

  @Field(() => [PathwayComponent], { description: "The learner's components, counted or not (with why not)." })
  components!: PathwayComponent[];

  @Field(() => [PathwayEnrolment], { description: "The learner's open applications and places that would count towards it once passed (an application made through the portal shows here at once)." })
  enrolments!: PathwayEnrolment[];

  @Field(() => Boolean, { description: 'Whether it would be complete once those enrolments are passed (true too when it is complete already).' })
  completeOnPassing!: boolean;
}

@InputType({ description: 'One requirement of a pathway: ALL_OF, ANY_OF, CHALLENGE or SKILL (the ECTS total and the number of members are fields of the pathway).' })
export class PathwayRequirementInput {
  @Field(() => PathwayRequirementKind)
  kind!: PathwayRequirementKind;

  @Field(() => String, { description: 'What it asks, in words (3–200 characters).' })
  title!: string;

  @Field(() => [ID], { nullable: true, description: 'Offerings (ALL_OF: 1–20, ANY_OF: 2–50), at any member.' })
  offeringIds?: string[] | null;

  @Field(() => Int, { nullable: true, description: 'ANY_OF: how many of the offerings (1 to their number).' })
  count?: number | null;

  @Field(() => Int, { nullable: true, description: 'CHALLENGE: the SDG (1–17) it must be on; leave out for any challenge.' })
  sdg?: number | null;

  @Field(() => ID, { nullable: true, description: 'SKILL: the ESCO skill URI.' })
  skillUri?: string | null;
}

@InputType({ description: 'A pathway specification; every field is replaced on an edit.' })
export class PathwayInput {
  @Field(() => ID, { nullable: true, description: 'The owning member; leave out for an alliance pathway (alliance administrators only).' })
  ownerMemberId?: string | null;

  @Field(() => String, { description: '3–200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 2,000 characters.' })
  description?: string | null;

  @Field(() => Boolean, { defaultValue: true })
  active!: boolean;

  @Field(() => Float, { description: 'ECTS the components must add up to: more than 0, at most 240.' })
  ectsMin!: number;

  @Field(() => Float, { nullable: true, description: 'Most ECTS that count (at least ectsMin, at most 240).' })
  ectsMax?: number | null;

  @Field(() => Int, { nullable: true, description: 'Lowest EQF level (1–8) of a component that counts.' })
  eqfLevel?: number | null;

  @Field(() => Int, { defaultValue: 1, description: 'Different members the components must come from (1–13).' })
  minMembers!: number;

  @Field(() => [Int], { nullable: true, description: 'Only components on these SDGs (1–17) count.' })
  sdgs?: number[] | null;

  @Field(() => [ID], { nullable: true, description: 'Only components of these members count.' })
  memberIds?: string[] | null;

  @Field(() => [OpportunityKind], { nullable: true, description: 'Only these kinds of offering count.' })
  opportunityKinds?: OpportunityKind[] | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: only components assessed on or after it count.' })
  validFrom?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD: only components assessed on or before it count.' })
  validUntil?: string | null;

  @Field(() => [PathwayRequirementInput], { defaultValue: [], description: 'Up to 20 requirements.' })
  requirements!: PathwayRequirementInput[];
}
