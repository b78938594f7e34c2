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

/** This member's own staff: they may read every record it holds, its cohorts and its uptake. */
export function isOwnStaff(context: MemberContext): boolean {
  const principal = context.principal;
  return principal.kind === 'user' && hasRole(principal, 'member-staff') && principal.memberId === context.memberId;
}

/** The scope a sharing grant must include; an account (name, e-mail) comes with any scope. */
const SCOPE_OF: Record<RecordKind, RecordScope | null> = { account: null, enrolments: 'ENROLMENTS', achievements: 'ACHIEVEMENTS' };

/** Throws UNAUTHENTICATED or FORBIDDEN unless the caller may read this learner's records of this kind. */
export function checkRecord(context: MemberContext, allianceLearnerId: string | null | undefined, kind: RecordKind): void {
  const principal = requireSignedIn(context.principal, 'learner records');
  if (isOwnStaff(context)) return;
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
  if (isOwnStaff(context)) return undefined;
  const account = await context.loaders.account.load(record.account.id);
  return account?.allianceLearnerId;
}

/**
 * How a record was reached. `named`: by an id the caller chose (the root
 * fields `learnerAccount`, `enrolment`, `achievement`); an unknown id then
 * gets the same answer as a record the caller may not read - null for this
 * member's own staff, who may read every record, the refusal for everyone
 * else - so that asking is no way to learn which ids exist. `referenced`:
 * from data the hub holds (a parent record, an entity reference the router or
 * another subgraph resolves); a record that is not there is simply null.
 */
export type Reached = 'named' | 'referenced';

async function readRecord<T>(
  context: MemberContext,
  kind: RecordKind,
  reached: Reached,
  load: () => Promise<T | null>,
  ownerOf: (record: T) => Promise<string | null | undefined> | string | null | undefined,
): Promise<T | null> {
  requireSignedIn(context.principal, 'learner records');
  const record = await load();
  if (record) checkRecord(context, await ownerOf(record), kind);
  else if (reached === 'named') checkRecord(context, null, kind);
  return record;
}

/** Loads a learner account; anonymous callers are refused before anything is looked up. */
export function readAccount(context: MemberContext, reached: Reached, load: () => Promise<LearnerAccount | null>): Promise<LearnerAccount | null> {
  return readRecord(context, 'account', reached, load, (account) => account.allianceLearnerId);
}

export function readEnrolment(context: MemberContext, reached: Reached, load: () => Promise<Enrolment | null>): Promise<Enrolment | null> {
  return readRecord(context, 'enrolments', reached, load, (enrolment) => learnerOf(context, enrolment));
}

export function readAchievement(context: MemberContext, reached: Reached, load: () => Promise<Achievement | null>): Promise<Achievement | null> {
  return readRecord(context, 'achievements', reached, load, (achievement) => learnerOf(context, achievement));
}

/**
 * Which accounts a list of accounts may show the caller: all of them (this
 * member's staff), or only those of the named learners (a learner: their own;
 * another member's staff: learners sharing with that member). Analysts and
 * administrators are refused.
 */
export function visibleAccounts(context: MemberContext): 'all' | string[] {
  const principal = requireSignedIn(context.principal, 'learner records');
  if (isOwnStaff(context)) return 'all';
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
  requireSignedIn(context.principal, 'learner records');
  if (isOwnStaff(context)) return;
  throw forbidden(`An offering's cohort is for the staff of ${context.memberId} only.`);
}

/** Analysts and administrators see every member's uptake; a member's staff their own member's. */
export function checkUptakeAccess(context: MemberContext): void {
  const principal = requireSignedIn(context.principal, 'uptake figures');
  if (hasRole(principal, 'analyst') || hasRole(principal, 'alliance-admin')) return;
  if (isOwnStaff(context)) return;
  throw forbidden(`Uptake figures of ${context.memberId} are for analysts, alliance administrators and the member's own staff.`);
}
