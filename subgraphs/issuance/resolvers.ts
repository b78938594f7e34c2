// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import type { CohortJob } from './cohort.js';
import type { IssuanceContext } from './context.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import { ALLIANCE_AWARD, issueCredential } from './issue.js';
import { issuePathwayCredential } from './stacked.js';
import { europassFile, europassJades } from './europass.js';
import { readUnverified } from './seal.js';
import {
  Achievement,
  Credential,
  CredentialKind,
  EuropassExport,
  CredentialStatus,
  IssuanceJob,
  IssuanceJobStatus,
  IssueCredentialInput,
  IssueCredentialPayload,
  IssuePathwayCredentialInput,
  IssuanceBasis,
  Pathway,
  Institution,
  Learner,
  StatusChange,
  TrustedIssuerEntry,
  TrustedIssuerKeyEntry,
  TrustedIssuerRole,
  VerificationResult,
} from './model.js';
import { IssuedCredential, StatusEvent, TrustedIssuer, TrustedIssuerKey } from './records.js';
import { NotACredential, verifyCredential } from './verify.js';

/** The most text a credential to verify may have (the official EDC sample is 150 KB). */
const MAX_CREDENTIAL_LENGTH = 1_000_000;
/** The reason a revocation, suspension or resumption records. */
const REASON = { description: 'Why, in words the learner will be shown: 3 to 500 characters, no control characters.' };
const CREDENTIAL_ID = /^urn:uuid:[0-9a-f-]{36}$/;

function jobView(job: CohortJob): IssuanceJob {
  return {
    id: job.id,
    offering: { id: job.offeringId },
    kind: job.kind as CredentialKind,
    status: job.status as IssuanceJobStatus,
    total: job.total,
    issued: job.issued,
    alreadyIssued: job.alreadyIssued,
    refused: job.refused,
    problems: [...job.problems],
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    failure: job.failure,
    attempts: job.attempts,
    resumedAt: job.resumedAt,
  };
}

/** The credential a stored vc+jwt carries (its payload). */
function credentialOf(credential: IssuedCredential): Record<string, unknown> {
  return readUnverified(credential.jwt).credential ?? {};
}

/** A learner sees their own credentials; a member's staff the credentials their member awarded. */
export function checkMayRead(context: IssuanceContext, credential: IssuedCredential): void {
  const principal = requireSignedIn(context.principal, 'credentials');
  if (hasRole(principal, 'learner') && principal.learnerId === credential.learnerId) return;
  if (hasRole(principal, 'member-staff') && principal.memberId === credential.memberId) return;
  if (credential.memberId === ALLIANCE_AWARD && hasRole(principal, 'alliance-admin')) return;
  throw unreadable();
}

/*
 * A credential id that does not exist is answered exactly like one the caller
 * may not see or change (same code, same words), so that asking is no way to
 * learn which credentials exist or who awarded them. Only alliance
 * administrators, who may change every credential, are told "no such id".
 */
function unreadable(): GraphQLError {
  return forbidden('No credential you may see has this id.');
}

function unchangeable(): GraphQLError {
  return forbidden('Only staff of the awarding member and alliance administrators may revoke, suspend or resume a credential; no credential you may change has this id.');
}

function credentialId(id: string): string {
  if (!CREDENTIAL_ID.test(id)) throw badUserInput('"id" must be a credential id: "urn:uuid:" followed by a UUID.', 'id');
  return id;
}

/** Staff of the awarding member and alliance administrators change a credential's status. */
function checkMayChangeStatus(context: IssuanceContext, credential: IssuedCredential): string {
  const principal = requireSignedIn(context.principal, 'credentials');
  if (hasRole(principal, 'alliance-admin')) return principal.subject;
  if (hasRole(principal, 'member-staff') && principal.memberId === credential.memberId) return principal.subject;
  throw unchangeable();
}

async function loadForChange(context: IssuanceContext, id: string): Promise<IssuedCredential> {
  const principal = requireSignedIn(context.principal, 'credentials');
  const credential = await context.em.findOne(IssuedCredential, { id: credentialId(id) });
  if (credential) return credential;
  if (hasRole(principal, 'alliance-admin')) throw new GraphQLError(`No credential has the id "${id}".`, { extensions: { code: 'NOT_FOUND', argument: 'id' } });
  throw unchangeable();
}

async function changeStatus(context: IssuanceContext, id: string, reason: string, action: 'REVOKE' | 'SUSPEND' | 'RESUME'): Promise<IssuedCredential> {
  // Recorded and shown to the learner.
  const why = checkedText(reason, 'reason', 3, 500) as string;
  const credential = await loadForChange(context, id);
  const actor = checkMayChangeStatus(context, credential);
  const now = new Date();
  if (credential.revokedAt) {
    if (action === 'REVOKE') return credential;
    throw new GraphQLError('This credential is revoked for good; it cannot be suspended or resumed.', { extensions: { code: 'BAD_USER_INPUT', argument: 'id' } });
  }
  if (action === 'REVOKE') Object.assign(credential, { revokedAt: now, revokedBy: actor, revocationReason: why });
  if (action === 'SUSPEND') {
    if (credential.suspendedAt) return credential;
    Object.assign(credential, { suspendedAt: now, suspendedBy: actor, suspensionReason: why });
  }
  if (action === 'RESUME') {
    if (!credential.suspendedAt) return credential;
    Object.assign(credential, { suspendedAt: null, suspendedBy: null, suspensionReason: null });
  }
  context.em.create(StatusEvent, { credentialSerial: credential.serial, action, actor, reason: why, at: now } as never);
  await context.em.flush();
  // The next verification and the next list download see it.
  context.service.statuses.invalidate(credential.serial);
  return credential;
}

@Resolver(() => Credential)
export class CredentialResolver {
  @Mutation(() => IssueCredentialPayload, {
    description:
      'Issues the micro-credential for a passed achievement (the learner, or staff of the awarding member), or returns the one issued before: at most one per achievement and kind. Send an Idempotency-Key header (or `idempotencyKey`) to make retries safe.',
  })
  async issueCredential(
    @Arg('input', () => IssueCredentialInput) input: IssueCredentialInput,
    @Ctx() context: IssuanceContext,
    @Arg('idempotencyKey', () => String, { nullable: true, description: 'Overrides nothing: must equal the Idempotency-Key header when both are sent.' })
    idempotencyKey?: string | null,
  ): Promise<IssueCredentialPayload> {
    const key = requestIdempotencyKey(context.idempotencyKey, idempotencyKey);
    const outcome = await issueCredential(context.em, context.service.issuance, context.principal, { achievementId: input.achievementId, kind: input.kind }, key);
    return { credential: outcome.credential as unknown as Credential, created: outcome.created, basis: (outcome.basis as IssuanceBasis | null) ?? null };
  }

  @Mutation(() => IssueCredentialPayload, {
    description:
      "Issues the stacked credential of a pathway the learner completed (the learner; staff of the pathway's owner; alliance administrators for an alliance pathway), or returns the one issued before: at most one per learner and pathway. Its achievement `hasPart` every counted part. An owner that may approve micro-credentials awards the counted ECTS in its name (basis MEMBER_AUTHORITY); otherwise, and for alliance pathways, it awards no credit of its own (NOT_CREDIT_BEARING). Not complete: NOT_ISSUABLE, saying what is missing. Idempotency-Key as for issueCredential.",
  })
  async issuePathwayCredential(
    @Arg('input', () => IssuePathwayCredentialInput) input: IssuePathwayCredentialInput,
    @Ctx() context: IssuanceContext,
    @Arg('idempotencyKey', () => String, { nullable: true, description: 'Overrides nothing: must equal the Idempotency-Key header when both are sent.' })
    idempotencyKey?: string | null,
  ): Promise<IssueCredentialPayload> {
    const key = requestIdempotencyKey(context.idempotencyKey, idempotencyKey);
    const outcome = await issuePathwayCredential(context.em, context.service.issuance, context.principal, { pathwayId: input.pathwayId, learnerId: input.learnerId }, key);
    return { credential: outcome.credential as unknown as Credential, created: outcome.created, basis: (outcome.basis as IssuanceBasis | null) ?? null };
  }

  @Mutation(() => IssuanceJob, {
    description:
      "Issues the credentials of every passed achievement of an offering (the offering's member's staff). Returns at once; follow the job with `issuanceJob` on any replica. Running it again issues only what is missing; while it runs, asking again returns the running job (and carries it on if its replica stopped).",
  })
  issueCohort(
    @Arg('offeringId', () => ID) offeringId: string,
    @Ctx() context: IssuanceContext,
    @Arg('kind', () => CredentialKind, { defaultValue: CredentialKind.MICRO_CREDENTIAL, description: 'Which credential each passed achievement of the cohort gets.' }) kind: CredentialKind,
  ): Promise<IssuanceJob> {
    return context.service.cohorts.start(context.principal, offeringId, kind).then(jobView);
  }

  @Query(() => IssuanceJob, { nullable: true, description: 'A bulk issuance job: its progress and outcome (its requester, its member\'s staff, administrators).' })
  async issuanceJob(@Arg('id', () => ID) id: string, @Ctx() context: IssuanceContext): Promise<IssuanceJob | null> {
    const job = await context.service.cohorts.get(context.principal, id);
    return job ? jobView(job) : null;
  }

  @Mutation(() => Credential, { description: 'Revokes a credential for good, recording who and why; verifiers see it on their next request.' })
  revokeCredential(@Arg('id', () => ID) id: string, @Arg('reason', () => String, REASON) reason: string, @Ctx() context: IssuanceContext): Promise<Credential> {
    return changeStatus(context, id, reason, 'REVOKE') as unknown as Promise<Credential>;
  }

  @Mutation(() => Credential, { description: 'Suspends a credential (verification fails until it is resumed), recording who and why.' })
  suspendCredential(@Arg('id', () => ID) id: string, @Arg('reason', () => String, REASON) reason: string, @Ctx() context: IssuanceContext): Promise<Credential> {
    return changeStatus(context, id, reason, 'SUSPEND') as unknown as Promise<Credential>;
  }

  @Mutation(() => Credential, { description: 'Lifts a suspension, recording who and why.' })
  resumeCredential(@Arg('id', () => ID) id: string, @Arg('reason', () => String, REASON) reason: string, @Ctx() context: IssuanceContext): Promise<Credential> {
    return changeStatus(context, id, reason, 'RESUME') as unknown as Promise<Credential>;
  }

  @Query(() => Credential, {
    nullable: true,
    description: 'A credential by id (its learner, and staff of the awarding member). An id that does not exist is refused like a credential the caller may not see (FORBIDDEN).',
  })
  async credential(@Arg('id', () => ID) id: string, @Ctx() context: IssuanceContext): Promise<Credential | null> {
    requireSignedIn(context.principal, 'credentials');
    const credential = await context.em.findOne(IssuedCredential, { id: credentialId(id) });
    // No one may read every credential, so an unknown id is refused like someone else's.
    if (!credential) throw unreadable();
    checkMayRead(context, credential);
    return credential as unknown as Credential;
  }

  @Query(() => VerificationResult, {
    description:
      'Verifies a credential, for anyone and without an account: a vc+jwt, or JAdES JSON (as a string). Lists every check with its reason. Also POST /credentials/verify.',
  })
  async verifyCredential(
    @Arg('credential', () => String, { description: `The sealed credential: a vc+jwt, or JAdES JSON as a string; at most ${MAX_CREDENTIAL_LENGTH.toLocaleString('en')} characters.` }) credential: string,
    @Ctx() context: IssuanceContext,
  ): Promise<VerificationResult> {
    if (credential.length > MAX_CREDENTIAL_LENGTH) throw badUserInput(`"credential" may be at most ${MAX_CREDENTIAL_LENGTH} characters.`, 'credential');
    try {
      return await verifyCredential(credential, context.service.verification);
    } catch (error) {
      if (error instanceof NotACredential) throw badUserInput(`"credential" is not a credential this hub can read: ${error.message}.`, 'credential');
      throw error;
    }
  }

  // Nullable like every root list (docs/routing.md): with issuance down, a query that also asks for other root fields keeps them.
  @Query(() => [TrustedIssuerEntry], { nullable: true, description: 'The register of trusted issuers: the alliance and its members, with their keys and validity periods.' })
  async trustedIssuers(@Ctx() context: IssuanceContext): Promise<TrustedIssuerEntry[]> {
    const [issuers, keys] = await Promise.all([context.em.find(TrustedIssuer, {}, { orderBy: { role: 'asc', id: 'asc' } }), context.em.find(TrustedIssuerKey, {}, { orderBy: { validFrom: 'asc' } })]);
    return issuers.map((issuer) => ({
      id: issuer.id,
      name: issuer.name,
      role: issuer.role as TrustedIssuerRole,
      member: issuer.memberId ? { id: issuer.memberId } : null,
      validFrom: issuer.validFrom,
      validUntil: issuer.validUntil ?? null,
      keys: keys.filter((key) => key.issuerId === issuer.id).map((key): TrustedIssuerKeyEntry => ({ kid: key.kid, validFrom: key.validFrom, validUntil: key.validUntil ?? null })),
    }));
  }

  @FieldResolver(() => CredentialStatus, { description: 'Whether it is in force, suspended or revoked, as verifiers see it through the status lists.' })
  status(@Root() credential: IssuedCredential): CredentialStatus {
    if (credential.revokedAt) return CredentialStatus.REVOKED;
    if (credential.suspendedAt) return CredentialStatus.SUSPENDED;
    return CredentialStatus.ACTIVE;
  }

  @FieldResolver(() => StatusChange, { nullable: true, description: 'When and why it was revoked.' })
  revocation(@Root() credential: IssuedCredential, @Ctx() context: IssuanceContext): StatusChange | null {
    if (!credential.revokedAt) return null;
    return { at: credential.revokedAt, reason: credential.revocationReason ?? '', by: this.showActor(context) ? (credential.revokedBy ?? null) : null };
  }

  @FieldResolver(() => StatusChange, { nullable: true, description: 'When and why it was suspended, while it is.' })
  suspension(@Root() credential: IssuedCredential, @Ctx() context: IssuanceContext): StatusChange | null {
    if (!credential.suspendedAt) return null;
    return { at: credential.suspendedAt, reason: credential.suspensionReason ?? '', by: this.showActor(context) ? (credential.suspendedBy ?? null) : null };
  }

  private showActor(context: IssuanceContext): boolean {
    return hasRole(context.principal, 'member-staff') || hasRole(context.principal, 'alliance-admin');
  }

  @FieldResolver(() => Institution, { nullable: true, description: 'The member that awarded it; null when the alliance itself did (the stacked credential of an alliance pathway).' })
  awardingBody(@Root() credential: IssuedCredential): Institution | null {
    return credential.memberId === ALLIANCE_AWARD ? null : { id: credential.memberId };
  }

  @FieldResolver(() => Learner)
  learner(@Root() credential: IssuedCredential): Learner {
    return { id: credential.learnerId };
  }

  @FieldResolver(() => Achievement, { nullable: true, description: 'The achievement it certifies (resolved by its member); null for a stacked credential, which certifies a pathway (`pathway`).' })
  achievement(@Root() credential: IssuedCredential): Achievement | null {
    return credential.kind === CredentialKind.PATHWAY ? null : { id: credential.achievementId };
  }

  @FieldResolver(() => Pathway, { nullable: true, description: 'The pathway a stacked credential (kind PATHWAY) certifies; null for other kinds.' })
  pathway(@Root() credential: IssuedCredential): Pathway | null {
    return credential.kind === CredentialKind.PATHWAY ? { id: credential.offeringId } : null;
  }

  @FieldResolver(() => String, { description: 'The sealed credential as `application/vc+jwt` (VC-JOSE-COSE): what a wallet or verifier takes.' })
  vcJwt(@Root() credential: IssuedCredential): string {
    return credential.jwt;
  }

  @FieldResolver(() => String, {
    description: 'The credential of record (the payload of `vcJwt`) as EDC JSON-LD: W3C VC 2.0 in the European Learning Model, unsealed. Europass takes `europass` (or `jades`) instead.',
  })
  jsonLd(@Root() credential: IssuedCredential): string {
    return JSON.stringify(credentialOf(credential));
  }

  @FieldResolver(() => String, {
    description:
      'The credential in the EDC JAdES JSON form (JWS JSON serialization, unencoded payload, signing time `sigT`), sealed with the alliance key: the form EDC tools and Europass read. Its payload is the Europass form (status entries as the EBSI schema admits them). Sealed once and kept; sealed again only after the issuing key was rotated.',
  })
  jades(@Root() credential: IssuedCredential, @Ctx() context: IssuanceContext): Promise<string> {
    return europassJades(context.em, context.service.issuance.keys, credential);
  }

  @FieldResolver(() => EuropassExport, { description: 'The credential as a file for a Europass wallet (one-click export): its JAdES document with a file name and media type.' })
  async europass(@Root() credential: IssuedCredential, @Ctx() context: IssuanceContext): Promise<EuropassExport> {
    return europassFile(credential, await europassJades(context.em, context.service.issuance.keys, credential));
  }

  @FieldResolver(() => String, { description: 'The key (`kid`) that sealed it, in the published key set.' })
  keyId(@Root() credential: IssuedCredential): string {
    return credential.issuerKid;
  }
}

@Resolver(() => Learner)
export class LearnerCredentialsResolver {
  @FieldResolver(() => [Credential], {
    nullable: true,
    description: "The learner's wallet: credentials issued to them, newest first (the learner; a member's staff see those their member awarded).",
  })
  async credentials(@Root() learner: Learner, @Ctx() context: IssuanceContext): Promise<Credential[]> {
    const principal = requireSignedIn(context.principal, 'credentials');
    const own = hasRole(principal, 'learner') && principal.learnerId === learner.id;
    const staffOf = hasRole(principal, 'member-staff') ? principal.memberId : undefined;
    if (!own && !staffOf) throw forbidden('Only the learner and the staff of the members that awarded them see these credentials.');
    const rows = await context.em.find(IssuedCredential, own ? { learnerId: learner.id } : { learnerId: learner.id, memberId: staffOf as string }, { orderBy: { serial: 'desc' } });
    return rows as unknown as Credential[];
  }
}
