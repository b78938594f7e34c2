import { createHash, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { callerScope, checkIdempotencyKey, keyReused } from '../../lib/idempotency.js';
import { requireGlobalId } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { STATUS_LIST_LENGTH } from '../../lib/status-list.js';
import { decideIssuance, type IssuanceBasis } from './accreditation.js';
import { buildCredential } from './edc.js';
import type { CredentialFacts, CredentialKind } from './facts.js';
import type { IssuerKeyRing } from './keys.js';
import { IdempotencyRecord, IssuedCredential, StatusEvent } from './records.js';
import type { SealPool } from './seal-pool.js';
import { sealCredential } from './seal.js';
import { FactsUnavailable, readAchievementFacts, type AchievementFacts, type FactSources } from './sources.js';


/*
 * Issuing: read the facts from the awarding member as the caller, decide by
 * the accreditation rule, write the credential in the European Learning
 * Model, seal it, and store it - one transaction per batch (a single
 * credential is a batch of one), opened only once everything is sealed, so a
 * crash leaves every achievement issued once or not at all. The database's unique
 * (achievement, kind, revision) is the last word on "at most one": a concurrent
 * request that loses the race gets the winner's credential. A correction at the
 * member makes a new revision: the next request issues for it and revokes the
 * earlier credential in the same transaction (supersede).
 */

export interface IssuerIdentity {
  /** The alliance's issuer id (a URI), as in `issuer.id` of every credential. */
  id: string;
  name: string;
  country: string;
  homepage: string | null;
  /** Base URL of the public status list routes: `<base>/<purpose>/<list number>`. */
  statusBaseUrl: string;
  /** The hub's public URL: the OID4VCI credential issuer identifier and the base of the wallet routes. */
  publicUrl: string;
  /** The alliance's legal identifier (ISSUER_LEGAL_IDENTIFIER), stated in every credential when set. */
  legalIdentifier?: string | null;
}

export interface IssuanceDependencies {
  sources: FactSources;
  keys: IssuerKeyRing;
  issuer: IssuerIdentity;
  now?: () => Date;
  /** Workers that write and seal batches on other cores (bulk issuance); without it, everything runs inline. */
  pool?: SealPool;
}

/** Batches smaller than this are sealed inline: handing them to workers costs more than it saves. */
const POOL_THRESHOLD = 32;

export interface IssueRequest {
  /** The achievement; for a stacked credential `pathway:<pathway id>:<learner id>` (see stackedRequest). */
  achievementId: string;
  kind: CredentialKind;
}

/**
 * The awarding member of a stacked credential of an alliance pathway: the
 * alliance itself. Not a member id (those are web domains), so no member's
 * staff can ever match it.
 */
export const ALLIANCE_AWARD = '@alliance';

/** Credentials of an achievement: PATHWAY is for completed pathways (issuePathwayCredential) only. */
export function checkAchievementKind(kind: CredentialKind, argument = 'kind'): void {
  if (kind === 'PATHWAY') {
    throw new GraphQLError('Kind PATHWAY is the stacked credential of a completed pathway: ask for it with issuePathwayCredential.', { extensions: { code: 'BAD_USER_INPUT', argument } });
  }
}

export interface IssueOutcome {
  credential: IssuedCredential;
  /** False when the credential existed already (a retry, or issued before). */
  created: boolean;
  basis: IssuanceBasis | null;
}

/** The list number and bit of a credential in the status lists. */
export function statusPosition(serial: number): { list: number; index: number } {
  return { list: Math.floor((serial - 1) / STATUS_LIST_LENGTH), index: (serial - 1) % STATUS_LIST_LENGTH };
}

export function statusListUrl(issuer: IssuerIdentity, purpose: 'revocation' | 'suspension', list: number): string {
  return `${issuer.statusBaseUrl}/${purpose}/${list}`;
}

export function fingerprint(request: IssueRequest): string {
  return createHash('sha256').update(JSON.stringify([request.achievementId, request.kind])).digest('hex');
}

export function notIssuable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_ISSUABLE' } });
}

/**
 * Who may have a credential issued: the learner it certifies, or staff of
 * the member that awarded it. (Another member's staff who may read the record
 * under a sharing grant may not issue for it.)
 */
function checkMayIssue(principal: Principal, facts: AchievementFacts): void {
  const caller = requireSignedIn(principal, 'credential issuance');
  if (hasRole(caller, 'learner') && caller.learnerId === facts.learner.id) return;
  if (hasRole(caller, 'member-staff') && caller.memberId === facts.awardingBody.id) return;
  throw forbidden(`Only the learner or staff of ${facts.awardingBody.id} may have a credential issued for achievement "${facts.achievement.id}".`);
}

/** The learner as a credential subject: `urn:eciu:learner:<alliance id>`. */
export function learnerUrn(learnerId: string): string {
  return `urn:eciu:learner:${learnerId}`;
}

/** The facts a credential is written from. */
export function credentialFacts(
  facts: AchievementFacts,
  kind: CredentialKind,
  context: { credentialId: string; serial: number; issuedAt: Date; issuer: IssuerIdentity },
): CredentialFacts {
  const { list, index } = statusPosition(context.serial);
  return {
    ...facts,
    // The credential names the learner by a URN of their pseudonymous alliance id, never a member's account id.
    learner: { ...facts.learner, id: learnerUrn(facts.learner.id) },
    credentialId: context.credentialId,
    kind,
    issuedAt: context.issuedAt,
    validFrom: context.issuedAt,
    validUntil: null,
    issuer: {
      id: context.issuer.id,
      name: context.issuer.name,
      country: context.issuer.country,
      homepage: context.issuer.homepage,
      ...(context.issuer.legalIdentifier ? { legalIdentifier: context.issuer.legalIdentifier } : {}),
    },
    status: {
      revocation: { listUrl: statusListUrl(context.issuer, 'revocation', list), index },
      suspension: { listUrl: statusListUrl(context.issuer, 'suspension', list), index },
    },
  };
}

/** The credential issued for the achievement as it stands (`revision`: the member's; 1 until corrected). */
export async function findExisting(em: SqlEntityManager, request: IssueRequest, revision = 1): Promise<IssuedCredential | null> {
  return em.fork().findOne(IssuedCredential, { achievementId: request.achievementId, kind: request.kind, achievementRevision: revision });
}

/** Who revokes a credential that a credential for the corrected achievement replaces. */
export const SUPERSEDING_ACTOR = 'service:issuance';

/**
 * Revokes, in the transaction that stores `row`, the credentials issued for
 * earlier revisions of its achievement (a correction suspended them pending
 * this re-issue): an achievement as corrected has one valid credential of a
 * kind, and verifiers of the earlier one learn that it was replaced and by what.
 */
async function supersede(tx: SqlEntityManager, row: IssuedCredential): Promise<void> {
  if (row.achievementRevision <= 1) return;
  const earlier = await tx.find(IssuedCredential, { achievementId: row.achievementId, kind: row.kind, achievementRevision: { $lt: row.achievementRevision }, revokedAt: null });
  const reason = `Replaced by ${row.id}, issued for the achievement as the awarding member corrected it (revision ${row.achievementRevision}).`;
  for (const credential of earlier) {
    Object.assign(credential, { revokedAt: row.issuedAt, revokedBy: SUPERSEDING_ACTOR, revocationReason: reason });
    tx.create(StatusEvent, { credentialSerial: credential.serial, action: 'REVOKE', actor: SUPERSEDING_ACTOR, reason, at: row.issuedAt } as never);
  }
}

export interface PreparedIssue {
  facts: AchievementFacts;
  request: IssueRequest;
  /** The accreditation rule's basis, recorded with the credential (null: not known). */
  basis?: IssuanceBasis | null;
  /** `caller` is `callerScope(principal)`: the key belongs to that caller only. */
  idempotency: { subject: string; caller: string; key: string } | null;
}

const CREDENTIAL_SERIAL = 'credential_serial';

/**
 * Reserves `count` consecutive serials and returns the first: one atomic
 * update of the sequence row, committed on its own, so concurrent batches get
 * distinct ranges on either database and nothing waits for a batch's sealing.
 */
export async function reserveSerials(em: SqlEntityManager, count: number): Promise<number> {
  const rows = (await em
    .fork()
    .getConnection()
    .execute(
      // Never behind the highest serial stored (a restore, rows written by an older version during an
      // upgrade): the sequence heals itself at no cost (the maximum of the primary key is an index lookup).
      `update issuance_sequence
          set next_value = case when next_value > (select coalesce(max(serial), 0) from issued_credential) then next_value
                                else (select coalesce(max(serial), 0) + 1 from issued_credential) end + ?
        where name = ?
        returning next_value - ? as first`,
      [count, CREDENTIAL_SERIAL, count],
    )) as { first: number | string }[];
  const first = Number(rows[0]?.first);
  if (!Number.isSafeInteger(first) || first < 1) throw new Error('The issuance database has no credential serial sequence; run its migrations.');
  return first;
}

/**
 * Writes, seals and stores credentials: all of them or none, so a crash
 * leaves each achievement issued once or not at all. Their serials (which
 * place each credential in the status lists it names) are reserved first and
 * the credentials sealed outside any transaction; the transaction only
 * inserts them with their idempotency records. A batch that fails leaves its
 * reserved serials unused.
 */
export async function storeCredentials(em: SqlEntityManager, dependencies: IssuanceDependencies, items: readonly PreparedIssue[], issuedBy: string): Promise<IssuedCredential[]> {
  if (items.length === 0) return [];
  const issuedAt = (dependencies.now ?? (() => new Date()))();
  const { keys, issuer } = dependencies;
  const first = await reserveSerials(em, items.length);
  const all = items.map((item, offset) => {
    const credentialId = `urn:uuid:${randomUUID()}`;
    return { item, serial: first + offset, credentialId, facts: credentialFacts(item.facts, item.request.kind, { credentialId, serial: first + offset, issuedAt, issuer }) };
  });
  const pool = dependencies.pool;
  const sealHere = () => Promise.all(all.map((entry) => sealCredential(buildCredential(entry.facts), { signingKey: keys.signingKey, kid: keys.current.kid })));
  // A pool that fails (a worker died) costs speed, not the batch: it is sealed here instead.
  const jwts = pool && items.length >= POOL_THRESHOLD ? await pool.seal(all.map((entry) => entry.facts)).catch(sealHere) : await sealHere();
  const rows = all.map(({ item, serial, credentialId }, offset) =>
    Object.assign(new IssuedCredential(), {
      serial,
      id: credentialId,
      achievementId: item.request.achievementId,
      kind: item.request.kind,
      achievementRevision: item.facts.achievement.revision ?? 1,
      learnerId: item.facts.learner.id,
      memberId: item.facts.awardingBody.id,
      offeringId: item.facts.offering.id,
      title: item.facts.offering.title.slice(0, 500),
      issuerKid: keys.current.kid,
      issuedAt,
      validUntil: null,
      jwt: jwts[offset] as string,
      issuedBy,
      basis: item.basis ?? null,
      revokedAt: null,
      revokedBy: null,
      revocationReason: null,
      suspendedAt: null,
      suspendedBy: null,
      suspensionReason: null,
    }),
  );
  const records = items.flatMap((item, index) =>
    item.idempotency
      ? [{ subject: item.idempotency.subject, caller: item.idempotency.caller, key: item.idempotency.key, fingerprint: fingerprint(item.request), credentialSerial: (rows[index] as IssuedCredential).serial, createdAt: issuedAt }]
      : [],
  );
  return insertIssued(em, rows, records as IdempotencyRecord[]);
}

/** Inserts sealed credentials and their idempotency records in one transaction. */
export function insertIssued(em: SqlEntityManager, rows: IssuedCredential[], records: IdempotencyRecord[]): Promise<IssuedCredential[]> {
  // A clash on (achievement, kind) or on an idempotency key rolls everything back and is the caller's to handle.
  return em.fork().transactional(async (tx) => {
    await tx.insertMany(IssuedCredential, rows);
    if (records.length > 0) await tx.insertMany(IdempotencyRecord, records);
    for (const row of rows) await supersede(tx as SqlEntityManager, row);
    await tx.flush();
    return rows;
  });
}

/**
 * Whether the caller may be handed this stored credential as the answer to
 * an issuance request: the same rule as issuing it (checkMayIssue), applied
 * to the stored row. Checked on every answer that returns a credential the
 * request did not just create - a replayed key included.
 */
export function checkMayReceive(caller: SignedIn, credential: IssuedCredential): void {
  if (hasRole(caller, 'learner') && caller.learnerId === credential.learnerId) return;
  if (hasRole(caller, 'member-staff') && caller.memberId === credential.memberId) return;
  if (credential.memberId === ALLIANCE_AWARD && hasRole(caller, 'alliance-admin')) return;
  throw forbidden(`Only the learner or staff of ${credential.memberId} may have a credential issued for achievement "${credential.achievementId}".`);
}

export function findRecord(em: SqlEntityManager, scope: string, key: string): Promise<IdempotencyRecord | null> {
  return em.fork().findOne(IdempotencyRecord, { caller: scope, key });
}

/**
 * The answer for a credential that existed before this request. An
 * Idempotency-Key sent with it is bound to it now, so the key cannot later be
 * used for another request; a concurrent request that bound the same key
 * first must have asked for the same thing.
 */
export async function answerExisting(
  em: SqlEntityManager,
  caller: SignedIn,
  request: IssueRequest,
  key: string | null,
  credential: IssuedCredential,
): Promise<IssueOutcome> {
  checkMayReceive(caller, credential);
  if (key) {
    const scope = callerScope(caller);
    try {
      await em.fork().insert(IdempotencyRecord, {
        subject: caller.subject,
        caller: scope,
        key,
        fingerprint: fingerprint(request),
        credentialSerial: credential.serial,
        createdAt: new Date(),
      } as IdempotencyRecord);
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const record = await findRecord(em, scope, key);
      if (record && record.fingerprint !== fingerprint(request)) throw keyReused();
    }
  }
  return { credential, created: false, basis: credential.basis ?? null };
}

/**
 * Issues (or returns the already issued) credential for one achievement on
 * behalf of `principal`. With an idempotency key, a retry by the same caller
 * returns the same credential (after the access rule is checked again) and
 * the key cannot be reused for another request.
 */
export async function issueCredential(
  em: SqlEntityManager,
  dependencies: IssuanceDependencies,
  principal: Principal,
  request: IssueRequest,
  idempotencyKey: string | null,
): Promise<IssueOutcome> {
  const caller = requireSignedIn(principal, 'credential issuance');
  requireGlobalId(request.achievementId, 'achievementId');
  checkAchievementKind(request.kind);
  const key = checkIdempotencyKey(idempotencyKey);
  const scope = callerScope(caller);
  if (key) {
    const record = await findRecord(em, scope, key);
    if (record) {
      if (record.fingerprint !== fingerprint(request)) throw keyReused();
      const credential = await em.fork().findOneOrFail(IssuedCredential, { serial: record.credentialSerial });
      // The key is this caller's, but what it names is handed over only if the caller may still have it.
      checkMayReceive(caller, credential);
      return { credential, created: false, basis: credential.basis ?? null };
    }
  }
  // The member decides whether the caller may see the achievement at all.
  const facts = (await readAchievementFacts(dependencies.sources, principal, [request.achievementId])).get(request.achievementId);
  if (!facts) throw new GraphQLError('The achievement could not be read.', { extensions: { code: 'NOT_FOUND' } });
  if (facts instanceof FactsUnavailable) throw facts.error;
  checkMayIssue(principal, facts);
  // After a correction (a new revision) the earlier credential is not the answer: one is issued for the corrected facts.
  const revision = facts.achievement.revision ?? 1;
  const existing = await findExisting(em, request, revision);
  if (existing) return answerExisting(em, caller, request, key, existing);
  const decision = decideIssuance(facts, request.kind);
  if (!decision.allowed) throw notIssuable(`No credential was issued: ${decision.reason}`);
  try {
    const [credential] = await storeCredentials(
      em,
      dependencies,
      [{ facts, request, basis: decision.basis, idempotency: key ? { subject: caller.subject, caller: scope, key } : null }],
      caller.subject,
    );
    return { credential: credential as IssuedCredential, created: true, basis: decision.basis };
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    // Lost a race: another request issued it (or used this key) first.
    if (key) {
      const record = await findRecord(em, scope, key);
      if (record && record.fingerprint !== fingerprint(request)) throw keyReused();
    }
    const winner = await findExisting(em, request, revision);
    if (!winner) throw error;
    return answerExisting(em, caller, request, key, winner);
  }
}
