import { ANONYMOUS } from '../../lib/auth.js';
import { postGraphQL, ServiceCallError } from '../../lib/http-client.js';
import { decideIssuance, MAY_APPROVE_MICRO_CREDENTIALS } from './accreditation.js';
import { PATHWAY_ID_SCHEME } from './edc-stacked.js';
import type { AccreditationAuthority, CredentialFacts } from './facts.js';
import { memberOrganisationId } from './edc.js';
import type { FactSources } from './sources.js';

/*
 * The accreditation rule at verification time (issue 15 fix 5). Issuing
 * applies it (accreditation.ts); a verifier must not take the issuing path's
 * word for it: a credential sealed with the alliance key that awards credit
 * in the name of a member without the authority, and without an external
 * accreditation valid on the assessment date, is not a valid micro-credential
 * whoever sealed it. So verification reads from the credential which claims
 * award credit and who awarded them, asks the awarding member (through the
 * router, as anyone may: the catalogue is public) for its authority level and
 * the offering's accreditation record, and applies the same decideIssuance.
 */

/** What a credential claims about one award, as the rule needs it. */
export interface AwardClaim {
  /** The awarding body's id as the credential names it. */
  awardingBody: string;
  /** The alliance member id, when the awarding body is one (`urn:eciu:member:<id>`). */
  memberId: string | null;
  /** The offering the claim is specified by (its hub id), when the credential says. */
  offeringId: string | null;
  /** YYYY-MM-DD of the assessment, when the credential says. */
  assessedOn: string | null;
  /** Whether the claim awards credit (creditReceived, or credit points in its specification). */
  awardsCredit: boolean;
  /** The pathway a stacked credential's claim is specified by (its id), when it is one. */
  pathwayId: string | null;
}

/** What the awarding member says about its authority and the offering (null: no such offering). */
export interface AuthorityFacts {
  member: { id: string; name: string; accreditationAuthority: AccreditationAuthority };
  externalAccreditation: NonNullable<CredentialFacts['offering']['externalAccreditation']> | null;
}

export interface AuthoritySource {
  /** Throws when it cannot be asked (the check then says it could not be run). */
  lookup(offeringId: string): Promise<AuthorityFacts | null>;
  /** A member's authority level (for stacked credentials, which name a pathway, not an offering); null: no such member. */
  lookupMember?(memberId: string): Promise<AuthorityFacts['member'] | null>;
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const many = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
const MEMBER_PREFIX = memberOrganisationId('');
const OFFERING_SCHEME = 'ECIU hub offering id';

function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return isNode(value) && typeof value['id'] === 'string' ? value['id'] : null;
}

/** The top-level claims of a credential (parts share their claim's awarding process, and award no credit of their own here). */
export function awardClaims(credential: Record<string, unknown>): AwardClaim[] {
  const claims: AwardClaim[] = [];
  for (const subject of many(credential['credentialSubject'])) {
    if (!isNode(subject)) continue;
    for (const claim of many(subject['hasClaim'])) {
      if (!isNode(claim)) continue;
      const specification = many(claim['specifiedBy']).find(isNode);
      const process = many(claim['awardedBy']).find(isNode);
      const awardingBody = process ? (idOf(many(process['awardingBody'])[0]) ?? '') : '';
      const offering = specification ? many(specification['identifier']).find((identifier) => isNode(identifier) && identifier['schemeName'] === OFFERING_SCHEME) : undefined;
      const pathway = specification ? many(specification['identifier']).find((identifier) => isNode(identifier) && identifier['schemeName'] === PATHWAY_ID_SCHEME) : undefined;
      const assessment = many(claim['provenBy']).find(isNode);
      const assessed = assessment && typeof assessment['dateIssued'] === 'string' ? assessment['dateIssued'].slice(0, 10) : null;
      claims.push({
        awardingBody,
        memberId: awardingBody.startsWith(MEMBER_PREFIX) ? awardingBody.slice(MEMBER_PREFIX.length) : null,
        offeringId: isNode(offering) && typeof offering['notation'] === 'string' ? offering['notation'] : null,
        assessedOn: assessed && /^\d{4}-\d{2}-\d{2}$/.test(assessed) ? assessed : null,
        awardsCredit: claim['creditReceived'] !== undefined || (specification !== undefined && specification['creditPoint'] !== undefined),
        pathwayId: isNode(pathway) && typeof pathway['notation'] === 'string' ? pathway['notation'] : null,
      });
    }
  }
  return claims;
}

export interface AuthorityCheck {
  passed: boolean;
  reason: string;
}

/** Applies the accreditation rule to what the credential claims. */
export async function checkAuthority(claims: readonly AwardClaim[], source: AuthoritySource | undefined): Promise<AuthorityCheck> {
  const credited = claims.filter((claim) => claim.awardsCredit);
  if (claims.length === 0) return { passed: false, reason: 'it makes no claim (hasClaim), so there is nothing the rule could allow' };
  if (credited.length === 0) return { passed: true, reason: 'it awards no credit, so no accreditation is needed' };
  if (!source) return { passed: false, reason: "not checked: this verifier cannot ask the members for their accreditation authority" };
  const reasons: string[] = [];
  for (const claim of credited) {
    if (!claim.memberId) return { passed: false, reason: `it awards credit in the name of "${claim.awardingBody || 'nobody'}", which is not an alliance member` };
    if (claim.pathwayId && !claim.offeringId) {
      // A stacked credential: the owner awards the stack's credit on its own authority; there is no
      // offering whose external accreditation could stand in for it.
      const verdict = await stackAuthority(claim.memberId, source);
      if (!verdict.passed) return verdict;
      reasons.push(verdict.reason);
      continue;
    }
    if (!claim.offeringId || !claim.assessedOn) return { passed: false, reason: 'it awards credit without naming the offering and assessment date the rule is decided on' };
    let facts: AuthorityFacts | null;
    try {
      facts = await source.lookup(claim.offeringId);
    } catch (error) {
      return { passed: false, reason: `not checked: ${error instanceof Error ? error.message : 'the member could not be asked'}` };
    }
    if (!facts || facts.member.id !== claim.memberId) {
      return { passed: false, reason: `its offering "${claim.offeringId}" is not one ${claim.memberId} offers` };
    }
    const decision = decideIssuance(
      {
        awardingBody: { ...facts.member, country: '', homepage: null },
        offering: { creditBearing: true, externalAccreditation: facts.externalAccreditation } as CredentialFacts['offering'],
        achievement: { passed: true, assessedOn: claim.assessedOn } as CredentialFacts['achievement'],
      },
      'MICRO_CREDENTIAL',
    );
    if (!decision.allowed) return { passed: false, reason: `it awards credit it may not: ${decision.reason.replace(/ A certificate of participation.*$/, '')}` };
    reasons.push(decision.basis === 'MEMBER_AUTHORITY' ? `${facts.member.name} may approve micro-credentials (${facts.member.accreditationAuthority})` : `the offering's external accreditation was valid on ${claim.assessedOn}`);
  }
  return { passed: true, reason: reasons.join('; ') };
}

async function stackAuthority(memberId: string, source: AuthoritySource): Promise<AuthorityCheck> {
  if (!source.lookupMember) return { passed: false, reason: 'not checked: this verifier cannot ask the members for their accreditation authority' };
  let member: AuthorityFacts['member'] | null;
  try {
    member = await source.lookupMember(memberId);
  } catch (error) {
    return { passed: false, reason: `not checked: ${error instanceof Error ? error.message : 'the member could not be asked'}` };
  }
  if (!member) return { passed: false, reason: `it awards credit in the name of "${memberId}", which is not an alliance member` };
  if (!MAY_APPROVE_MICRO_CREDENTIALS[member.accreditationAuthority]) {
    return { passed: false, reason: `it awards a stack's credit in the name of ${member.name}, whose accreditation authority ${member.accreditationAuthority} does not let it approve credit on its own` };
  }
  return { passed: true, reason: `${member.name} may award the stack's credit (${member.accreditationAuthority})` };
}

const AUTHORITY_QUERY = /* GraphQL */ `
  query VerificationAuthority($refs: [_Any!]!) {
    offerings: _entities(representations: $refs) {
      ... on LearningOpportunity {
        id
        externalAccreditation { reference body decidedOn validUntil url }
        institution { id name accreditationAuthority }
      }
    }
  }
`;

const MEMBER_AUTHORITY_QUERY = /* GraphQL */ `
  query VerificationMemberAuthority($refs: [_Any!]!) {
    members: _entities(representations: $refs) { ... on Institution { id name accreditationAuthority } }
  }
`;

/** How long what a member said is reused (the catalogue changes rarely; verification is frequent). */
export const AUTHORITY_CACHE_MS = 5 * 60_000;

/** Asks the awarding members through the router, as an anonymous caller; answers are cached per offering. */
export function routerAuthoritySource(sources: FactSources): AuthoritySource {
  const cache = new Map<string, { at: number; facts: Promise<AuthorityFacts | null> }>();
  const ask = async (offeringId: string): Promise<AuthorityFacts | null> => {
    let body;
    try {
      body = await postGraphQL(
        sources.client,
        sources.membersUrl,
        { query: AUTHORITY_QUERY, variables: { refs: [{ __typename: 'LearningOpportunity', id: offeringId }] } },
        { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(ANONYMOUS, 'members')}` } },
      );
    } catch (error) {
      throw new Error(error instanceof ServiceCallError ? `the member router ${error.reason}` : 'the member router could not be asked');
    }
    const found = (body.data?.['offerings'] as ({ id: string; externalAccreditation: AuthorityFacts['externalAccreditation']; institution: AuthorityFacts['member'] } | null)[] | undefined)?.[0];
    if (!found) {
      // An offering that does not exist is an answer; a member that did not answer is not.
      if (body.errors?.some((error) => error.extensions?.['code'] === 'MEMBER_UNAVAILABLE' || error.extensions?.['code'] === 'MEMBER_ERROR')) throw new Error('the awarding member did not answer');
      return null;
    }
    return { member: found.institution, externalAccreditation: found.externalAccreditation };
  };
  const members = new Map<string, { at: number; facts: Promise<AuthorityFacts['member'] | null> }>();
  const askMember = async (memberId: string): Promise<AuthorityFacts['member'] | null> => {
    let body;
    try {
      body = await postGraphQL(
        sources.client,
        sources.membersUrl,
        { query: MEMBER_AUTHORITY_QUERY, variables: { refs: [{ __typename: 'Institution', id: memberId }] } },
        { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(ANONYMOUS, 'members')}` } },
      );
    } catch (error) {
      throw new Error(error instanceof ServiceCallError ? `the member router ${error.reason}` : 'the member router could not be asked');
    }
    const found = (body.data?.['members'] as (AuthorityFacts['member'] | null)[] | undefined)?.[0];
    if (!found && body.errors?.some((error) => error.extensions?.['code'] === 'MEMBER_UNAVAILABLE' || error.extensions?.['code'] === 'MEMBER_ERROR')) throw new Error('the awarding member did not answer');
    return found ?? null;
  };
  return {
    lookupMember(memberId) {
      const cached = members.get(memberId);
      if (cached && Date.now() - cached.at < AUTHORITY_CACHE_MS) return cached.facts;
      const facts = askMember(memberId);
      if (members.size > 200) members.clear();
      members.set(memberId, { at: Date.now(), facts });
      facts.catch(() => members.delete(memberId));
      return facts;
    },
    lookup(offeringId) {
      const cached = cache.get(offeringId);
      if (cached && Date.now() - cached.at < AUTHORITY_CACHE_MS) return cached.facts;
      const facts = ask(offeringId);
      if (cache.size > 2_000) cache.clear();
      cache.set(offeringId, { at: Date.now(), facts });
      facts.catch(() => cache.delete(offeringId));
      return facts;
    },
  };
}
