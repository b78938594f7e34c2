import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { SignedIn } from '../../lib/access.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import { parseGlobalId } from '../../lib/ids.js';
import { FactsUnavailable, readAchievementFacts, type AchievementFacts } from '../issuance/sources.js';
import type { RecognitionService } from './context.js';
import { credentialPayload, LEARNER_URN_PREFIX, readEdcClaim } from '../../lib/edc-reader.js';
import { EvidenceKind } from './enums.js';
import type { EvidenceInput } from './inputs.js';
import type { RecognitionEvidence } from './records.js';
import { callSubgraph } from './sources.js';

/*
 * Turning the evidence a learner names into what the deciding member will
 * see. Every piece is read as the learner, from its owner, so nobody can name
 * what is not theirs: achievements from their member (through the router),
 * alliance credentials from issuance (in force only), credentials from outside
 * through the hub's verification (every check must pass), portfolios checked
 * here. The result is a snapshot: the member sees it, not the learner's records.
 * Cost: at most one call to issuance for credentials, one to the router (and
 * one to ESCO) for achievements, one to issuance for external credentials.
 */

export const MAX_EVIDENCE = 10;
const MAX_DOCUMENT = 1_000_000;
const CREDENTIAL_ID = /^urn:uuid:[0-9a-f-]{36}$/;

export type ResolvedEvidence = Omit<RecognitionEvidence, 'id' | 'requestId' | 'position' | 'addedAt'>;

export function evidenceNotAccepted(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'EVIDENCE_NOT_ACCEPTED', argument } });
}

/** A longer text (a reflection, a statement): trimmed, `min`–`max` characters, line breaks allowed, other control characters not. */
export function checkedLongText(value: string | null | undefined, argument: string, min: number, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim().replace(/\r\n?/g, '\n');
  if (trimmed.length < min || trimmed.length > max) throw badUserInput(`"${argument}" must be ${min} to ${max} characters long.`, argument);
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/.test(trimmed)) throw badUserInput(`"${argument}" must not contain control characters.`, argument);
  return trimmed;
}

function checkedLink(value: string, argument: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw badUserInput(`"${argument}" must be a web address (https://…).`, argument);
  }
  if (url.protocol !== 'https:' || value.length > 500 || url.username || url.password) throw badUserInput(`"${argument}" must be an https:// address of at most 500 characters, without credentials.`, argument);
  return url.toString();
}

const ACCESS_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

/** The same refusal for an id that is someone else's and one that does not exist. */
function notYours(what: string, id: string, argument: string): GraphQLError {
  return new GraphQLError(`${what} "${id.slice(0, 120)}" is not one of yours, so it cannot be evidence in your request.`, { extensions: { code: 'FORBIDDEN', argument } });
}

function fromFacts(facts: AchievementFacts, kind: EvidenceKind, reference: string, extra: Partial<ResolvedEvidence> = {}): ResolvedEvidence {
  const accreditation = facts.offering.externalAccreditation;
  return {
    kind,
    reference,
    achievementId: facts.achievement.id,
    title: facts.offering.title.slice(0, 500),
    issuerMemberId: facts.awardingBody.id,
    issuerName: facts.awardingBody.name.slice(0, 500),
    issuerAuthority: facts.awardingBody.accreditationAuthority,
    ects: facts.offering.creditBearing ? facts.achievement.ectsAwarded : 0,
    eqfLevel: facts.offering.eqfLevel,
    passed: facts.achievement.passed,
    assessedOn: facts.achievement.assessedOn,
    grade: facts.achievement.grade,
    gradingScheme: `${facts.achievement.gradingScheme.code}: ${facts.achievement.gradingScheme.description}`.slice(0, 500),
    opportunityKind: facts.offering.kind,
    microCredentialType: facts.offering.microCredentialType,
    creditBearing: facts.offering.creditBearing,
    externalAccreditation: accreditation ? JSON.stringify({ reference: accreditation.reference, body: accreditation.body, decidedOn: accreditation.decidedOn, validUntil: accreditation.validUntil }) : null,
    skillList: [...new Set([...facts.acquiredSkills.map((item) => item.skill.uri), ...facts.learningOutcomes.flatMap((item) => (item.skill ? [item.skill.uri] : []))])].join(','),
    verification: null,
    document: null,
    reflection: null,
    linkList: null,
    ...extra,
  };
}

interface CredentialRow {
  id: string;
  kind: string;
  status: string;
  title: string;
  learner: { id: string } | null;
  achievement: { id: string } | null;
}

const CREDENTIALS_QUERY = /* GraphQL */ `
  query RecognitionCredentials($ids: [_Any!]!) {
    credentials: _entities(representations: $ids) { ... on Credential { id kind status title learner { id } achievement { id } } }
  }
`;

/** Reads alliance credentials as the learner (issuance refuses someone else's): one call for all of them. */
export async function readCredentials(service: RecognitionService, caller: SignedIn, ids: readonly string[]): Promise<Map<string, CredentialRow | GraphQLError>> {
  const result = new Map<string, CredentialRow | GraphQLError>();
  if (ids.length === 0) return result;
  const answer = await callSubgraph(service.sources, 'issuance', caller, CREDENTIALS_QUERY, { ids: ids.map((id) => ({ __typename: 'Credential', id })) });
  const rows = (answer.data?.['credentials'] as (CredentialRow | null)[] | undefined) ?? [];
  ids.forEach((id, index) => {
    const row = rows[index];
    if (row && row.id === id) result.set(id, row);
    else {
      const error = (answer.errors ?? []).find((item) => Array.isArray(item.path) && item.path[1] === index);
      const code = typeof error?.extensions?.['code'] === 'string' ? error.extensions['code'] : 'NOT_FOUND';
      result.set(id, new GraphQLError(error?.message ?? 'not found', { extensions: { code } }));
    }
  });
  return result;
}

const VERIFY_QUERY = (count: number) => /* GraphQL */ `
  query RecognitionVerify(${Array.from({ length: count }, (_, i) => `$c${i}: String!`).join(', ')}) {
    ${Array.from({ length: count }, (_, i) => `v${i}: verifyCredential(credential: $c${i}) { verified format credentialId issuer checks { check passed reason } }`).join('\n    ')}
  }
`;

interface VerificationAnswer {
  verified: boolean;
  format: string;
  credentialId: string | null;
  issuer: string | null;
  checks: { check: string; passed: boolean; reason: string }[];
}

/**
 * Resolves the evidence of a request (or of an answer to a question) as the
 * learner. `argument` is the input path of the list, e.g. "input.evidence".
 */
export async function resolveEvidence(service: RecognitionService, caller: SignedIn & { learnerId: string }, inputs: readonly EvidenceInput[], argument: string): Promise<ResolvedEvidence[]> {
  if (inputs.length === 0 || inputs.length > MAX_EVIDENCE) throw badUserInput(`"${argument}" must name 1 to ${MAX_EVIDENCE} pieces of evidence.`, argument);
  type Slot = { kind: EvidenceKind; value: string; argument: string } | { kind: EvidenceKind.PORTFOLIO; portfolio: NonNullable<EvidenceInput['portfolio']>; argument: string };
  const slots: Slot[] = inputs.map((input, index) => {
    const at = `${argument}[${index}]`;
    const named = [input.achievementId, input.credentialId, input.externalCredential, input.portfolio].filter((value) => value !== null && value !== undefined);
    if (named.length !== 1) throw badUserInput(`"${at}" must name exactly one of achievementId, credentialId, externalCredential or portfolio.`, at);
    if (input.achievementId) {
      if (!parseGlobalId(input.achievementId)) throw badUserInput(`"${at}.achievementId" must be a hub id of the form <member id>:<local id>, e.g. "tuni.fi:ach-204-1".`, `${at}.achievementId`);
      return { kind: EvidenceKind.ACHIEVEMENT, value: input.achievementId, argument: `${at}.achievementId` };
    }
    if (input.credentialId) {
      if (!CREDENTIAL_ID.test(input.credentialId)) throw badUserInput(`"${at}.credentialId" must be a credential id "urn:uuid:…".`, `${at}.credentialId`);
      return { kind: EvidenceKind.CREDENTIAL, value: input.credentialId, argument: `${at}.credentialId` };
    }
    if (input.externalCredential !== null && input.externalCredential !== undefined) {
      if (input.externalCredential.length > MAX_DOCUMENT || input.externalCredential.trim().length < 20) throw badUserInput(`"${at}.externalCredential" must be a sealed credential of at most ${MAX_DOCUMENT} characters.`, `${at}.externalCredential`);
      return { kind: EvidenceKind.EXTERNAL_CREDENTIAL, value: input.externalCredential.trim(), argument: `${at}.externalCredential` };
    }
    return { kind: EvidenceKind.PORTFOLIO, portfolio: input.portfolio as NonNullable<EvidenceInput['portfolio']>, argument: `${at}.portfolio` };
  });
  const seen = new Set<string>();
  for (const slot of slots) {
    if (!('value' in slot)) continue;
    const key = `${slot.kind}:${slot.kind === EvidenceKind.EXTERNAL_CREDENTIAL ? createHash('sha256').update(slot.value).digest('hex') : slot.value}`;
    if (seen.has(key)) throw badUserInput(`"${slot.argument}" names the same evidence twice.`, slot.argument);
    seen.add(key);
  }

  // Alliance credentials first: their achievements are read with the others, in one call.
  const credentialSlots = slots.filter((slot): slot is Extract<Slot, { value: string }> => 'value' in slot && slot.kind === EvidenceKind.CREDENTIAL);
  const credentials = await readCredentials(service, caller, credentialSlots.map((slot) => slot.value));
  const achievementOf = new Map<string, string>();
  for (const slot of credentialSlots) {
    const row = credentials.get(slot.value);
    if (!row || row instanceof GraphQLError) {
      if (row && !ACCESS_CODES.has(String(row.extensions['code']))) throw new GraphQLError(`Credential "${slot.value}" could not be read: ${row.message}`, { extensions: { code: row.extensions['code'], argument: slot.argument } });
      throw notYours('Credential', slot.value, slot.argument);
    }
    if (row.learner?.id !== caller.learnerId) throw notYours('Credential', slot.value, slot.argument);
    if (row.status !== 'ACTIVE') throw evidenceNotAccepted(`Credential "${slot.value}" is ${row.status.toLowerCase()}: only a credential in force can be evidence.`, slot.argument);
    if (!row.achievement) throw evidenceNotAccepted(`Credential "${slot.value}" certifies no single achievement; name its components instead.`, slot.argument);
    achievementOf.set(slot.value, row.achievement.id);
  }
  const achievementSlots = slots.filter((slot): slot is Extract<Slot, { value: string }> => 'value' in slot && slot.kind === EvidenceKind.ACHIEVEMENT);
  const achievementIds = [...new Set([...achievementSlots.map((slot) => slot.value), ...achievementOf.values()])];
  if (achievementIds.length < achievementSlots.length + achievementOf.size) {
    throw badUserInput(`"${argument}" names the same achievement twice (directly and through its credential).`, argument);
  }
  const facts = achievementIds.length > 0 ? await readAchievementFacts(service.sources, caller, achievementIds) : new Map<string, AchievementFacts | FactsUnavailable>();
  const factsFor = (id: string, slotArgument: string): AchievementFacts => {
    const found = facts.get(id);
    if (!found || found instanceof FactsUnavailable) {
      const code = found ? String(found.error.extensions['code']) : 'FORBIDDEN';
      if (found && !ACCESS_CODES.has(code)) throw new GraphQLError(found.error.message, { extensions: { code, argument: slotArgument } });
      throw notYours('Achievement', id, slotArgument);
    }
    // The member lets staff read records; evidence must be the learner's own.
    if (found.learner.id !== caller.learnerId) throw notYours('Achievement', id, slotArgument);
    if (!found.achievement.passed) throw evidenceNotAccepted(`Achievement "${id}" was not passed: there is no credit to recognise.`, slotArgument);
    return found;
  };

  const externalSlots = slots.filter((slot): slot is Extract<Slot, { value: string }> => 'value' in slot && slot.kind === EvidenceKind.EXTERNAL_CREDENTIAL);
  const verifications = new Map<string, VerificationAnswer>();
  if (externalSlots.length > 0) {
    const answer = await callSubgraph(
      service.sources,
      'issuance',
      caller,
      VERIFY_QUERY(externalSlots.length),
      Object.fromEntries(externalSlots.map((slot, index) => [`c${index}`, slot.value])),
    );
    externalSlots.forEach((slot, index) => {
      const result = answer.data?.[`v${index}`] as VerificationAnswer | null | undefined;
      if (!result) {
        const error = (answer.errors ?? []).find((item) => Array.isArray(item.path) && item.path[0] === `v${index}`);
        throw evidenceNotAccepted(`"${slot.argument}" is not a credential the hub can verify${error ? `: ${error.message.replace(/^"credential" /, '')}` : ''}.`, slot.argument);
      }
      verifications.set(slot.value, result);
    });
  }

  return slots.map((slot): ResolvedEvidence => {
    if (!('value' in slot)) {
      const title = checkedText(slot.portfolio.title, `${slot.argument}.title`, 3, 200) as string;
      const reflection = checkedLongText(slot.portfolio.reflection, `${slot.argument}.reflection`, 100, 20_000) as string;
      const links = slot.portfolio.links ?? [];
      if (links.length > 10) throw badUserInput(`"${slot.argument}.links" may list at most 10 links.`, `${slot.argument}.links`);
      const checked = [...new Set(links.map((link, index) => checkedLink(link, `${slot.argument}.links[${index}]`)))];
      return {
        kind: EvidenceKind.PORTFOLIO,
        reference: null,
        achievementId: null,
        title,
        issuerMemberId: null,
        issuerName: 'Reflective portfolio (the learner)',
        issuerAuthority: null,
        ects: null,
        eqfLevel: null,
        passed: null,
        assessedOn: null,
        grade: null,
        gradingScheme: null,
        opportunityKind: null,
        microCredentialType: null,
        creditBearing: null,
        externalAccreditation: null,
        skillList: null,
        verification: null,
        document: null,
        reflection,
        linkList: JSON.stringify(checked),
      };
    }
    if (slot.kind === EvidenceKind.ACHIEVEMENT) return fromFacts(factsFor(slot.value, slot.argument), EvidenceKind.ACHIEVEMENT, slot.value);
    if (slot.kind === EvidenceKind.CREDENTIAL) {
      const achievementId = achievementOf.get(slot.value) as string;
      const row = credentials.get(slot.value) as CredentialRow;
      const snapshot = fromFacts(factsFor(achievementId, slot.argument), EvidenceKind.CREDENTIAL, slot.value, { verification: JSON.stringify({ status: row.status, kind: row.kind }) });
      // A certificate of participation awards no credit, whatever the offering carries.
      return row.kind === 'PARTICIPATION' ? { ...snapshot, ects: 0, creditBearing: false } : snapshot;
    }
    const result = verifications.get(slot.value) as VerificationAnswer;
    const failed = result.checks.filter((check) => !check.passed);
    if (!result.verified || failed.length > 0) {
      throw evidenceNotAccepted(`The credential in "${slot.argument}" did not verify: ${failed.map((check) => `${check.check}: ${check.reason}`).join('; ') || 'not verified'}.`, slot.argument);
    }
    const payload = credentialPayload(slot.value);
    const claim = payload ? readEdcClaim(payload) : null;
    if (!claim) throw evidenceNotAccepted(`The credential in "${slot.argument}" verified, but states no learning achievement the hub can read.`, slot.argument);
    if (claim.subjectId?.startsWith(LEARNER_URN_PREFIX) && claim.subjectId !== `${LEARNER_URN_PREFIX}${caller.learnerId}`) {
      throw new GraphQLError(`The credential in "${slot.argument}" was issued to another learner, so it cannot be evidence in your request.`, { extensions: { code: 'FORBIDDEN', argument: slot.argument } });
    }
    return {
      kind: EvidenceKind.EXTERNAL_CREDENTIAL,
      reference: (result.credentialId ?? `sha256:${createHash('sha256').update(slot.value).digest('hex')}`).slice(0, 500),
      achievementId: claim.achievementId && parseGlobalId(claim.achievementId) ? claim.achievementId : null,
      title: claim.title,
      issuerMemberId: claim.memberId && service.knownMembers?.has(claim.memberId) !== false ? claim.memberId : null,
      issuerName: claim.awardingBodyName,
      issuerAuthority: null,
      ects: claim.ects,
      eqfLevel: claim.eqfLevel,
      passed: true,
      assessedOn: claim.assessedOn,
      grade: claim.grade,
      gradingScheme: null,
      opportunityKind: null,
      microCredentialType: null,
      creditBearing: claim.ects > 0,
      externalAccreditation: null,
      skillList: claim.skills.join(',') || null,
      verification: JSON.stringify({ format: result.format, issuer: result.issuer, checks: result.checks }),
      document: slot.value,
      reflection: null,
      linkList: null,
    };
  });
}
