import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import { postGraphQL, ServiceCallError } from '../../lib/http-client.js';
import type { AccreditationAuthority, StackedPart } from './facts.js';
import { FactsUnavailable, readAchievementFacts, type AchievementFacts, type FactSources } from './sources.js';

/*
 * Where a stacked credential's facts come from, read as the caller (so each
 * owner's access rules decide): the recognition subgraph says whether the
 * learner completed the pathway and which components counted; the awarding
 * member of one counted achievement gives the learner's name as it records
 * it (the alliance keeps no names); the member router gives the owner's and
 * the parts' members' names, countries and authority. Nothing the caller
 * sends ends up in the credential except the two ids.
 * Cost: one call to recognition (which makes its own three), one or two to
 * the member router and at most one to ESCO, however many parts.
 */

const PROGRESS_QUERY = /* GraphQL */ `
  query StackedPathway($learner: [_Any!]!, $pathwayId: ID!) {
    learner: _entities(representations: $learner) {
      ... on Learner {
        pathwayProgress(pathwayId: $pathwayId) {
          complete ectsCounted ectsMissing unavailableMembers { id }
          pathway { id name description version eqfLevel ectsMin ectsMax owner { id } }
          requirements { satisfied status }
          components {
            achievementId credentialId title ects assessedOn counts
            recognition { id evidence { achievementId } }
            institution { id }
            offering { id }
          }
        }
      }
    }
  }
`;

const INSTITUTIONS_QUERY = /* GraphQL */ `
  query StackedInstitutions($refs: [_Any!]!) {
    institutions: _entities(representations: $refs) { ... on Institution { id name country website accreditationAuthority } }
  }
`;

interface RawComponent {
  achievementId: string | null;
  credentialId: string | null;
  title: string;
  ects: number;
  assessedOn: string | null;
  counts: boolean;
  recognition: { id: string; evidence: { achievementId: string | null }[] } | null;
  institution: { id: string };
  offering: { id: string } | null;
}

interface RawProgress {
  complete: boolean;
  ectsCounted: number;
  ectsMissing: number;
  unavailableMembers: { id: string }[];
  pathway: { id: string; name: string; description: string | null; version: number; eqfLevel: number | null; ectsMin: number; ectsMax: number | null; owner: { id: string } | null };
  requirements: { satisfied: boolean; status: string }[];
  components: RawComponent[];
}

export interface InstitutionFacts {
  id: string;
  name: string;
  country: string;
  website: string | null;
  accreditationAuthority: AccreditationAuthority;
}

export interface PathwayFacts {
  pathway: RawProgress['pathway'];
  ectsCounted: number;
  /** The learner's name and contact, from a counted achievement's member. */
  learner: AchievementFacts['learner'];
  owner: InstitutionFacts | null;
  parts: StackedPart[];
  completedOn: string;
}

async function call(sources: FactSources, url: string | undefined, audience: string, principal: Principal, query: string, variables: Record<string, unknown>) {
  const name = audience === 'recognition' ? 'recognition service' : 'member router';
  if (!url) throw new GraphQLError(`The ${name} is not configured here; nothing was issued.`, { extensions: { code: 'SERVICE_UNAVAILABLE', service: audience } });
  try {
    return await postGraphQL(sources.client, url, { query, variables }, { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(principal, audience)}` } });
  } catch (error) {
    if (error instanceof ServiceCallError) throw new GraphQLError(`The ${name} ${error.reason}; nothing was issued.`, { extensions: { code: 'SERVICE_UNAVAILABLE', service: audience } });
    throw error;
  }
}

/** An error recognition answered with, passed on with its code (its messages are written for the caller); anything else is not. */
const PASSED_ON = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'BAD_USER_INPUT']);

/**
 * The facts of a completed pathway, or a GraphQLError saying why there are
 * none: NOT_ISSUABLE (not complete, with what is missing), or the recognition
 * subgraph's own FORBIDDEN / NOT_FOUND.
 */
export async function readPathwayFacts(
  sources: FactSources,
  principal: Principal,
  pathwayId: string,
  learnerId: string,
  /** Throws when the caller may not have the credential of a pathway with this owner (null: the alliance); asked before completeness. */
  checkOwner: (ownerId: string | null) => void,
): Promise<PathwayFacts> {
  const answer = await call(sources, sources.recognitionUrl, 'recognition', principal, PROGRESS_QUERY, { learner: [{ __typename: 'Learner', id: learnerId }], pathwayId });
  const progress = (answer.data?.['learner'] as ({ pathwayProgress: RawProgress | null } | null)[] | undefined)?.[0]?.pathwayProgress;
  if (!progress) {
    const error = answer.errors?.[0];
    const code = typeof error?.extensions?.['code'] === 'string' ? error.extensions['code'] : '';
    if (error && PASSED_ON.has(code)) throw new GraphQLError(error.message, { extensions: { code, ...(typeof error.extensions?.['argument'] === 'string' ? { argument: error.extensions['argument'] } : {}) } });
    throw new GraphQLError("The learner's progress along the pathway could not be read; nothing was issued.", { extensions: { code: 'SERVICE_UNAVAILABLE', service: 'recognition' } });
  }
  checkOwner(progress.pathway.owner?.id ?? null);
  if (!progress.complete) {
    const open = progress.requirements.filter((requirement) => !requirement.satisfied).map((requirement) => requirement.status);
    const missing = progress.ectsMissing > 0 ? [`${progress.ectsMissing} ECTS missing`] : [];
    const down = progress.unavailableMembers.map((member) => member.id);
    const unread = down.length > 0 ? ` ${down.join(', ')} did not answer, so what the learner did there was not counted: try again later.` : '';
    throw new GraphQLError(`No credential was issued: the pathway "${progress.pathway.name}" is not complete (${[...missing, ...open].join('; ') || 'not every requirement is met'}).${unread}`, {
      extensions: { code: 'NOT_ISSUABLE' },
    });
  }
  const counted = progress.components.filter((component) => component.counts);
  // The learner's name as a member records it: from a counted achievement, or the evidence of counted recognised credit.
  const named = [
    ...counted.flatMap((component) => (component.achievementId ? [component.achievementId] : [])),
    ...counted.flatMap((component) => component.recognition?.evidence.flatMap((item) => (item.achievementId ? [item.achievementId] : [])) ?? []),
  ][0];
  if (!named) {
    throw new GraphQLError('No credential was issued: no counted part is an achievement in the graph, so no member states the name the credential must carry.', { extensions: { code: 'NOT_ISSUABLE' } });
  }
  const facts = (await readAchievementFacts(sources, principal, [named])).get(named);
  if (!facts || facts instanceof FactsUnavailable) throw facts?.error ?? new GraphQLError('The learner could not be read; nothing was issued.', { extensions: { code: 'NOT_FOUND' } });
  if (facts.learner.id !== learnerId) throw new GraphQLError('The member answered with another learner; nothing was issued.', { extensions: { code: 'MEMBER_ERROR' } });

  const memberIds = [...new Set([...(progress.pathway.owner ? [progress.pathway.owner.id] : []), ...counted.map((component) => component.institution.id)])];
  const listed = await call(sources, sources.membersUrl, 'members', principal, INSTITUTIONS_QUERY, { refs: memberIds.map((id) => ({ __typename: 'Institution', id })) });
  const institutions = new Map(
    ((listed.data?.['institutions'] as (InstitutionFacts | null)[] | undefined) ?? []).filter((item): item is InstitutionFacts => Boolean(item)).map((item) => [item.id, item]),
  );
  const memberOf = (id: string): InstitutionFacts => {
    const found = institutions.get(id);
    if (!found) throw new GraphQLError(`Member "${id}" could not be read; nothing was issued.`, { extensions: { code: 'SERVICE_UNAVAILABLE', service: 'members' } });
    return found;
  };
  const parts = counted.map((component): StackedPart => {
    const member = memberOf(component.institution.id);
    return {
      id: component.achievementId ?? component.recognition?.id ?? '',
      source: component.achievementId ? 'ACHIEVEMENT' : 'RECOGNITION',
      title: component.title,
      member: { id: member.id, name: member.name, country: member.country },
      ects: component.ects,
      assessedOn: component.assessedOn,
      offeringId: component.offering?.id ?? null,
      credentialId: component.credentialId,
    };
  });
  const days = parts.map((part) => part.assessedOn).filter((day): day is string => Boolean(day)).sort();
  return {
    pathway: progress.pathway,
    ectsCounted: progress.ectsCounted,
    learner: facts.learner,
    owner: progress.pathway.owner ? memberOf(progress.pathway.owner.id) : null,
    parts,
    completedOn: days.at(-1) ?? new Date().toISOString().slice(0, 10),
  };
}
