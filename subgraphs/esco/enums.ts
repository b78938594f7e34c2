// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';

/** ESCO `skillType`: the CSV export writes "skill/competence" or "knowledge". */
export enum SkillType {
  SKILL_COMPETENCE = 'SKILL_COMPETENCE',
  KNOWLEDGE = 'KNOWLEDGE',
}

/** ESCO `reuseLevel`: how widely a skill applies across occupations and sectors. */
export enum ReuseLevel {
  TRANSVERSAL = 'TRANSVERSAL',
  CROSS_SECTOR = 'CROSS_SECTOR',
  SECTOR_SPECIFIC = 'SECTOR_SPECIFIC',
  OCCUPATION_SPECIFIC = 'OCCUPATION_SPECIFIC',
}

/** The ESCO skill collections published as `<name>SkillsCollection_en.csv`. */
export enum SkillCollection {
  GREEN = 'GREEN',
  DIGITAL = 'DIGITAL',
  TRANSVERSAL = 'TRANSVERSAL',
  DIGCOMP = 'DIGCOMP',
  LANGUAGE = 'LANGUAGE',
  RESEARCH = 'RESEARCH',
}

/** Essential or optional: the two kinds of skill–skill and occupation–skill relation in ESCO. */
export enum SkillRelationType {
  ESSENTIAL = 'ESSENTIAL',
  OPTIONAL = 'OPTIONAL',
}

/** CSV value → enum. Unknown values map to undefined (the importer stores null). */
export const SKILL_TYPE_FROM_CSV: Readonly<Record<string, SkillType>> = {
  'skill/competence': SkillType.SKILL_COMPETENCE,
  knowledge: SkillType.KNOWLEDGE,
};

export const REUSE_LEVEL_FROM_CSV: Readonly<Record<string, ReuseLevel>> = {
  transversal: ReuseLevel.TRANSVERSAL,
  'cross-sector': ReuseLevel.CROSS_SECTOR,
  'sector-specific': ReuseLevel.SECTOR_SPECIFIC,
  'occupation-specific': ReuseLevel.OCCUPATION_SPECIFIC,
};

export const RELATION_TYPE_FROM_CSV: Readonly<Record<string, SkillRelationType>> = {
  essential: SkillRelationType.ESSENTIAL,
  optional: SkillRelationType.OPTIONAL,
};

/** File-name prefix of each collection file, e.g. `digCompSkillsCollection_en.csv`. */
export const COLLECTION_FROM_FILE_PREFIX: Readonly<Record<string, SkillCollection>> = {
  green: SkillCollection.GREEN,
  digital: SkillCollection.DIGITAL,
  transversal: SkillCollection.TRANSVERSAL,
  digComp: SkillCollection.DIGCOMP,
  language: SkillCollection.LANGUAGE,
  research: SkillCollection.RESEARCH,
};

/** The EDC/ELM controlled vocabulary for skill types (what a credential's `relatedESCOSkill` context uses). */
export const SKILL_TYPE_URI: Readonly<Record<SkillType, string>> = {
  [SkillType.SKILL_COMPETENCE]: 'http://data.europa.eu/snb/skill-type/skill',
  [SkillType.KNOWLEDGE]: 'http://data.europa.eu/snb/skill-type/knowledge',
};

export const REUSE_LEVEL_URI: Readonly<Record<ReuseLevel, string>> = {
  [ReuseLevel.TRANSVERSAL]: 'http://data.europa.eu/snb/skill-reuse-level/transversal',
  [ReuseLevel.CROSS_SECTOR]: 'http://data.europa.eu/snb/skill-reuse-level/cross-sector',
  [ReuseLevel.SECTOR_SPECIFIC]: 'http://data.europa.eu/snb/skill-reuse-level/sector-specific',
  [ReuseLevel.OCCUPATION_SPECIFIC]: 'http://data.europa.eu/snb/skill-reuse-level/occupation-specific',
};

/**
 * Registers the enums with type-graphql. Called by `buildEscoSchema` rather
 * than at import time, so importing this module has no side effects.
 */
export function registerEscoEnums(): void {
  registerEnumType(SkillType, {
    name: 'SkillType',
    description: 'ESCO skill type.',
    valuesConfig: {
      SKILL_COMPETENCE: { description: 'A skill or competence: the ability to apply knowledge ("skill/competence" in ESCO).' },
      KNOWLEDGE: { description: 'Knowledge: facts, principles and theories ("knowledge" in ESCO).' },
    },
  });
  registerEnumType(ReuseLevel, {
    name: 'ReuseLevel',
    description: 'ESCO reuse level: how widely a skill applies across occupations and sectors.',
    valuesConfig: {
      TRANSVERSAL: { description: 'Relevant to a broad range of occupations and sectors.' },
      CROSS_SECTOR: { description: 'Relevant to occupations across several economic sectors.' },
      SECTOR_SPECIFIC: { description: 'Specific to one sector, relevant to more than one occupation in it.' },
      OCCUPATION_SPECIFIC: { description: 'Usually applied within one occupation or specialism only.' },
    },
  });
  registerEnumType(SkillCollection, {
    name: 'SkillCollection',
    description: 'An ESCO skill collection: a published selection of skills around a theme.',
    valuesConfig: {
      GREEN: { description: 'Green skills and knowledge (the green transition).' },
      DIGITAL: { description: 'Digital skills and knowledge.' },
      TRANSVERSAL: { description: 'Transversal skills and competences.' },
      DIGCOMP: { description: 'Skills of the DigComp digital competence framework.' },
      LANGUAGE: { description: 'Language skills and knowledge.' },
      RESEARCH: { description: 'Research skills.' },
    },
  });
  registerEnumType(SkillRelationType, {
    name: 'SkillRelationType',
    description: 'How strongly a skill or occupation relies on another skill.',
    valuesConfig: {
      ESSENTIAL: { description: 'Essential: always needed.' },
      OPTIONAL: { description: 'Optional: needed in some contexts or specialisations.' },
    },
  });
}
