// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ProficiencyLevel, registerMemberEnums } from '../member/enums.js';

/* The passport subgraph's GraphQL types (what it stores is in records.ts). */

export enum PassportEvidenceKind {
  ACHIEVEMENT = 'ACHIEVEMENT',
  EXTERNAL_CREDENTIAL = 'EXTERNAL_CREDENTIAL',
}

export enum PassportExportFormat {
  ELM_JSONLD = 'ELM_JSONLD',
  CREDENTIALS_BUNDLE = 'CREDENTIALS_BUNDLE',
}

/** Registers the enums with type-graphql (called when the schema is built: no import-time side effects). */
export function registerPassportEnums(): void {
  // ProficiencyLevel is the member contract's own: one definition in the supergraph.
  registerMemberEnums();
  registerEnumType(PassportEvidenceKind, {
    name: 'PassportEvidenceKind',
    valuesConfig: {
      ACHIEVEMENT: { description: 'An assessed achievement at an alliance member, with the skills the member recorded.' },
      EXTERNAL_CREDENTIAL: { description: 'A credential from outside the graph the learner added to their passport (verified on the way in and on every read).' },
    },
  });
  registerEnumType(PassportExportFormat, {
    name: 'PassportExportFormat',
    description: 'What file the passport is exported as (docs/learner.md, "Export").',
    valuesConfig: {
      ELM_JSONLD: {
        description:
          'JSON-LD in the European Learning Model: the learner as an ELM Person (pseudonymous id, no names) with one LearningAchievement per piece of evidence that counts (ESCO skills, level reached, awarding body, ECTS, EQF level, credential id); evidence that no longer counts is left out.',
      },
      CREDENTIALS_BUNDLE: {
        description: "The learner's sealed alliance credentials (vc+jwt, each with its status, revoked ones included) and the external credentials they added (as added, verified again), as one JSON document.",
      },
    },
  });
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An alliance learner. The passport service adds the competence passport.' })
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
@ObjectType({ description: 'An assessed achievement; resolved by the member that holds it.' })
export class Achievement {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A recognition request; resolved by the recognition service.' })
export class RecognitionRequest {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "uri", resolvable: false)')
@ObjectType({ description: 'An ESCO skill; resolved by the ESCO service.' })
export class Skill {
  @Field(() => ID)
  uri!: string;
}

@Directive('@key(fields: "uri", resolvable: false)')
@ObjectType({ description: 'An ESCO skill group; resolved by the ESCO service.' })
export class SkillGroup {
  @Field(() => ID)
  uri!: string;
}

@ObjectType({ description: 'An external credential the learner added to their passport.' })
export class PassportCredential {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'What it certifies, as the credential states it.' })
  title!: string;

  @Field(() => String, { description: 'The awarding body, as the credential names it.' })
  awardingBody!: string;

  @Field(() => String, { description: '"vc+jwt" or "jades".' })
  format!: string;

  @Field(() => String, { nullable: true, description: "The credential's own id, when it states one." })
  credentialId!: string | null;

  @Field(() => String, { nullable: true, description: 'The issuer it names.' })
  issuer!: string | null;

  @Field(() => Float, { description: 'ECTS it states (0 when none).' })
  ects!: number;

  @Field(() => Int, { nullable: true })
  eqfLevel!: number | null;

  @Field(() => String, { description: 'YYYY-MM-DD: the assessment date it states, else the day it was added.' })
  gainedOn!: string;

  @Field(() => [Skill], { description: 'The ESCO skills it names.' })
  skills!: Skill[];

  @Field(() => DateTimeISOResolver)
  addedAt!: Date;
}

@ObjectType({ description: 'One piece of evidence for a skill, and whether it counts.' })
export class SkillEvidence {
  @Field(() => PassportEvidenceKind)
  kind!: PassportEvidenceKind;

  @Field(() => String, { description: 'The offering done, or what the external credential certifies.' })
  title!: string;

  @Field(() => Achievement, { nullable: true })
  achievement!: Achievement | null;

  @Field(() => Institution, { nullable: true, description: 'The member where it was earned (achievements).' })
  institution!: Institution | null;

  @Field(() => String, { nullable: true, description: "The external credential's awarding body." })
  awardingBody!: string | null;

  @Field(() => PassportCredential, { nullable: true })
  externalCredential!: PassportCredential | null;

  @Field(() => String, { description: 'YYYY-MM-DD: assessed on, or gained on.' })
  date!: string;

  @Field(() => ProficiencyLevel, { nullable: true, description: 'The level the member recorded as reached; null for an external credential, which states none.' })
  level!: ProficiencyLevel | null;

  @Field(() => Int, { nullable: true, description: 'EQF level of the offering or credential.' })
  eqfLevel!: number | null;

  @Field(() => Float, { description: 'ECTS the evidence carries (0 when not credit-bearing).' })
  ects!: number;

  @Field(() => ID, { nullable: true, description: "The achievement's alliance credential, when one was issued (the learner only)." })
  credentialId!: string | null;

  @Field(() => String, { nullable: true, description: 'That credential\'s status: ACTIVE, SUSPENDED or REVOKED.' })
  credentialStatus!: string | null;

  @Field(() => RecognitionRequest, { nullable: true, description: 'A recognition request naming the achievement, a decided one first (the learner only).' })
  recognition!: RecognitionRequest | null;

  @Field(() => Boolean)
  counts!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it does not count (a revoked or suspended credential; an external credential that no longer verifies).' })
  reason!: string | null;
}

@ObjectType({ description: 'A skill in the passport: the level reached and all evidence behind it.' })
export class PassportSkill {
  @Field(() => Skill)
  skill!: Skill;

  @Field(() => String, { description: 'Its ESCO preferred label (the URI when ESCO does not know it).' })
  label!: string;

  @Field(() => ProficiencyLevel, { nullable: true, description: 'The highest level counting evidence records.' })
  level!: ProficiencyLevel | null;

  @Field(() => Int, { nullable: true, description: 'The highest EQF level of counting evidence.' })
  eqfLevel!: number | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD of the first counting evidence.' })
  firstGainedOn!: string | null;

  @Field(() => Boolean, { description: 'False when no evidence counts any more (all of it revoked, suspended or no longer verifying).' })
  counts!: boolean;

  @Field(() => [SkillEvidence], { description: 'Oldest first.' })
  evidence!: SkillEvidence[];
}

@ObjectType({ description: 'An ESCO skill group above counted skills, with what the learner has in it.' })
export class PassportGroup {
  @Field(() => SkillGroup)
  group!: SkillGroup;

  @Field(() => String, { nullable: true, description: 'The ESCO code, e.g. "S1.2", "T3", "0731".' })
  code!: string | null;

  @Field(() => String)
  label!: string;

  @Field(() => SkillGroup, { description: 'Its pillar: S1-S8, T (transversal), K (knowledge) or L (language).' })
  pillar!: SkillGroup;

  @Field(() => Int, { description: 'Counted skills under it.' })
  skillCount!: number;

  @Field(() => Float, { description: 'ECTS of the distinct counted evidence behind those skills.' })
  ects!: number;
}

@ObjectType({ description: 'Skills first gained in one month.' })
export class PassportMonth {
  @Field(() => String, { description: 'YYYY-MM.' })
  month!: string;

  @Field(() => Int)
  skillsGained!: number;

  @Field(() => [Skill])
  skills!: Skill[];
}

@ObjectType({ description: "A learner's competence passport: every skill they have evidence for, across all members." })
export class Passport {
  @Field(() => Int, { description: 'Skills with counting evidence.' })
  skillCount!: number;

  @Field(() => Float, { description: 'ECTS of all counting evidence.' })
  ects!: number;

  @Field(() => [PassportSkill], { description: 'By label; skills whose evidence no longer counts are listed with `counts: false`.' })
  skills!: PassportSkill[];

  @Field(() => [PassportGroup], { description: 'Every ESCO group above a counted skill, by code.' })
  groups!: PassportGroup[];

  @Field(() => [PassportGroup], { description: 'The pillars among them (S1-S8, T, K, L).' })
  pillars!: PassportGroup[];

  @Field(() => [PassportMonth], { description: 'Skills gained per month, oldest first.' })
  timeline!: PassportMonth[];

  @Field(() => [PassportCredential], { description: 'External credentials the learner added (the learner only).' })
  externalCredentials!: PassportCredential[];

  @Field(() => [Institution], { description: 'Members that did not answer: their evidence is missing (ask again later).' })
  unavailableMembers!: Institution[];
}

@ObjectType()
export class AddPassportCredentialPayload {
  @Field(() => Boolean, { description: 'False when the same credential was in the passport already.' })
  created!: boolean;

  @Field(() => PassportCredential)
  credential!: PassportCredential;
}

@ObjectType({ description: 'The competence passport as a file to save or hand on.' })
export class PassportExport {
  @Field(() => PassportExportFormat)
  format!: PassportExportFormat;

  @Field(() => String, { description: '"application/ld+json" (ELM_JSONLD) or "application/json" (CREDENTIALS_BUNDLE).' })
  mediaType!: string;

  @Field(() => String, { description: 'A file name for it, e.g. "eciu-passport-2026-12-07.jsonld".' })
  fileName!: string;

  @Field(() => String, { description: 'The document, as JSON text.' })
  content!: string;
}
