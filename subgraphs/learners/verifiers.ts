import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import { isVerifierId, UUID_PATTERN } from '../../lib/ids.js';
import { grantScopes, grantSourceMembers, grantStatus, sharingWith } from './consent.js';
import type { LearnersContext } from './context.js';
import { ConsentGrantStatus, GranteeKind } from './enums.js';
import { AccessEvent, ConsentGrant, Learner, RegisteredVerifier, type CallerSharing, type LearnerViaGrant } from './model.js';

/*
 * Verifiers (docs/security.md, "Verifiers"): organisations outside the
 * alliance that learners share records with. An alliance administrator
 * registers each one (its id as the identity provider names it in
 * `eciu_verifier`, and its name); a caller with role `verifier` and that id
 * then reads, under each valid grant a learner made to it, exactly the scopes
 * and members the grant names, until it expires or is revoked. Every such
 * read, and every read of another member's records by a member's staff under
 * a grant, is written to the learner's access log.
 */

/** The signed-in alliance administrator, or FORBIDDEN. */
export function requireAdministrator(context: LearnersContext, what: string): SignedIn {
  const principal = requireSignedIn(context.principal, what);
  if (!hasRole(principal, 'alliance-admin')) throw forbidden('Only alliance administrators register and withdraw verifiers.');
  return principal;
}

export function checkedVerifierId(id: string, argument: string): string {
  const trimmed = checkedText(id, argument, 8, 500) as string;
  if (!isVerifierId(trimmed)) throw badUserInput(`"${argument}" must be a web address (https://…), a DID (did:method:…) or an e-mail address (mailto:…).`, argument);
  return trimmed;
}

/** The calling verifier, when its organisation is registered and not withdrawn; FORBIDDEN otherwise. */
export async function requireRegisteredVerifier(context: LearnersContext): Promise<{ caller: SignedIn; verifier: RegisteredVerifier }> {
  const caller = requireSignedIn(context.principal, 'what learners share with you');
  if (!hasRole(caller, 'verifier') || !caller.verifierId) throw forbidden('Only a verifier (an organisation with the verifier role) reads what learners share with verifiers.');
  const verifier = await context.loaders.verifier.load(caller.verifierId);
  if (!verifier || verifier.withdrawnAt) {
    throw forbidden(`"${caller.verifierId}" is not a registered verifier of the alliance; an alliance administrator registers verifiers.`);
  }
  return { caller, verifier };
}

/** Whether this grant opens records to this caller now: a verifier it names, registered, the grant active. */
function opensTo(grant: ConsentGrant, caller: SignedIn, now = new Date()): boolean {
  return (
    grant.granteeKind === GranteeKind.VERIFIER &&
    hasRole(caller, 'verifier') &&
    grant.verifierId === caller.verifierId &&
    grantStatus(grant, now) === ConsentGrantStatus.ACTIVE
  );
}

/** The valid grants to the calling (registered) verifier, newest first. */
export async function grantsToCaller(context: LearnersContext): Promise<ConsentGrant[]> {
  const { caller } = await requireRegisteredVerifier(context);
  const now = new Date();
  const grants = await context.em.find(
    ConsentGrant,
    { granteeKind: GranteeKind.VERIFIER, verifierId: caller.verifierId as string, revokedAt: null, expiresAt: { $gt: now } },
    { orderBy: { grantedAt: 'desc', id: 'asc' }, limit: 500 },
  );
  return grants.filter((grant) => opensTo(grant, caller, now));
}


/** One valid grant to the calling verifier; an unknown, someone else's, expired or revoked one is refused alike. */
export async function grantToCaller(context: LearnersContext, id: string): Promise<ConsentGrant> {
  const { caller } = await requireRegisteredVerifier(context);
  const grant = UUID_PATTERN.test(id) ? await context.em.findOne(ConsentGrant, { id }) : null;
  if (!grant || !opensTo(grant, caller)) throw forbidden('No grant in force to you has this id.');
  return grant;
}

/** The learner of a grant as the grant's verifier reaches them: what it opens travels with the object. */
export async function learnerViaGrant(context: LearnersContext, grant: ConsentGrant): Promise<LearnerViaGrant | null> {
  const learner = await context.loaders.learner.load(grant.learner.id);
  return learner ? Object.assign(new Learner(), learner, { viaGrant: grant }) : null;
}

/** The grant a verifier reached this learner through, if it still opens the records to the caller. */
export function openGrant(context: LearnersContext, learner: LearnerViaGrant): ConsentGrant | null {
  const principal = context.principal;
  if (principal.kind !== 'user' || !learner.viaGrant || learner.viaGrant.learner.id !== learner.id) return null;
  return opensTo(learner.viaGrant, principal) ? learner.viaGrant : null;
}

function eventOf(context: LearnersContext, learnerId: string, grant: ConsentGrant, accessor: { kind: GranteeKind; id: string; name: string }): AccessEvent {
  const principal = context.principal as SignedIn;
  return Object.assign(new AccessEvent(), {
    learner: context.em.getReference(Learner, learnerId),
    at: new Date(),
    accessorKind: accessor.kind,
    accessorId: accessor.id,
    accessorName: accessor.name,
    subject: principal.subject.slice(0, 255),
    grantId: grant.id,
    purpose: grant.purpose,
    scopeList: grant.scopeList,
    sourceMemberList: grant.sourceMemberList ?? null,
  });
}

/**
 * What the learner's grants share with the caller (Learner.sharingWithCaller,
 * read by the member router right before it asks the members for records),
 * writing one access-log entry per grant used. Without a grant: nothing, and
 * nothing is logged.
 */
export async function sharingForCaller(context: LearnersContext, learner: LearnerViaGrant): Promise<CallerSharing[]> {
  const principal = context.principal;
  if (principal.kind !== 'user') return [];
  if (hasRole(principal, 'verifier')) {
    const grant = openGrant(context, learner);
    if (!grant) return [];
    // Registration is checked at the moment of reading: a withdrawn verifier reads nothing, even mid-session.
    const verifier = principal.verifierId ? await context.loaders.verifier.load(principal.verifierId) : null;
    if (!verifier || verifier.withdrawnAt) return [];
    await context.em.insert(AccessEvent, eventOf(context, learner.id, grant, { kind: GranteeKind.VERIFIER, id: verifier.id, name: verifier.name }));
    return [{ scopes: grantScopes(grant), memberIds: grantSourceMembers(grant) }];
  }
  if (hasRole(principal, 'member-staff') && principal.memberId) {
    const memberId = principal.memberId;
    const now = new Date();
    const grants = (await context.loaders.activeGrantsByLearner.load(learner.id)).filter(
      (grant) => grant.granteeKind === GranteeKind.MEMBER && grant.granteeMemberId === memberId && grantStatus(grant, now) === ConsentGrantStatus.ACTIVE,
    );
    if (grants.length === 0) return [];
    await context.em.insertMany(AccessEvent, grants.map((grant) => eventOf(context, learner.id, grant, { kind: GranteeKind.MEMBER, id: memberId, name: memberId })));
    return sharingWith(grants, memberId, now);
  }
  return [];
}

/** The body of a registration or withdrawal, for the audit trail. */
export function registrationState(verifier: RegisteredVerifier): Record<string, unknown> {
  return { id: verifier.id, name: verifier.name, withdrawnAt: verifier.withdrawnAt?.toISOString() ?? null, withdrawalReason: verifier.withdrawalReason ?? null };
}

export function notRegistered(): GraphQLError {
  return new GraphQLError('No verifier with this id is registered.', { extensions: { code: 'NOT_FOUND', argument: 'id' } });
}
