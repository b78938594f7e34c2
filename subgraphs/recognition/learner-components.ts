import { GraphQLError } from 'graphql';
import type { SignedIn } from '../../lib/access.js';
import type { RecognitionService } from './context.js';
import { RecognitionState } from './enums.js';
import type { Component } from './pathways.js';
import { RecognitionEvidence, RecognitionRequest } from './records.js';
import { callSubgraph } from './sources.js';

/*
 * What a learner has that may count towards pathways, read as the caller
 * from its owners. Cost, however many achievements: one call to the learners
 * subgraph (the learner's accounts) and one to issuance (credential statuses),
 * side by side, then one to the member router (which asks each member holding
 * an account once), and two queries of the recognition database.
 */

const ACCOUNTS_QUERY = /* GraphQL */ `
  query PathwayAccounts($learner: [_Any!]!) {
    learner: _entities(representations: $learner) { ... on Learner { memberAccountIds sharingWithCaller { scopes memberIds } } }
  }
`;

const CREDENTIALS_QUERY = /* GraphQL */ `
  query PathwayCredentials($learner: [_Any!]!) {
    learner: _entities(representations: $learner) { ... on Learner { credentials { id status achievement { id } } } }
  }
`;

const ACHIEVEMENTS_QUERY = /* GraphQL */ `
  query PathwayAchievements($learner: [_Any!]!) {
    learner: _entities(representations: $learner) {
      ... on Learner {
        achievements(passed: true) {
          id ectsAwarded assessedOn
          acquiredSkills { skill { uri } }
          opportunity { id title kind eqfLevel sdgs creditBearing institution { id } learningOutcomes { skill { uri } } }
        }
        enrolments { id status opportunity { id title kind eqfLevel sdgs creditBearing ects endDate institution { id } learningOutcomes { skill { uri } } } }
      }
    }
  }
`;

interface RawEnrolment {
  id: string;
  status: string;
  opportunity: RawAchievement['opportunity'] & { ects: number; endDate: string | null };
}

/** Open applications and places: what the learner is doing now (an application made through the portal counts from the moment it is made). */
const OPEN_ENROLMENT = new Set(['APPLIED', 'ENROLLED']);

interface RawAchievement {
  id: string;
  ectsAwarded: number;
  assessedOn: string;
  acquiredSkills: { skill: { uri: string } | null }[];
  opportunity: { id: string; title: string; kind: string; eqfLevel: number; sdgs: number[]; creditBearing: boolean; institution: { id: string }; learningOutcomes: { skill: { uri: string } | null }[] };
}

const COUNTING = [RecognitionState.RECOGNISED, RecognitionState.PARTIALLY_RECOGNISED, RecognitionState.APPEALED];
const IN_FORCE = 'ACTIVE';

/**
 * The learner's components, what they are doing now (`planned`: open
 * enrolments, as components assessed at the offering's end), plus the
 * members that could not answer (their achievements are then missing).
 */
export async function readComponents(service: RecognitionService, caller: SignedIn, learnerId: string): Promise<{ components: Component[]; planned: (Component & { status: string })[]; unavailable: string[] }> {
  const learner = [{ __typename: 'Learner', id: learnerId }];
  const [accounts, credentials] = await Promise.all([
    callSubgraph(service.sources, 'learners', caller, ACCOUNTS_QUERY, { learner }),
    callSubgraph(service.sources, 'issuance', caller, CREDENTIALS_QUERY, { learner }),
  ]);
  const found = (accounts.data?.['learner'] as ({ memberAccountIds: string[]; sharingWithCaller: unknown[] } | null)[] | undefined)?.[0];
  if (!found) throw new GraphQLError('There is no learner with this id.', { extensions: { code: 'NOT_FOUND', argument: 'id' } });
  const answer = await callSubgraph(service.sources, 'members', caller, ACHIEVEMENTS_QUERY, {
    learner: [{ __typename: 'Learner', id: learnerId, memberAccountIds: found.memberAccountIds, sharingWithCaller: found.sharingWithCaller }],
  });
  const learnerData = (answer.data?.['learner'] as ({ achievements: RawAchievement[] | null; enrolments: RawEnrolment[] | null } | null)[] | undefined)?.[0];
  const achievements = (learnerData?.achievements ?? []).filter(Boolean);
  const planned = (learnerData?.enrolments ?? [])
    .filter((enrolment) => enrolment && OPEN_ENROLMENT.has(enrolment.status))
    .map((enrolment): Component & { status: string } => {
      const opportunity = enrolment.opportunity;
      return {
        id: enrolment.id,
        source: 'ENROLMENT',
        status: enrolment.status,
        title: opportunity.title,
        memberId: opportunity.institution.id,
        learntAt: [opportunity.institution.id],
        offeringId: opportunity.id,
        credentialId: null,
        ects: opportunity.creditBearing ? opportunity.ects : 0,
        eqfLevel: opportunity.eqfLevel,
        kind: opportunity.kind,
        sdgs: opportunity.sdgs,
        skills: [...new Set(opportunity.learningOutcomes.flatMap((item) => (item.skill ? [item.skill.uri] : [])))],
        assessedOn: opportunity.endDate,
        excluded: null,
      };
    });
  // The router names each member that failed (MEMBER_UNAVAILABLE / MEMBER_ERROR); progress says so rather than look complete.
  const unavailable = [...new Set((answer.errors ?? []).flatMap((error) => (typeof error.extensions?.['member'] === 'string' ? [error.extensions['member']] : [])))].sort();

  // A credential not in force stops its achievement counting (the latest credential of an achievement decides).
  const statusOf = new Map<string, { id: string; status: string }>();
  const credentialRows = ((credentials.data?.['learner'] as ({ credentials: { id: string; status: string; achievement: { id: string } | null }[] | null } | null)[] | undefined)?.[0]?.credentials ?? []);
  for (const row of credentialRows) {
    if (!row.achievement) continue;
    const seen = statusOf.get(row.achievement.id);
    if (!seen || seen.status !== IN_FORCE) statusOf.set(row.achievement.id, { id: row.id, status: row.status });
  }
  const credentialStatus = new Map(credentialRows.map((row) => [row.id, row.status]));

  const requests = await service.orm.em.fork().find(RecognitionRequest, { learnerId, state: { $in: COUNTING } }, { orderBy: { decidedAt: 'asc', id: 'asc' } });
  const evidence = requests.length > 0 ? await service.orm.em.fork().find(RecognitionEvidence, { requestId: { $in: requests.map((request) => request.id) } }, { orderBy: { position: 'asc' } }) : [];
  const byAchievement = new Map(achievements.map((achievement) => [achievement.id, achievement]));
  const usedBy = new Map<string, string>();
  const components: Component[] = [];

  for (const request of requests) {
    const items = evidence.filter((item) => item.requestId === request.id);
    const revoked = items.find((item) => {
      const credentialId = item.kind === 'CREDENTIAL' ? item.reference : item.achievementId ? statusOf.get(item.achievementId)?.id : undefined;
      const status = credentialId ? credentialStatus.get(credentialId) : undefined;
      return status !== undefined && status !== IN_FORCE;
    });
    const sources = items.flatMap((item) => (item.achievementId ? [byAchievement.get(item.achievementId)] : [])).filter((item): item is RawAchievement => Boolean(item));
    for (const item of items) if (item.achievementId && !revoked) usedBy.set(item.achievementId, request.id);
    const dates = items.map((item) => item.assessedOn).filter((value): value is string => Boolean(value)).sort();
    components.push({
      id: request.id,
      source: 'RECOGNITION',
      title: `${request.targetTitle} (recognised by ${request.memberId})`,
      memberId: request.memberId,
      learntAt: [...new Set(items.map((item) => item.issuerMemberId ?? request.memberId))],
      offeringId: request.offeringId ?? null,
      credentialId: null,
      ects: request.ectsRecognised ?? 0,
      eqfLevel: request.targetEqfLevel ?? Math.max(0, ...items.map((item) => item.eqfLevel ?? 0)),
      kind: sources.find((item) => item.opportunity.kind === 'CHALLENGE') ? 'CHALLENGE' : (sources[0]?.opportunity.kind ?? items.find((item) => item.opportunityKind)?.opportunityKind ?? null),
      sdgs: [...new Set(sources.flatMap((item) => item.opportunity.sdgs))],
      skills: [...new Set(items.flatMap((item) => (item.skillList ? item.skillList.split(',') : [])))],
      assessedOn: dates.at(-1) ?? request.decidedAt?.toISOString().slice(0, 10) ?? null,
      excluded: revoked ? `the credential of its evidence "${revoked.title}" is no longer in force` : null,
    });
  }
  for (const achievement of achievements) {
    const credential = statusOf.get(achievement.id);
    const opportunity = achievement.opportunity;
    const recognisedIn = usedBy.get(achievement.id);
    components.push({
      id: achievement.id,
      source: 'ACHIEVEMENT',
      title: opportunity.title,
      memberId: opportunity.institution.id,
      learntAt: [opportunity.institution.id],
      offeringId: opportunity.id,
      credentialId: credential?.id ?? null,
      ects: opportunity.creditBearing ? achievement.ectsAwarded : 0,
      eqfLevel: opportunity.eqfLevel,
      kind: opportunity.kind,
      sdgs: opportunity.sdgs,
      skills: [...new Set([...achievement.acquiredSkills, ...opportunity.learningOutcomes].flatMap((item) => (item.skill ? [item.skill.uri] : [])))],
      assessedOn: achievement.assessedOn,
      excluded:
        credential && credential.status !== IN_FORCE
          ? `its credential ${credential.id} is ${credential.status.toLowerCase()}`
          : recognisedIn
            ? `counted through recognition request ${recognisedIn}`
            : null,
    });
  }
  return { components, planned, unavailable };
}

/** A catalogue search that would find offerings for an open requirement. */
export interface SuggestionSearch {
  kinds?: string[];
  sdg?: number;
  skillUri?: string;
  institutionIds?: string[];
}

const searchKey = (search: SuggestionSearch) => JSON.stringify([search.kinds ?? null, search.sdg ?? null, search.skillUri ?? null, search.institutionIds ?? null]);

/**
 * Offerings for open CHALLENGE and SKILL requirements: every distinct search
 * in one call to the member router (aliases), up to `first` each. Returns, per
 * search key, the offering ids found; a failed search finds nothing (progress still answers).
 */
export async function searchSuggestions(service: RecognitionService, caller: SignedIn, searches: readonly SuggestionSearch[], first: number): Promise<(search: SuggestionSearch) => string[]> {
  // At most 20 searches in one call (well inside the router's alias limit); further ones find nothing.
  const distinct = [...new Map(searches.map((search) => [searchKey(search), search])).values()].slice(0, 20);
  const found = new Map<string, string[]>();
  if (distinct.length > 0) {
    const query = `query PathwaySuggestions(${distinct.map((_, i) => `$f${i}: OfferingFilter`).join(', ')}) { ${distinct.map((_, i) => `s${i}: offerings(filter: $f${i}, first: ${first}) { nodes { id } }`).join(' ')} }`;
    const variables = Object.fromEntries(
      distinct.map((search, i) => [`f${i}`, { ...(search.kinds ? { kinds: search.kinds } : {}), ...(search.sdg ? { sdg: search.sdg } : {}), ...(search.skillUri ? { skillUri: search.skillUri } : {}), ...(search.institutionIds ? { institutionIds: search.institutionIds } : {}) }]),
    );
    try {
      const answer = await callSubgraph(service.sources, 'members', caller, query, variables);
      distinct.forEach((search, i) => {
        const nodes = (answer.data?.[`s${i}`] as { nodes: { id: string }[] } | null | undefined)?.nodes ?? [];
        found.set(searchKey(search), nodes.map((node) => node.id));
      });
    } catch (error) {
      service.logger.warn(`pathway suggestions unavailable: ${(error as Error).message}`);
    }
  }
  return (search) => found.get(searchKey(search)) ?? [];
}
