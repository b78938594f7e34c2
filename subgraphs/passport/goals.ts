import { GraphQLError } from 'graphql';
import { ANONYMOUS } from '../../lib/auth.js';
import type { SignedIn } from '../../lib/access.js';
import type { PassportService } from './context.js';
import type { CatalogueOffering } from './recommend.js';
import { call } from './sources.js';

/*
 * What recommendations read besides the passport: the public catalogue of all
 * members and the ESCO facts of its skills (both cached by the service: public,
 * and the catalogue only for CATALOGUE_TTL_MS, so a recommendation does not
 * pull 13 members' offerings per request), and the goal's skills (ESCO groups,
 * an occupation, a pathway's open requirements, read as the caller).
 */

export const CATALOGUE_TTL_MS = 5 * 60_000;

const CATALOGUE = /* GraphQL */ `
  query PassportCatalogue($after: String) {
    offerings(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id title kind ects eqfLevel mode languages sdgs startDate endDate institution { id } learningOutcomes { skill { uri } } }
    }
  }
`;

interface RawOffering {
  id: string;
  title: string;
  kind: string;
  ects: number;
  eqfLevel: number;
  mode: string;
  languages: string[];
  sdgs: number[];
  startDate: string | null;
  endDate: string | null;
  institution: { id: string };
  learningOutcomes: { skill: { uri: string } | null }[];
}

async function readCatalogue(service: PassportService): Promise<CatalogueOffering[]> {
  const offerings: CatalogueOffering[] = [];
  let after: string | null = null;
  // The whole catalogue, 100 at a time (the router pages across all members).
  for (let page = 0; page < 1_000; page++) {
    const answer = await call(service.sources, 'members', ANONYMOUS, CATALOGUE, { after }, 'no recommendations could be made');
    const connection = answer.data?.['offerings'] as { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: RawOffering[] } | null | undefined;
    if (!connection) throw new GraphQLError('The catalogue could not be read; no recommendations could be made.', { extensions: { code: 'SERVICE_UNAVAILABLE', service: 'members' } });
    for (const node of connection.nodes) {
      offerings.push({
        id: node.id,
        title: node.title,
        memberId: node.institution.id,
        kind: node.kind,
        ects: node.ects,
        eqfLevel: node.eqfLevel,
        mode: node.mode,
        languages: node.languages,
        sdgs: node.sdgs,
        startDate: node.startDate,
        endDate: node.endDate,
        skills: [...new Set(node.learningOutcomes.flatMap((outcome) => (outcome.skill ? [outcome.skill.uri] : [])))].sort(),
      });
    }
    if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) break;
    after = connection.pageInfo.endCursor;
  }
  return offerings;
}

/** The public catalogue, cached for CATALOGUE_TTL_MS (a failed read is not kept). */
export function catalogue(service: PassportService): Promise<CatalogueOffering[]> {
  const cached = service.catalogue;
  if (cached && service.now().getTime() - cached.at < CATALOGUE_TTL_MS) return cached.offerings;
  const offerings = readCatalogue(service);
  service.catalogue = { at: service.now().getTime(), offerings };
  offerings.catch(() => {
    if (service.catalogue?.offerings === offerings) service.catalogue = null;
  });
  return offerings;
}

const SKILL_FACTS = /* GraphQL */ `
  query PassportSkillFacts($skills: [_Any!]!) {
    skills: _entities(representations: $skills) { ... on Skill { uri preferredLabel groups { uri } broaderSkills { groups { uri } } } }
  }
`;

/** Each skill's label and direct ESCO groups, from the service's cache; what is missing in one ESCO call. */
export async function skillFacts(service: PassportService, uris: readonly string[]): Promise<(uri: string) => { label: string; groups: string[] }> {
  const cache = service.skills;
  const missing = [...new Set(uris)].filter((uri) => !cache.has(uri));
  if (missing.length > 0) {
    const answer = await call(service.sources, 'esco', ANONYMOUS, SKILL_FACTS, { skills: missing.map((uri) => ({ __typename: 'Skill', uri })) }, 'no recommendations could be made');
    for (const skill of (answer.data?.['skills'] as ({ uri: string; preferredLabel: string; groups: { uri: string }[]; broaderSkills: { groups: { uri: string }[] }[] } | null)[] | undefined) ?? []) {
      if (!skill) continue;
      const groups = skill.groups.length > 0 ? skill.groups : skill.broaderSkills.flatMap((broader) => broader.groups);
      cache.set(skill.uri, { label: skill.preferredLabel, groups: [...new Set(groups.map((group) => group.uri))] });
    }
  }
  return (uri) => cache.get(uri) ?? { label: uri, groups: [] };
}

export interface Goal {
  skillUris: string[];
  skillGroupUris: string[];
  occupationUri: string | null;
  pathwayId: string | null;
}

export interface GoalSkills {
  skills: string[];
  offerings: string[];
  notes: string[];
}

const GROUP_SKILLS = /* GraphQL */ `
  query PassportGroupSkills($groups: [_Any!]!) {
    groups: _entities(representations: $groups) { ... on SkillGroup { uri preferredLabel skills(first: 100) { nodes { uri } } } }
  }
`;
const OCCUPATION_SKILLS = /* GraphQL */ `
  query PassportOccupationSkills($refs: [_Any!]!) {
    occupations: _entities(representations: $refs) { ... on Occupation { uri preferredLabel essentialSkills { uri } } }
  }
`;
const PATHWAY_OPEN = /* GraphQL */ `
  query PassportPathwayGoal($learner: [_Any!]!, $pathwayId: ID!) {
    learner: _entities(representations: $learner) {
      ... on Learner { pathwayProgress(pathwayId: $pathwayId) { pathway { name } requirements { satisfied requirement { kind skill { uri } offerings { id } } } } }
    }
  }
`;

/** The goal as skills (and offerings a pathway names), with notes where a part of it cannot be had. */
export async function goalSkills(service: PassportService, caller: SignedIn, learnerId: string, goal: Goal): Promise<GoalSkills> {
  const skills = new Set(goal.skillUris);
  const offerings = new Set<string>();
  const notes: string[] = [];
  const [groups, occupation, pathway] = await Promise.all([
    goal.skillGroupUris.length > 0 ? call(service.sources, 'esco', ANONYMOUS, GROUP_SKILLS, { groups: goal.skillGroupUris.map((uri) => ({ __typename: 'SkillGroup', uri })) }) : undefined,
    goal.occupationUri ? call(service.sources, 'esco', ANONYMOUS, OCCUPATION_SKILLS, { refs: [{ __typename: 'Occupation', uri: goal.occupationUri }] }) : undefined,
    goal.pathwayId ? call(service.sources, 'recognition', caller, PATHWAY_OPEN, { learner: [{ __typename: 'Learner', id: learnerId }], pathwayId: goal.pathwayId }) : undefined,
  ]);
  ((groups?.data?.['groups'] as ({ uri: string; preferredLabel: string; skills: { nodes: { uri: string }[] } } | null)[] | undefined) ?? []).forEach((group, index) => {
    if (!group) throw new GraphQLError(`"goal.skillGroupUris[${index}]" is not a skill group ESCO knows.`, { extensions: { code: 'BAD_USER_INPUT', argument: `goal.skillGroupUris[${index}]` } });
    if (group.skills.nodes.length === 0) notes.push(`The ESCO group "${group.preferredLabel}" holds no skills directly: name one of its narrower groups or its skills.`);
    for (const skill of group.skills.nodes) skills.add(skill.uri);
  });
  if (occupation) {
    const found = (occupation.data?.['occupations'] as ({ preferredLabel: string; essentialSkills: { uri: string }[] } | null)[] | undefined)?.[0];
    if (!found) throw new GraphQLError('"goal.occupationUri" is not an occupation ESCO knows.', { extensions: { code: 'BAD_USER_INPUT', argument: 'goal.occupationUri' } });
    // Never invented: without ESCO's occupation-skill relations there is nothing to aim at.
    if (found.essentialSkills.length === 0) {
      notes.push(`ESCO links no skills to the occupation "${found.preferredLabel}" here: occupation goals need the full ESCO import with occupationSkillRelations_en.csv (npm run esco:import).`);
    }
    for (const skill of found.essentialSkills) skills.add(skill.uri);
  }
  if (pathway) {
    const progress = (pathway.data?.['learner'] as ({ pathwayProgress: { pathway: { name: string }; requirements: { satisfied: boolean; requirement: { kind: string; skill: { uri: string } | null; offerings: { id: string }[] } }[] } | null } | null)[] | undefined)?.[0]?.pathwayProgress;
    if (!progress) {
      const error = pathway.errors?.[0];
      throw new GraphQLError(error?.extensions?.['code'] === 'NOT_FOUND' ? '"goal.pathwayId" is not a published pathway.' : 'The pathway could not be read; no recommendations could be made.', {
        extensions: { code: error?.extensions?.['code'] === 'NOT_FOUND' ? 'BAD_USER_INPUT' : 'SERVICE_UNAVAILABLE', argument: 'goal.pathwayId' },
      });
    }
    for (const open of progress.requirements.filter((requirement) => !requirement.satisfied)) {
      if (open.requirement.kind === 'SKILL' && open.requirement.skill) skills.add(open.requirement.skill.uri);
      for (const offering of open.requirement.offerings) offerings.add(offering.id);
    }
    if (progress.requirements.every((requirement) => requirement.satisfied)) notes.push(`The pathway "${progress.pathway.name}" is complete already.`);
  }
  return { skills: [...skills].sort(), offerings: [...offerings].sort(), notes };
}
