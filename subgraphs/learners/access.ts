import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { grantSourceMembers, sharingWith } from './consent.js';
import type { LearnersContext } from './context.js';
import type { Learner, LearnerAccountLink, LearnerViaGrant } from './model.js';
import { openGrant } from './verifiers.js';

/*
 * Who may see a learner's register entry, and how much of it
 * (docs/security.md, "Roles" and "Unknown and forbidden ids"). The learner
 * and alliance administrators see all of it. A member's staff see a learner
 * who has an account at their member or shares records with it, and of the
 * learner's other members only those a valid grant to their member shares:
 * where else someone studies is itself personal data.
 */

/**
 * How a learner was reached. `named`: by an id the caller chose
 * (`learner(id)`); an id that is not in the register is then refused exactly
 * like a learner the caller may not see, except to those who may see every
 * entry (administrators) or who asked for their own id. `referenced`: from
 * data the hub holds (an account's or a credential's learner); a learner who
 * is not there is simply null.
 */
export type Reached = 'named' | 'referenced';

/** The refusal for a learner the caller may not see; the same words whether or not the id exists. */
function refusal(context: LearnersContext): Error {
  const principal = requireSignedIn(context.principal, 'learner profiles');
  if (hasRole(principal, 'member-staff') && principal.memberId) {
    return forbidden(`This learner has no account at ${principal.memberId} and shares no records with it.`);
  }
  if (hasRole(principal, 'analyst') && principal.roles.length === 1) return forbidden("Analysts see aggregates only, never a learner's profile.");
  return forbidden('You may see only your own learner profile.');
}

/** Whether the caller sees every register entry they ask for (so that "no such learner" tells them nothing new). */
function seesEveryEntry(context: LearnersContext): boolean {
  return hasRole(context.principal, 'alliance-admin');
}

function isSelf(context: LearnersContext, learnerId: string): boolean {
  const principal = context.principal;
  return principal.kind === 'user' && hasRole(principal, 'learner') && principal.learnerId === learnerId;
}

/** Throws unless the caller may see this learner's entry (which may not exist). */
async function checkLearner(context: LearnersContext, learnerId: string): Promise<void> {
  const principal = requireSignedIn(context.principal, 'learner profiles');
  if (isSelf(context, learnerId) || seesEveryEntry(context)) return;
  if (hasRole(principal, 'member-staff') && principal.memberId) {
    const [links, grants] = await Promise.all([context.loaders.linksByLearner.load(learnerId), context.loaders.activeGrantsByLearner.load(learnerId)]);
    if (links.some((link) => link.memberId === principal.memberId)) return;
    if (sharingWith(grants, principal.memberId).length > 0) return;
  }
  throw refusal(context);
}

/** Loads a learner the caller may see, or null when there is no such learner and asking tells the caller nothing. */
export async function readLearner(context: LearnersContext, id: string, reached: Reached): Promise<Learner | null> {
  const principal = requireSignedIn(context.principal, 'learner profiles');
  // A learner asking for someone else learns nothing, not even whether the id exists.
  if (principal.roles.length === 1 && hasRole(principal, 'learner') && principal.learnerId !== id) throw refusal(context);
  const learner = await context.loaders.learner.load(id);
  if (learner) await checkLearner(context, learner.id);
  else if (reached === 'named' && !isSelf(context, id) && !seesEveryEntry(context)) throw refusal(context);
  return learner;
}

/**
 * The members whose part of a learner's entry (accounts, membership) the
 * caller sees: every one for the learner and administrators; for a member's
 * staff their own member, and the members a valid grant to it shares (a grant
 * naming no members shares all of them); for a verifier that reached the
 * learner through its grant, the members that grant names.
 */
export async function visibleLinks(context: LearnersContext, learner: LearnerViaGrant): Promise<LearnerAccountLink[]> {
  const links = await context.loaders.linksByLearner.load(learner.id);
  if (isSelf(context, learner.id) || seesEveryEntry(context)) return links;
  // A verifier reached this learner through a grant: the members it names, or all of them.
  const grant = openGrant(context, learner);
  if (grant) {
    const members = grantSourceMembers(grant);
    return members.length === 0 ? links : links.filter((link) => members.includes(link.memberId));
  }
  const principal = context.principal;
  if (principal.kind !== 'user' || !hasRole(principal, 'member-staff') || !principal.memberId) return [];
  const staffOf = principal.memberId;
  const grants = await context.loaders.activeGrantsByLearner.load(learner.id);
  const shared = sharingWith(grants, staffOf);
  if (shared.some((grant) => grant.memberIds.length === 0)) return links;
  const visible = new Set([staffOf, ...shared.flatMap((grant) => grant.memberIds)]);
  return links.filter((link) => visible.has(link.memberId));
}
