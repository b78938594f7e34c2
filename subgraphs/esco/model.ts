// type-graphql's decorators need the Reflect metadata polyfill loaded before they run, whichever module is imported first.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { REUSE_LEVEL_URI, ReuseLevel, SKILL_TYPE_URI, SkillCollection, SkillRelationType, SkillType } from './enums.js';

/*
 * The ESCO data model. Concept classes are both GraphQL object types
 * (type-graphql decorators, explicit types everywhere) and ORM entities
 * (mapped without decorators in database.ts). Columns that only serve search
 * and ordering (`sortLabel`, `search…`) carry no @Field and stay out of the graph.
 * Relations are stored as URI pairs without foreign keys: ESCO files reference
 * concepts that a partial import does not contain, and those rows are kept
 * (a later, larger import makes them visible) but never returned, because
 * every read joins to the concept tables.
 */

/** Splits the stored newline-separated label list (ESCO labels never contain newlines). */
export function splitLabelText(text: string | null | undefined): string[] {
  return text ? text.split('\n') : [];
}

@Directive('@key(fields: "uri")')
@ObjectType({
  description:
    'An ESCO skill, competence or knowledge concept (ESCO v1.2, published by the European Commission). ' +
    'Other subgraphs refer to skills by `uri`, the ESCO URI credentials carry in `relatedESCOSkill`.',
})
export class Skill {
  @Field(() => ID, { description: 'The ESCO URI, e.g. "http://data.europa.eu/esco/skill/538f8bc6-a5bf-422b-8112-5ad3fe9de9a0".' })
  uri!: string;

  @Field(() => String, { description: 'The preferred English label, e.g. "urban sustainability".' })
  preferredLabel!: string;

  /** Alternative labels, one per line; exposed as `altLabels`. */
  altLabelText!: string;

  @Field(() => [String], { description: 'Alternative English labels (synonyms and variants), in ESCO order.' })
  get altLabels(): string[] {
    return splitLabelText(this.altLabelText);
  }

  @Field(() => String, { nullable: true, description: 'The ESCO description of the concept.' })
  description?: string | null;

  @Field(() => SkillType, { nullable: true, description: 'Skill/competence or knowledge; null where ESCO gives none (some DigComp concepts).' })
  skillType?: SkillType | null;

  @Field(() => String, {
    nullable: true,
    description: 'The skill type as a URI of the EDC vocabulary, e.g. "http://data.europa.eu/snb/skill-type/knowledge".',
  })
  get skillTypeUri(): string | null {
    return this.skillType ? SKILL_TYPE_URI[this.skillType] : null;
  }

  @Field(() => ReuseLevel, { nullable: true, description: 'How widely the skill applies across occupations and sectors.' })
  reuseLevel?: ReuseLevel | null;

  @Field(() => String, {
    nullable: true,
    description: 'The reuse level as a URI of the EDC vocabulary, e.g. "http://data.europa.eu/snb/skill-reuse-level/cross-sector".',
  })
  get reuseLevelUri(): string | null {
    return this.reuseLevel ? REUSE_LEVEL_URI[this.reuseLevel] : null;
  }

  /** Folded preferred label: the sort key and the first search column. */
  sortLabel!: string;
  /** Folded alternative labels, one per line. */
  searchAltLabels!: string;
  /** Folded description. */
  searchDescription!: string;
}

@Directive('@key(fields: "uri")')
@ObjectType({
  description:
    'A group of the ESCO skills hierarchy: S skills (S1–S8), K knowledge (ISCED-F fields), L language, T transversal (T1–T6), and their subgroups.',
})
export class SkillGroup {
  @Field(() => ID, { description: 'The ESCO URI, e.g. "http://data.europa.eu/esco/isced-f/0731" or "http://data.europa.eu/esco/skill/…".' })
  uri!: string;

  @Field(() => String, { nullable: true, description: 'The hierarchy code, e.g. "S1.2", "T3", "0731" (ISCED-F) or "L".' })
  code?: string | null;

  @Field(() => String)
  preferredLabel!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  sortLabel!: string;
}

/**
 * Codes of the level-1 groups of the skills hierarchy ("Level 1 code" in
 * skillsHierarchy_en.csv): S1–S8, T1–T6, L1–L2 and the two-digit ISCED-F broad
 * fields of knowledge. Deeper codes carry a dot (S1.2) or more digits (0731),
 * the roots (S, K, L, T) have none, so the code alone tells the level.
 */
export const LEVEL_ONE_CODE = /^([STL]\d|\d\d)$/;

@Directive('@key(fields: "uri")')
@ObjectType({ description: 'An ESCO occupation, classified in ISCO-08.' })
export class Occupation {
  @Field(() => ID, { description: 'The ESCO URI, e.g. "http://data.europa.eu/esco/occupation/…".' })
  uri!: string;

  @Field(() => String, { nullable: true, description: 'The ESCO occupation code: the ISCO unit group plus a local suffix, e.g. "2164.1".' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'The ISCO-08 unit group code, e.g. "2164" (town and traffic planners).' })
  iscoGroup?: string | null;

  @Field(() => String)
  preferredLabel!: string;

  /** Alternative labels, one per line; exposed as `altLabels`. */
  altLabelText!: string;

  @Field(() => [String], { description: 'Alternative English labels, in ESCO order.' })
  get altLabels(): string[] {
    return splitLabelText(this.altLabelText);
  }

  @Field(() => String, { nullable: true })
  description?: string | null;

  sortLabel!: string;
  searchAltLabels!: string;
  searchDescription!: string;
}

@ObjectType({ description: 'A skill related to another skill, with the kind of relation.' })
export class SkillRelation {
  @Field(() => SkillRelationType)
  relationType!: SkillRelationType;

  @Field(() => Skill)
  skill!: Skill;
}

/** The id of the single `esco_dataset` row. */
export const DATASET_ID = 'esco';

/** What was imported and when: the single row of `esco_dataset`. */
export class EscoDatasetRecord {
  id!: string;
  version!: string;
  importedAt?: Date | null;
}

/** Computed from the record and live counts, so the counts never disagree with the tables. */
@ObjectType({ description: 'The ESCO data this service holds.' })
export class EscoDataset {
  @Field(() => String, { description: 'The ESCO version imported, e.g. "1.2.0"; "none" before any import.' })
  version!: string;

  @Field(() => Int, { description: 'Number of skills (concepts with a label).' })
  skills!: number;

  @Field(() => Int)
  skillGroups!: number;

  @Field(() => Int)
  occupations!: number;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the last import finished; null before any import.' })
  importedAt?: Date | null;
}

/** Broader relation of the skills pillar: skill → skill, skill → group or group → group. */
export class BroaderRelation {
  narrowerUri!: string;
  broaderUri!: string;
}

/** An ESCO skill–skill relation (`skillSkillRelations_en.csv`), read from the original skill. */
export class SkillSkillRelation {
  skillUri!: string;
  relatedSkillUri!: string;
  relationType!: SkillRelationType;
}

/** An occupation–skill relation (`occupationSkillRelations_en.csv`, full download only). */
export class OccupationSkillRelation {
  occupationUri!: string;
  skillUri!: string;
  relationType!: SkillRelationType;
}

/** A skill's membership of a collection (which collection file(s) it came from). */
export class SkillCollectionMember {
  skillUri!: string;
  collection!: SkillCollection;
}
