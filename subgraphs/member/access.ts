import type { RecordScope } from '../../lib/auth.js';
import { forbidden, hasRole, recordRefusal, requireSignedIn, scopeName } from '../../lib/access.js';
import type { MemberContext } from './context.js';
import type { Achievement, Enrolment, LearnerAccount } from './model.js';

/*
 * Who may read a learner's records at this member (docs/security.md, "Roles"):
 * the learner themselves; this member's staff; another member's staff only
 * for learners the member router vouches share these records with that
 * member under a valid grant (Principal.sharing). Analysts and alliance
 * administrators never read a person's record. Every resolver that hands out
 * a learner account, enrolment or achievement goes through `checkRecord`,
 * entity references included, so `_entities` cannot go round it.
 */

export type RecordKind = 'account' | 'enrolments' | 'achievements';

/** The scope a sharing grant must include; an account (name, e-mail) comes with any scope. */
const SCOPE_OF: Record<RecordKind, RecordScope | null> = { account: null, enrolments: 'ENROLMENTS', achievements: 'ACHIEVEMENTS' };

/** Throws UNAUTHENTICATED or FORBIDDEN unless the caller may read this learner's records of this kind. */
export function checkRecord(context: MemberContext, allianceLearnerId: string | null | undefined, kind: RecordKind): void {
  const principal = requireSignedIn(context.principal, 'learner records');
  if (hasRole(principal, 'member-staff') && principal.memberId === context.memberId) return;
  if (hasRole(principal, 'learner') && allianceLearnerId && principal.learnerId === allianceLearnerId) return;
  if (hasRole(principal, 'member-staff')) {
    const scope = SCOPE_OF[kind];
    const shared = allianceLearnerId && principal.sharing && Object.hasOwn(principal.sharing, allianceLearnerId) ? principal.sharing[allianceLearnerId] : undefined;
    if (shared && (scope === null ? shared.length > 0 : shared.includes(scope))) return;
    const what = scope === null ? 'learner records' : scopeName(scope);
    throw forbidden(
      `Staff of ${principal.memberId} may read ${what} held by ${context.memberId} only while the learner shares them with ${principal.memberId}; no valid sharing grant covers this record.`,
    );
  }
  throw recordRefusal(principal);
}

/** The alliance learner an enrolment or achievement belongs to (one batched lookup; none for this member's staff, who may read all). */
async function learnerOf(context: MemberContext, record: { account: { id: string } }): Promise<string | null | undefined> {
  const principal = context.principal;
  if (principal.kind === 'user' && principal.roles.includes('member-staff') && principal.memberId === context.memberId) return undefined;
  const account = await context.loaders.account.load(record.account.id);
  return account?.allianceLearnerId;
}

/**
 * Loads a record the caller asked for by id: anonymous callers are refused
 * before anything is looked up; an unknown id is null without an error.
 */
export async function readAccount(context: MemberContext, load: () => Promise<LearnerAccount | null>): Promise<LearnerAccount | null> {
  requireSignedIn(context.principal, 'learner records');
  const account = await load();
  if (account) checkRecord(context, account.allianceLearnerId, 'account');
  return account;
}

export async function readEnrolment(context: MemberContext, load: () => Promise<Enrolment | null>): Promise<Enrolment | null> {
  requireSignedIn(context.principal, 'learner records');
  const enrolment = await load();
  if (enrolment) checkRecord(context, await learnerOf(context, enrolment), 'enrolments');
  return enrolment;
}

export async function readAchievement(context: MemberContext, load: () => Promise<Achievement | null>): Promise<Achievement | null> {
  requireSignedIn(context.principal, 'learner records');
  const achievement = await load();
  if (achievement) checkRecord(context, await learnerOf(context, achievement), 'achievements');
  return achievement;
}

/**
 * Which accounts a list of accounts may show the caller: all of them (this
 * member's staff), or only those of the named learners (a learner: their own;
 * another member's staff: learners sharing with that member). Analysts and
 * administrators are refused.
 */
export function visibleAccounts(context: MemberContext): 'all' | string[] {
  const principal = requireSignedIn(context.principal, 'learner records');
  if (hasRole(principal, 'member-staff') && principal.memberId === context.memberId) return 'all';
  const learners = new Set<string>();
  if (hasRole(principal, 'learner') && principal.learnerId) learners.add(principal.learnerId);
  if (hasRole(principal, 'member-staff') && principal.sharing) {
    for (const [learnerId, scopes] of Object.entries(principal.sharing)) if (scopes.length > 0) learners.add(learnerId);
  }
  if (learners.size === 0 && !hasRole(principal, 'member-staff') && !hasRole(principal, 'learner')) throw recordRefusal(principal);
  return [...learners];
}

/** A whole cohort's records are for the member's own staff only. */
export function checkCohortAccess(context: MemberContext): void {
  const principal = requireSignedIn(context.principal, 'learner records');
  if (hasRole(principal, 'member-staff') && principal.memberId === context.memberId) return;
  throw forbidden(`An offering's cohort is for the staff of ${context.memberId} only.`);
}
