import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import type { HttpClient } from '../../lib/http-client.js';
import { postGraphQL, ServiceCallError } from '../../lib/http-client.js';
import type { HubSigner } from '../../lib/hub-token.js';
import { parseGlobalId } from '../../lib/ids.js';
import type { CredentialFacts } from './facts.js';

/*
 * Where the facts of a credential come from: the awarding member's records,
 * read through the member router with the caller's own identity (so the
 * member's access rules decide whether the caller may see the achievement at
 * all), and the skills' labels from the ESCO subgraph. Nothing the caller
 * sends ends up in a credential except the id of the achievement.
 */

export interface FactSources {
  client: HttpClient;
  signer: HubSigner;
  /** The member router's GraphQL endpoint. */
  membersUrl: string;
  /** The ESCO subgraph's GraphQL endpoint. */
  escoUrl: string;
  /** The recognition subgraph's GraphQL endpoint: pathway progress, for stacked credentials (absent: none can be issued). */
  recognitionUrl?: string;
  timeoutMs: number;
}

export type AchievementFacts = Pick<CredentialFacts, 'learner' | 'awardingBody' | 'achievement' | 'offering' | 'learningOutcomes' | 'acquiredSkills'>;

const ACHIEVEMENT_QUERY = /* GraphQL */ `
  query IssuanceFacts($ids: [_Any!]!) {
    achievements: _entities(representations: $ids) {
      ... on Achievement {
        id revision assessedOn grade passed ectsAwarded supervision
        gradingScheme { code description }
        learnerAccount { givenName familyName email studentNumber learner { id } }
        acquiredSkills { level skill { uri } }
        opportunity {
          id code title description kind microCredentialType ects workloadHours eqfLevel iscedF assessmentType mode learningSetting
          qualityAssurance prerequisites stackability stackableTowards moreInformationUrl creditBearing
          externalAccreditation { reference body decidedOn validUntil url }
          learningOutcomes { description expectedProficiency skill { uri } }
          institution { id name country website accreditationAuthority }
        }
      }
    }
  }
`;

const LABELS_QUERY = /* GraphQL */ `
  query IssuanceSkillLabels($skills: [_Any!]!) {
    skills: _entities(representations: $skills) { ... on Skill { uri preferredLabel } }
  }
`;

/** Why the facts of one achievement could not be had, in words for the caller. */
export class FactsUnavailable extends Error {
  constructor(
    readonly achievementId: string,
    readonly error: GraphQLError,
  ) {
    super(error.message);
    this.name = 'FactsUnavailable';
  }
}

interface RawAchievement {
  id: string;
  /** Absent from a member on a contract before corrections. */
  revision?: number | null;
  assessedOn: string;
  grade: string | null;
  passed: boolean;
  ectsAwarded: number;
  supervision: AchievementFacts['achievement']['supervision'];
  gradingScheme: { code: string; description: string };
  learnerAccount: { givenName: string; familyName: string; email: string | null; studentNumber: string | null; learner: { id: string } | null };
  acquiredSkills: { level: AchievementFacts['acquiredSkills'][number]['level']; skill: { uri: string } | null }[];
  opportunity: Omit<AchievementFacts['offering'], never> & {
    learningOutcomes: { description: string; expectedProficiency: AchievementFacts['learningOutcomes'][number]['expectedProficiency']; skill: { uri: string } | null }[];
    institution: { id: string; name: string; country: string; website: string | null; accreditationAuthority: AchievementFacts['awardingBody']['accreditationAuthority'] };
  };
}

/**
 * Reads the facts of several achievements in one call to the router (which
 * asks each member once) and one to ESCO. Returns, per id, the facts or why
 * they are missing.
 */
/** Staff of the member an achievement id names may read all of that member's achievements. */
function readsEveryAchievementOf(principal: Principal, achievementId: string): boolean {
  return principal.kind === 'user' && principal.roles.includes('member-staff') && principal.memberId === parseGlobalId(achievementId)?.memberId;
}

export async function readAchievementFacts(
  sources: FactSources,
  principal: Principal,
  achievementIds: readonly string[],
): Promise<Map<string, AchievementFacts | FactsUnavailable>> {
  const results = new Map<string, AchievementFacts | FactsUnavailable>();
  if (achievementIds.length === 0) return results;
  const call = async (url: string, audience: string, query: string, variables: Record<string, unknown>) => {
    try {
      return await postGraphQL(
        sources.client,
        url,
        { query, variables },
        { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(principal, audience)}` } },
      );
    } catch (error) {
      if (error instanceof ServiceCallError) {
        throw new GraphQLError(`The ${audience === 'esco' ? 'ESCO service' : 'member router'} ${error.reason}; nothing was issued.`, {
          extensions: { code: 'SERVICE_UNAVAILABLE', service: audience },
        });
      }
      throw error;
    }
  };
  const answer = await call(sources.membersUrl, 'members', ACHIEVEMENT_QUERY, {
    ids: achievementIds.map((id) => ({ __typename: 'Achievement', id })),
  });
  const list = ((answer.data?.['achievements'] as (RawAchievement | null)[] | undefined) ?? []).slice(0, achievementIds.length);
  const errorFor = (index: number) =>
    (answer.errors ?? []).find((error) => Array.isArray(error.path) && error.path[0] === 'achievements' && error.path[1] === index);
  const found: RawAchievement[] = [];
  achievementIds.forEach((id, index) => {
    const raw = list[index];
    // A member answers for its own achievements only: the awarding body is the member the id names.
    if (raw && raw.id === id && raw.opportunity.institution.id === parseGlobalId(id)?.memberId) {
      found.push(raw);
      return;
    }
    if (raw) {
      results.set(id, new FactsUnavailable(id, new GraphQLError(`The member answered for achievement "${id}" with another record; nothing was issued.`, { extensions: { code: 'MEMBER_ERROR' } })));
      return;
    }
    const error = errorFor(index) ?? answer.errors?.[0];
    let code = typeof error?.extensions?.['code'] === 'string' ? error.extensions['code'] : 'NOT_FOUND';
    // Only the awarding member's staff, who may read all its achievements, learn that an id does not
    // exist; anyone else gets the answer an achievement they may not see gets (no probing for ids).
    if (code === 'UNAUTHENTICATED' || (code === 'NOT_FOUND' && !readsEveryAchievementOf(principal, id))) code = 'FORBIDDEN';
    const message =
      code === 'FORBIDDEN'
        ? `You may not see achievement "${id}", so you cannot have a credential issued for it.`
        : code === 'NOT_FOUND' || !error
          ? `No achievement "${id}" exists at its member.`
          : `Achievement "${id}" could not be read: ${error.message}`;
    results.set(id, new FactsUnavailable(id, new GraphQLError(message, { extensions: { code } })));
  });

  const skillUris = [
    ...new Set(found.flatMap((raw) => [...raw.acquiredSkills, ...raw.opportunity.learningOutcomes].flatMap((item) => (item.skill ? [item.skill.uri] : [])))),
  ];
  const labels = new Map<string, string>();
  if (skillUris.length > 0) {
    const skills = await call(sources.escoUrl, 'esco', LABELS_QUERY, { skills: skillUris.map((uri) => ({ __typename: 'Skill', uri })) });
    for (const skill of (skills.data?.['skills'] as ({ uri: string; preferredLabel: string } | null)[] | undefined) ?? []) {
      if (skill) labels.set(skill.uri, skill.preferredLabel);
    }
  }
  // A skill ESCO does not know keeps its URI as its label: the URI is what identifies it.
  const skillOf = (skill: { uri: string } | null) => (skill ? { uri: skill.uri, label: labels.get(skill.uri) ?? skill.uri } : null);

  for (const raw of found) {
    const learnerId = raw.learnerAccount.learner?.id;
    if (!learnerId) {
      results.set(
        raw.id,
        new FactsUnavailable(raw.id, new GraphQLError(`Achievement "${raw.id}" belongs to an account not linked to an alliance learner; nothing can be issued.`, { extensions: { code: 'BAD_USER_INPUT' } })),
      );
      continue;
    }
    const { institution, learningOutcomes, ...offering } = raw.opportunity;
    results.set(raw.id, {
      learner: {
        id: learnerId,
        givenName: raw.learnerAccount.givenName,
        familyName: raw.learnerAccount.familyName,
        email: raw.learnerAccount.email,
        studentNumber: raw.learnerAccount.studentNumber,
      },
      awardingBody: {
        id: institution.id,
        name: institution.name,
        country: institution.country,
        homepage: institution.website,
        accreditationAuthority: institution.accreditationAuthority,
      },
      achievement: {
        id: raw.id,
        revision: raw.revision ?? 1,
        assessedOn: raw.assessedOn,
        grade: raw.grade,
        gradingScheme: raw.gradingScheme,
        passed: raw.passed,
        ectsAwarded: raw.ectsAwarded,
        supervision: raw.supervision,
      },
      offering,
      learningOutcomes: learningOutcomes.map((outcome) => ({ description: outcome.description, expectedProficiency: outcome.expectedProficiency, skill: skillOf(outcome.skill) })),
      acquiredSkills: raw.acquiredSkills.flatMap((acquired) => {
        const skill = skillOf(acquired.skill);
        return skill ? [{ level: acquired.level, skill }] : [];
      }),
    });
  }
  return results;
}
