// type-graphql's decorators need the Reflect metadata polyfill loaded before they run, whichever module is imported first.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { connectionType } from '../../lib/graphql-types.js';
import { pageSize } from '../../lib/pagination.js';
import type { EscoContext } from './context.js';
import { SkillCollection, SkillRelationType } from './enums.js';
import { checkUri, SkillFilter } from './inputs.js';
import type { Related } from './loaders.js';
import { DATASET_ID, EscoDataset, EscoDatasetRecord, Occupation, Skill, SkillGroup, SkillRelation } from './model.js';
import { countConcepts, findOccupationsPage, findSkillGroups, findSkillsPage } from './queries.js';

export const SkillConnection = connectionType(Skill, 'Skill');
export const OccupationConnection = connectionType(Occupation, 'Occupation');

const SEARCH_DESCRIPTION =
  'Text to look for (2–200 characters; case and accents ignored). Results are ranked: preferred label equal to the text, ' +
  'then starting with it, then containing it, then an alternative label containing it, then the description containing it; ' +
  'ties by label, then URI.';

function ofType<T>(items: Related<T>[], relationType: SkillRelationType | null | undefined): Related<T>[] {
  return relationType ? items.filter((item) => item.relationType === relationType) : items;
}

/*
 * Argument order: type-graphql prints a method's arguments in reverse
 * declaration order, so they are declared last-to-first below.
 */

@Resolver()
export class EscoQueryResolver {
  @Query(() => Skill, { nullable: true, description: 'A skill by its ESCO URI; null when this service does not hold it.' })
  skill(@Arg('uri', () => ID) uri: string, @Ctx() context: EscoContext): Promise<Skill | null> {
    return context.loaders.skill.load(checkUri(uri));
  }

  @Query(() => SkillConnection, {
    nullable: true,
    description: 'Skills, searched and filtered, one page at a time (`first` 0–100, default 20). Without `search`, ordered by label.',
  })
  skills(
    @Ctx() context: EscoContext,
    @Arg('after', () => String, { nullable: true, description: 'The `endCursor` of the previous page.' }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('filter', () => SkillFilter, { nullable: true }) filter?: SkillFilter | null,
    @Arg('search', () => String, { nullable: true, description: SEARCH_DESCRIPTION }) search?: string | null,
  ) {
    return findSkillsPage(context.em, context.databaseKind, { search, filter, first: pageSize(first), after });
  }

  @Query(() => SkillGroup, { nullable: true, description: 'A group of the skills hierarchy by its ESCO URI.' })
  skillGroup(@Arg('uri', () => ID) uri: string, @Ctx() context: EscoContext): Promise<SkillGroup | null> {
    return context.loaders.skillGroup.load(checkUri(uri));
  }

  @Query(() => [SkillGroup], { nullable: true, description: 'Groups of the skills hierarchy, by label.' })
  skillGroups(
    @Ctx() context: EscoContext,
    @Arg('topLevelOnly', () => Boolean, {
      nullable: true,
      defaultValue: true,
      description: 'Only the roots of the hierarchy (skills, knowledge, language, transversal); false lists every group.',
    })
    topLevelOnly?: boolean | null,
  ): Promise<SkillGroup[]> {
    return findSkillGroups(context.em, context.databaseKind, topLevelOnly !== false);
  }

  @Query(() => Occupation, { nullable: true, description: 'An occupation by its ESCO URI.' })
  occupation(@Arg('uri', () => ID) uri: string, @Ctx() context: EscoContext): Promise<Occupation | null> {
    return context.loaders.occupation.load(checkUri(uri));
  }

  @Query(() => OccupationConnection, {
    nullable: true,
    description: 'Occupations, searched, one page at a time (`first` 0–100, default 20). Without `search`, ordered by label.',
  })
  occupations(
    @Ctx() context: EscoContext,
    @Arg('after', () => String, { nullable: true, description: 'The `endCursor` of the previous page.' }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('search', () => String, { nullable: true, description: SEARCH_DESCRIPTION }) search?: string | null,
  ) {
    return findOccupationsPage(context.em, context.databaseKind, { search, first: pageSize(first), after });
  }

  @Query(() => EscoDataset, { nullable: true, description: 'Which ESCO data this service holds: version, counts and import time.' })
  async escoDataset(@Ctx() context: EscoContext): Promise<EscoDataset> {
    const [record, counts] = await Promise.all([context.em.findOne(EscoDatasetRecord, { id: DATASET_ID }), countConcepts(context.em)]);
    return { version: record?.version ?? 'none', importedAt: record?.importedAt ?? null, ...counts };
  }
}

@Resolver(() => Skill)
export class SkillResolver {
  @FieldResolver(() => [Skill], { description: 'Broader skills (ESCO skills can sit under other skills as well as under groups).' })
  broaderSkills(@Root() skill: Skill, @Ctx() context: EscoContext): Promise<Skill[]> {
    return context.loaders.broaderSkills.load(skill.uri);
  }

  @FieldResolver(() => [Skill], { description: 'Narrower skills: more specific skills under this one.' })
  narrowerSkills(@Root() skill: Skill, @Ctx() context: EscoContext): Promise<Skill[]> {
    return context.loaders.narrowerSkills.load(skill.uri);
  }

  @FieldResolver(() => [SkillGroup], { description: 'The skills-hierarchy groups this skill sits in directly.' })
  groups(@Root() skill: Skill, @Ctx() context: EscoContext): Promise<SkillGroup[]> {
    return context.loaders.broaderGroups.load(skill.uri);
  }

  @FieldResolver(() => [SkillGroup], {
    description:
      'The level-1 groups of the ESCO skills hierarchy this skill sits under (S1–S8 skills, T1–T6 transversal, L1–L2 language, ' +
      'or an ISCED-F broad field such as "06" for knowledge), by code; found by following broader relations ' +
      '(skill → skill → group → group) upward. Empty when the skill sits under no group.',
  })
  topGroups(@Root() skill: Skill, @Ctx() context: EscoContext): Promise<SkillGroup[]> {
    return context.loaders.topGroups.load(skill.uri);
  }

  @FieldResolver(() => [SkillRelation], {
    description: 'Skills this skill relies on (ESCO skill–skill relations), essential ones first, then by label.',
  })
  async relatedSkills(
    @Root() skill: Skill,
    @Ctx() context: EscoContext,
    @Arg('relationType', () => SkillRelationType, { nullable: true, description: 'Only relations of this type.' })
    relationType?: SkillRelationType | null,
  ): Promise<SkillRelation[]> {
    const related = ofType(await context.loaders.relatedSkills.load(skill.uri), relationType);
    return related.map((item) => ({ relationType: item.relationType, skill: item.node }));
  }

  @FieldResolver(() => [SkillCollection], { description: 'The ESCO collections this skill belongs to.' })
  collections(@Root() skill: Skill, @Ctx() context: EscoContext): Promise<SkillCollection[]> {
    return context.loaders.collections.load(skill.uri);
  }

  @FieldResolver(() => [Occupation], {
    description:
      'Occupations that need this skill, by label (from occupationSkillRelations_en.csv, part of the full ESCO download; empty when it was not imported).',
  })
  async occupations(
    @Root() skill: Skill,
    @Ctx() context: EscoContext,
    @Arg('relationType', () => SkillRelationType, { nullable: true, description: 'Only occupations for which the skill is essential (or optional).' })
    relationType?: SkillRelationType | null,
  ): Promise<Occupation[]> {
    return ofType(await context.loaders.occupationsOfSkill.load(skill.uri), relationType).map((item) => item.node);
  }
}

@Resolver(() => SkillGroup)
export class SkillGroupResolver {
  @FieldResolver(() => [SkillGroup], { description: 'The groups directly above this one; empty for the roots.' })
  broader(@Root() group: SkillGroup, @Ctx() context: EscoContext): Promise<SkillGroup[]> {
    return context.loaders.broaderGroups.load(group.uri);
  }

  @FieldResolver(() => [SkillGroup], { description: 'The groups directly below this one.' })
  narrower(@Root() group: SkillGroup, @Ctx() context: EscoContext): Promise<SkillGroup[]> {
    return context.loaders.narrowerGroups.load(group.uri);
  }

  @FieldResolver(() => SkillConnection, { description: 'Skills directly in this group, by label, one page at a time.' })
  skills(
    @Root() group: SkillGroup,
    @Ctx() context: EscoContext,
    @Arg('after', () => String, { nullable: true, description: 'The `endCursor` of the previous page.' }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ) {
    return findSkillsPage(context.em, context.databaseKind, { groupUri: group.uri, first: pageSize(first), after });
  }
}

@Resolver(() => Occupation)
export class OccupationResolver {
  @FieldResolver(() => [Skill], { description: 'Skills essential to this occupation (full ESCO download only), by label.' })
  async essentialSkills(@Root() occupation: Occupation, @Ctx() context: EscoContext): Promise<Skill[]> {
    return ofType(await context.loaders.skillsOfOccupation.load(occupation.uri), SkillRelationType.ESSENTIAL).map((item) => item.node);
  }

  @FieldResolver(() => [Skill], { description: 'Skills optional for this occupation (full ESCO download only), by label.' })
  async optionalSkills(@Root() occupation: Occupation, @Ctx() context: EscoContext): Promise<Skill[]> {
    return ofType(await context.loaders.skillsOfOccupation.load(occupation.uri), SkillRelationType.OPTIONAL).map((item) => item.node);
  }
}

export const escoResolvers = [EscoQueryResolver, SkillResolver, SkillGroupResolver, OccupationResolver] as const;
