import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import type { PassportService } from './context.js';
import { PassportCredential } from './records.js';
import type { AchievementEvidence, Evidence, ExternalEvidence, GroupNode, Level, SkillFacts } from './skills.js';
import { call } from './sources.js';

/*
 * Reads a learner's evidence as the caller, from its owners: the learner
 * register (their member accounts, and what their grants share with a caller
 * who is not the learner), the member router (passed achievements with the
 * skills the members recorded), issuance (credential statuses) and recognition
 * (requests naming the achievements), and ESCO (labels and the hierarchy).
 * Five calls in three rounds, however many achievements (plus, while the
 * service's cache of the public ESCO hierarchy is cold, one per level of it).
 *
 * Who reads a passport: the learner; anyone the learner's grants share their
 * achievements with (a member's staff, a named verifier), who sees what the
 * members let them see and not the learner's credentials, recognitions or
 * external credentials.
 */

const ACCOUNTS = /* GraphQL */ `
  query PassportAccounts($learner: [_Any!]!) {
    learner: _entities(representations: $learner) { ... on Learner { memberAccountIds sharingWithCaller { scopes memberIds } } }
  }
`;

const ACHIEVEMENTS = /* GraphQL */ `
  query PassportAchievements($learner: [_Any!]!) {
    learner: _entities(representations: $learner) {
      ... on Learner {
        achievements(passed: true) {
          id assessedOn ectsAwarded
          acquiredSkills { level skill { uri } }
          opportunity { id title eqfLevel creditBearing institution { id } }
        }
      }
    }
  }
`;

const CREDENTIALS = /* GraphQL */ `
  query PassportCredentials($learner: [_Any!]!) {
    learner: _entities(representations: $learner) { ... on Learner { credentials { id status achievement { id } } } }
  }
`;

/** The learner's alliance credentials as sealed (the passport export's credentials bundle). */
const SEALED = /* GraphQL */ `
  query PassportSealed($learner: [_Any!]!) {
    learner: _entities(representations: $learner) { ... on Learner { credentials { id kind status title issuedAt vcJwt } } }
  }
`;

const RECOGNITIONS = /* GraphQL */ `
  query PassportRecognitions($learner: [_Any!]!) {
    learner: _entities(representations: $learner) { ... on Learner { recognitionRequests { id state evidence { achievementId } } } }
  }
`;

const verifications = (count: number) => /* GraphQL */ `
  query PassportVerify(${Array.from({ length: count }, (_, i) => `$c${i}: String!`).join(', ')}) {
    ${Array.from({ length: count }, (_, i) => `v${i}: verifyCredential(credential: $c${i}) { verified checks { check passed reason } }`).join('\n    ')}
  }
`;

const SKILLS = /* GraphQL */ `
  query PassportSkills($skills: [_Any!]!) {
    skills: _entities(representations: $skills) { ... on Skill { uri preferredLabel groups { uri } broaderSkills { groups { uri } } } }
  }
`;

const GROUPS = /* GraphQL */ `
  query PassportGroups($groups: [_Any!]!) {
    groups: _entities(representations: $groups) { ... on SkillGroup { uri code preferredLabel broader { uri } } }
  }
`;

interface RawGroup {
  uri: string;
  code: string | null;
  preferredLabel: string;
  broader: { uri: string }[];
}

/** Levels of the ESCO hierarchy walked at most (it has four; a cycle in an import must not loop). */
const MAX_DEPTH = 8;

interface RawAchievement {
  id: string;
  assessedOn: string;
  ectsAwarded: number;
  acquiredSkills: { level: Level; skill: { uri: string } | null }[];
  opportunity: { id: string; title: string; eqfLevel: number; creditBearing: boolean; institution: { id: string } };
}

const IN_FORCE = 'ACTIVE';
/** Recognition states in which a request stands for the achievements it names. */
const RECOGNISED = new Set(['RECOGNISED', 'PARTIALLY_RECOGNISED', 'APPEALED']);

/**
 * The groups above `uris`, from the service's cache of the ESCO hierarchy
 * (public, and changed only by an import): what is missing is asked for one
 * level at a time, so a cold cache costs a call per level and a warm one none.
 */
async function groupsAbove(service: PassportService, caller: SignedIn, uris: readonly string[]): Promise<(uri: string) => GroupNode | null> {
  const cache = service.skillGroups;
  let missing = [...new Set(uris)].filter((uri) => !cache.has(uri));
  for (let depth = 0; missing.length > 0 && depth < MAX_DEPTH; depth++) {
    const answer = await call(service.sources, 'esco', caller, GROUPS, { groups: missing.map((uri) => ({ __typename: 'SkillGroup', uri })) });
    const found = ((answer.data?.['groups'] as (RawGroup | null)[] | undefined) ?? []).filter((group): group is RawGroup => Boolean(group));
    for (const group of found) cache.set(group.uri, { code: group.code, label: group.preferredLabel, broader: group.broader.map((parent) => parent.uri) });
    // A group ESCO does not know is left out (and asked for again next time).
    missing = [...new Set(found.flatMap((group) => group.broader.map((parent) => parent.uri)))].filter((uri) => !cache.has(uri));
  }
  const node = (uri: string, seen: ReadonlySet<string>): GroupNode | null => {
    const group = cache.get(uri);
    if (!group || seen.has(uri)) return null;
    const next = new Set([...seen, uri]);
    return { uri, code: group.code, label: group.label, broader: group.broader.flatMap((parent) => node(parent, next) ?? []) };
  };
  return (uri) => node(uri, new Set());
}

const first = <T>(data: Record<string, unknown> | null | undefined, field: string): T | undefined => (data?.['learner'] as (Record<string, unknown> | null)[] | undefined)?.[0]?.[field] as T | undefined;

export interface ReadEvidence {
  /** True when the caller is the learner (credentials, recognitions and external credentials are theirs). */
  own: boolean;
  evidence: Evidence[];
  facts: Map<string, SkillFacts>;
  /** Members that did not answer: their achievements are missing. */
  unavailable: string[];
  externals: PassportCredential[];
}

/** The learner, or whoever the learner's grants share their achievements with; anyone else is refused. */
async function checkReader(service: PassportService, caller: SignedIn, learnerId: string): Promise<{ own: boolean; accounts: string[]; sharing: unknown[] }> {
  const own = hasRole(caller, 'learner') && caller.learnerId === learnerId;
  const answer = await call(service.sources, 'learners', caller, ACCOUNTS, { learner: [{ __typename: 'Learner', id: learnerId }] });
  const found = (answer.data?.['learner'] as ({ memberAccountIds: string[]; sharingWithCaller: { scopes: string[] }[] } | null)[] | undefined)?.[0];
  if (!found) {
    if (!own) throw forbidden("Only the learner, and those their grants share achievements with, see a learner's passport.");
    throw new GraphQLError('There is no learner with this id.', { extensions: { code: 'NOT_FOUND', argument: 'id' } });
  }
  if (!own && !found.sharingWithCaller.some((grant) => grant.scopes.includes('ACHIEVEMENTS'))) {
    throw forbidden("Only the learner, and those their grants share achievements with, see a learner's passport.");
  }
  return { own, accounts: found.memberAccountIds, sharing: found.sharingWithCaller };
}

/** Null when the i-th external credential of a `verifications` answer verified; otherwise why not. */
function verificationFailure(answer: Awaited<ReturnType<typeof call>> | undefined, i: number): string | null {
  const result = answer?.data?.[`v${i}`] as { verified: boolean; checks: { check: string; passed: boolean; reason: string }[] } | null | undefined;
  if (result?.verified) return null;
  const failed = result ? result.checks.filter((check) => !check.passed).map((check) => `${check.check}: ${check.reason}`) : ['the issuance service could not verify it now'];
  return failed.join('; ') || 'it does not verify';
}

export async function readEvidence(service: PassportService, principal: Parameters<typeof requireSignedIn>[0], learnerId: string): Promise<ReadEvidence> {
  const caller = requireSignedIn(principal, 'the competence passport');
  const { own, accounts, sharing } = await checkReader(service, caller, learnerId);
  const learner = [{ __typename: 'Learner', id: learnerId }];
  const externals = own ? await service.orm.em.fork().find(PassportCredential, { learnerId }, { orderBy: { addedAt: 'asc', id: 'asc' } }) : [];
  const [achievements, credentials, recognitions, verified] = await Promise.all([
    call(service.sources, 'members', caller, ACHIEVEMENTS, { learner: [{ __typename: 'Learner', id: learnerId, memberAccountIds: accounts, sharingWithCaller: sharing }] }),
    own ? call(service.sources, 'issuance', caller, CREDENTIALS, { learner }) : undefined,
    own ? call(service.sources, 'recognition', caller, RECOGNITIONS, { learner }) : undefined,
    // External credentials are verified again on every read: a revoked one stops counting.
    externals.length > 0 ? call(service.sources, 'issuance', caller, verifications(externals.length), Object.fromEntries(externals.map((row, i) => [`c${i}`, row.document]))) : undefined,
  ]);
  const unavailable = [...new Set((achievements.errors ?? []).flatMap((error) => (typeof error.extensions?.['member'] === 'string' ? [error.extensions['member']] : [])))].sort();

  // The latest credential of an achievement decides (a re-issued one in force wins).
  const credentialOf = new Map<string, { id: string; status: string }>();
  for (const row of first<{ id: string; status: string; achievement: { id: string } | null }[]>(credentials?.data, 'credentials') ?? []) {
    if (!row.achievement) continue;
    const seen = credentialOf.get(row.achievement.id);
    if (!seen || seen.status !== IN_FORCE) credentialOf.set(row.achievement.id, { id: row.id, status: row.status });
  }
  const recognitionOf = new Map<string, { id: string; state: string }>();
  for (const request of first<{ id: string; state: string; evidence: { achievementId: string | null }[] }[]>(recognitions?.data, 'recognitionRequests') ?? []) {
    for (const item of request.evidence) {
      if (!item.achievementId) continue;
      const seen = recognitionOf.get(item.achievementId);
      if (!seen || (RECOGNISED.has(request.state) && !RECOGNISED.has(seen.state))) recognitionOf.set(item.achievementId, { id: request.id, state: request.state });
    }
  }

  const evidence: Evidence[] = (first<(RawAchievement | null)[]>(achievements.data, 'achievements') ?? []).filter((item): item is RawAchievement => Boolean(item)).map(
    (item): AchievementEvidence => ({
      kind: 'ACHIEVEMENT',
      id: item.id,
      title: item.opportunity.title,
      memberId: item.opportunity.institution.id,
      offeringId: item.opportunity.id,
      assessedOn: item.assessedOn,
      ects: item.opportunity.creditBearing ? item.ectsAwarded : 0,
      eqfLevel: item.opportunity.eqfLevel,
      skills: item.acquiredSkills.flatMap((acquired) => (acquired.skill ? [{ uri: acquired.skill.uri, level: acquired.level }] : [])),
      credential: credentialOf.get(item.id) ?? null,
      recognition: recognitionOf.get(item.id) ?? null,
    }),
  );
  externals.forEach((row, i) => {
    evidence.push({
      kind: 'EXTERNAL_CREDENTIAL',
      id: row.id,
      title: row.title,
      awardingBody: row.awardingBody,
      gainedOn: row.gainedOn,
      ects: row.ects,
      eqfLevel: row.eqfLevel ?? null,
      skills: row.skillList ? row.skillList.split(',') : [],
      failure: verificationFailure(verified, i),
    } satisfies ExternalEvidence);
  });

  const uris = [...new Set(evidence.flatMap((item) => (item.kind === 'ACHIEVEMENT' ? item.skills.map((skill) => skill.uri) : item.skills)))];
  const facts = new Map<string, SkillFacts>();
  if (uris.length > 0) {
    const answer = await call(service.sources, 'esco', caller, SKILLS, { skills: uris.map((uri) => ({ __typename: 'Skill', uri })) });
    if (answer.errors?.length) service.logger.warn(`passport: ESCO answered with errors: ${answer.errors.map((error) => error.message).join('; ').slice(0, 300)}`);
    const skills = ((answer.data?.['skills'] as ({ uri: string; preferredLabel: string; groups: { uri: string }[]; broaderSkills: { groups: { uri: string }[] }[] } | null)[] | undefined) ?? []).filter(
      (skill): skill is NonNullable<typeof skill> => Boolean(skill),
    );
    // A skill that sits under another skill only takes its groups from there.
    const direct = new Map(skills.map((skill) => [skill.uri, (skill.groups.length > 0 ? skill.groups : skill.broaderSkills.flatMap((broader) => broader.groups)).map((group) => group.uri)]));
    const groupOf = await groupsAbove(service, caller, [...direct.values()].flat());
    for (const skill of skills) facts.set(skill.uri, { label: skill.preferredLabel, groups: (direct.get(skill.uri) ?? []).flatMap((uri) => groupOf(uri) ?? []) });
  }
  return { own, evidence, facts, unavailable, externals };
}

export interface SealedCredential {
  id: string;
  kind: string;
  status: string;
  title: string;
  issuedAt: string;
  vcJwt: string;
}

export interface ReadSealed {
  own: boolean;
  credentials: SealedCredential[];
  externals: { row: PassportCredential; failure: string | null }[];
}

/**
 * The learner's sealed alliance credentials and the external credentials they
 * added, each verified again, under the passport's access rule (checkReader):
 * both are the learner's own, so a reader the grants let in gets neither. The
 * learner register, then issuance once (twice with external credentials).
 */
export async function readSealed(service: PassportService, principal: Parameters<typeof requireSignedIn>[0], learnerId: string): Promise<ReadSealed> {
  const caller = requireSignedIn(principal, 'the competence passport');
  const { own } = await checkReader(service, caller, learnerId);
  if (!own) return { own, credentials: [], externals: [] };
  const learner = [{ __typename: 'Learner', id: learnerId }];
  const externals = await service.orm.em.fork().find(PassportCredential, { learnerId }, { orderBy: { addedAt: 'asc', id: 'asc' } });
  const [sealed, verified] = await Promise.all([
    call(service.sources, 'issuance', caller, SEALED, { learner }, 'the credentials could not be exported'),
    externals.length > 0 ? call(service.sources, 'issuance', caller, verifications(externals.length), Object.fromEntries(externals.map((row, i) => [`c${i}`, row.document]))) : undefined,
  ]);
  const credentials = first<SealedCredential[] | null>(sealed.data, 'credentials');
  // A bundle without the learner's own credentials would look complete and not be: refuse instead.
  if (!credentials) throw new GraphQLError('The issuance service did not answer; the credentials could not be exported (ask again later).', { extensions: { code: 'SERVICE_UNAVAILABLE', service: 'issuance' } });
  return { own, credentials, externals: externals.map((row, i) => ({ row, failure: verificationFailure(verified, i) })) };
}
