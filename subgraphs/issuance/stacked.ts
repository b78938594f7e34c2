import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Principal } from '../../lib/auth.js';
import { badUserInput } from '../../lib/errors.js';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { callerScope, checkIdempotencyKey, keyReused } from '../../lib/idempotency.js';
import { isLearnerId, UUID_PATTERN } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { MAY_APPROVE_MICRO_CREDENTIALS, type IssuanceBasis } from './accreditation.js';
import { buildStackedCredential } from './edc-stacked.js';
import type { StackedCredentialFacts } from './facts.js';
import {
  ALLIANCE_AWARD,
  answerExisting,
  checkMayReceive,
  findExisting,
  findRecord,
  fingerprint,
  insertIssued,
  learnerUrn,
  reserveSerials,
  statusListUrl,
  statusPosition,
  type IssuanceDependencies,
  type IssueOutcome,
  type IssueRequest,
} from './issue.js';
import { readPathwayFacts, type PathwayFacts } from './pathway-source.js';
import { IdempotencyRecord, IssuedCredential } from './records.js';
import { sealCredential } from './seal.js';

/*
 * The stacked credential of a completed pathway (issue 11, point 7). The
 * same path as a micro-credential (issue.ts): read the facts as the caller,
 * check who may have it issued, at most one per learner and pathway (the
 * unique (achievement, kind) with `pathway:<pathway>:<learner>` and kind
 * PATHWAY), seal, store with the idempotency record in one transaction.
 *
 * The owner's accreditation authority decides what it awards: a member that
 * may approve micro-credentials awards the counted ECTS in its own name
 * (basis MEMBER_AUTHORITY); a member that may not, and the alliance for its
 * own pathways, issue a credential that awards no credit of its own
 * (NOT_CREDIT_BEARING) - its parts keep the credit each member awarded.
 */


export interface PathwayIssueRequest {
  pathwayId: string;
  learnerId: string;
}

/** The stored request a stacked credential answers (its row's achievement id and kind). */
export function stackedRequest(request: PathwayIssueRequest): IssueRequest {
  return { achievementId: `pathway:${request.pathwayId}:${request.learnerId}`, kind: 'PATHWAY' };
}

/** The learner; the owner's staff; alliance administrators for an alliance pathway. */
function checkMayIssuePathway(caller: SignedIn, learnerId: string, ownerId: string | null): void {
  if (hasRole(caller, 'learner') && caller.learnerId === learnerId) return;
  if (ownerId && hasRole(caller, 'member-staff') && caller.memberId === ownerId) return;
  if (!ownerId && hasRole(caller, 'alliance-admin')) return;
  throw forbidden(ownerId ? `Only the learner and staff of ${ownerId} may have this pathway's credential issued.` : "Only the learner and alliance administrators may have an alliance pathway's credential issued.");
}

/** The basis and whether credit is awarded, by the owner's authority. */
export function stackedBasis(owner: PathwayFacts['owner']): { basis: IssuanceBasis; awardsCredit: boolean } {
  return owner && MAY_APPROVE_MICRO_CREDENTIALS[owner.accreditationAuthority] ? { basis: 'MEMBER_AUTHORITY', awardsCredit: true } : { basis: 'NOT_CREDIT_BEARING', awardsCredit: false };
}

async function store(em: SqlEntityManager, dependencies: IssuanceDependencies, facts: PathwayFacts, request: IssueRequest, issuedBy: string, idempotency: { subject: string; caller: string; key: string } | null): Promise<IssuedCredential> {
  const { keys, issuer } = dependencies;
  const issuedAt = (dependencies.now ?? (() => new Date()))();
  const serial = await reserveSerials(em, 1);
  const { list, index } = statusPosition(serial);
  const credentialId = `urn:uuid:${randomUUID()}`;
  const { basis, awardsCredit } = stackedBasis(facts.owner);
  const stacked: StackedCredentialFacts = {
    credentialId,
    issuedAt,
    validFrom: issuedAt,
    issuer: { id: issuer.id, name: issuer.name, country: issuer.country, homepage: issuer.homepage, ...(issuer.legalIdentifier ? { legalIdentifier: issuer.legalIdentifier } : {}) },
    learner: { ...facts.learner, id: learnerUrn(facts.learner.id) },
    awardingBody: facts.owner
      ? { id: facts.owner.id, name: facts.owner.name, country: facts.owner.country, homepage: facts.owner.website, accreditationAuthority: facts.owner.accreditationAuthority }
      : null,
    awardsCredit,
    pathway: facts.pathway,
    ectsCounted: facts.ectsCounted,
    completedOn: facts.completedOn,
    parts: facts.parts,
    status: { revocation: { listUrl: statusListUrl(issuer, 'revocation', list), index }, suspension: { listUrl: statusListUrl(issuer, 'suspension', list), index } },
  };
  const jwt = await sealCredential(buildStackedCredential(stacked), { signingKey: keys.signingKey, kid: keys.current.kid });
  const row = Object.assign(new IssuedCredential(), {
    serial,
    id: credentialId,
    achievementId: request.achievementId,
    kind: request.kind,
    // A pathway is not corrected at a member: its credential has one revision.
    achievementRevision: 1,
    learnerId: facts.learner.id,
    memberId: facts.owner?.id ?? ALLIANCE_AWARD,
    offeringId: facts.pathway.id,
    title: facts.pathway.name.slice(0, 500),
    issuerKid: keys.current.kid,
    issuedAt,
    validUntil: null,
    jwt,
    issuedBy,
    basis,
    revokedAt: null,
    revokedBy: null,
    revocationReason: null,
    suspendedAt: null,
    suspendedBy: null,
    suspensionReason: null,
  });
  const records = idempotency ? [{ ...idempotency, fingerprint: fingerprint(request), credentialSerial: serial, createdAt: issuedAt } as IdempotencyRecord] : [];
  const [stored] = await insertIssued(em, [row], records);
  return stored as IssuedCredential;
}

/**
 * Issues (or returns the one issued before) the stacked credential of a
 * pathway the learner completed. With an idempotency key, a retry by the same
 * caller gets the same credential, after the access rule is checked again.
 */
export async function issuePathwayCredential(
  em: SqlEntityManager,
  dependencies: IssuanceDependencies,
  principal: Principal,
  input: PathwayIssueRequest,
  idempotencyKey: string | null,
): Promise<IssueOutcome> {
  const caller = requireSignedIn(principal, 'credential issuance');
  if (!UUID_PATTERN.test(input.pathwayId)) throw badUserInput('"pathwayId" must be a pathway id (a UUID).', 'pathwayId');
  if (!isLearnerId(input.learnerId)) throw badUserInput('"learnerId" must be an alliance learner id, e.g. "eciu-4k7q2m9x8c1z".', 'learnerId');
  const request = stackedRequest(input);
  const key = checkIdempotencyKey(idempotencyKey);
  const scope = callerScope(caller);
  if (key) {
    const record = await findRecord(em, scope, key);
    if (record) {
      if (record.fingerprint !== fingerprint(request)) throw keyReused();
      const credential = await em.fork().findOneOrFail(IssuedCredential, { serial: record.credentialSerial });
      checkMayReceive(caller, credential);
      return { credential, created: false, basis: credential.basis ?? null };
    }
  }
  // Recognition decides whether the caller may see the learner's progress at all; completeness is read now.
  const facts = await readPathwayFacts(dependencies.sources, principal, input.pathwayId, input.learnerId, (ownerId) => checkMayIssuePathway(caller, input.learnerId, ownerId));
  const existing = await findExisting(em, request);
  if (existing) return answerExisting(em, caller, request, key, existing);
  try {
    const credential = await store(em, dependencies, facts, request, caller.subject, key ? { subject: caller.subject, caller: scope, key } : null);
    return { credential, created: true, basis: credential.basis ?? null };
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    if (key) {
      const record = await findRecord(em, scope, key);
      if (record && record.fingerprint !== fingerprint(request)) throw keyReused();
    }
    const winner = await findExisting(em, request);
    if (!winner) throw error;
    return answerExisting(em, caller, request, key, winner);
  }
}

