import type { SqlEntityManager } from '../../../lib/orm.js';
import { EnrolmentDeclineReason, EnrolmentStatus } from '../enums.js';
import { AcquiredSkill, Achievement, AchievementCorrection, Enrolment, LearnerAccount, LearningOpportunity } from '../model.js';
import type { AchievementRecord, EnrolmentRecord, LearnerAccountRecord } from '../oeapi/mapping-learner.js';
import type { OeapiCourseOfferingAssociation } from '../oeapi/types.js';
import { checkAchievement, checkEnrolment, type FieldError } from '../offering-rules.js';
import type { RunContext } from './run.js';
import { SYNC_ACTOR, type HeldProblem, type HeldRecord, type SyncCounts } from './state.js';
import { byIds, changedColumns, insertRows, markSeen, release, type SeenEntry } from './store.js';

/*
 * Writing learners' records: accounts (never their link to the alliance
 * learner, which is the learner register's), enrolments and assessed
 * results. Every record passes the member's rules or is held back whole
 * (an association's enrolment and result together). A result that changed
 * at the source is a correction, as through curation: its revision goes up
 * and an AchievementCorrection row tells the issuance service to suspend
 * the credentials issued for the earlier facts.
 */

export interface PreparedAccount {
  sourceId: string;
  record: LearnerAccountRecord;
}

export interface PreparedAssociation {
  sourceId: string;
  offeringSourceId: string;
  association: OeapiCourseOfferingAssociation;
  enrolment: EnrolmentRecord & { status: EnrolmentStatus };
  achievement: AchievementRecord | null;
}

/** What a declined application says when the source gives no reason (OEAPI has no field for one). */
export const DENIED_NOTE = 'Declined in the student information system (OEAPI association state "denied"; it records no reason).';

export async function writeAccounts(tx: SqlEntityManager, run: RunContext, items: readonly PreparedAccount[], counts: SyncCounts): Promise<void> {
  const now = run.now();
  const existing = await byIds(tx, LearnerAccount, items.map((item) => item.record.id));
  const inserts: object[] = [];
  for (const { record } of items) {
    const own = { studentNumber: record.studentNumber, givenName: record.givenName, familyName: record.familyName, email: record.email };
    const current = existing.get(record.id);
    if (!current) {
      // The alliance link and the home member are the learner register's; first sight is the account's creation.
      inserts.push({ id: record.id, ...own, allianceLearnerId: null, homeMemberId: null, createdAt: now });
      counts.accounts.inserted += 1;
      continue;
    }
    const changed = changedColumns(current, own);
    if (Object.keys(changed).length === 0) counts.accounts.unchanged += 1;
    else {
      await tx.nativeUpdate(LearnerAccount, { id: record.id }, changed);
      counts.accounts.updated += 1;
    }
  }
  await insertRows(tx, LearnerAccount, inserts);
  await markSeen(tx, 'person', items.map((item) => ({ sourceId: item.sourceId, hubId: item.record.id })), run.runId, now);
  await release(tx, 'person', items.map((item) => item.sourceId));
}

function moment(value: string | null | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/**
 * When the learner enrolled: OEAPI has no enrolment time, so the start of
 * participation, else the earliest end or result date, else first sight;
 * never in the future, and the same on every run (idempotent).
 */
function enrolledAtOf(association: OeapiCourseOfferingAssociation, current: Enrolment | undefined, now: Date): Date {
  const start = moment(association.startDateTime);
  if (start && start <= now) return start;
  const ends = [moment(association.actualEndDateTime), moment(association.result?.resultDateTime)].filter((date): date is Date => date !== null && date <= now);
  if (ends.length > 0) return new Date(Math.min(...ends.map((date) => date.getTime())));
  return current?.enrolledAt ?? now;
}

function statusChangedAtOf(item: PreparedAssociation, current: Enrolment | undefined, enrolledAt: Date, now: Date): Date {
  const clamp = (date: Date) => new Date(Math.min(now.getTime(), Math.max(enrolledAt.getTime(), date.getTime())));
  if (item.enrolment.statusSince) return clamp(new Date(`${item.enrolment.statusSince}T00:00:00Z`));
  if (current && current.status === item.enrolment.status) return clamp(current.statusChangedAt);
  return current ? now : enrolledAt;
}

const problemsOf = (errors: readonly FieldError[], code: string): HeldProblem[] => errors.map((error) => ({ ...error, code }));

/** Writes a page of associations; returns the ones held back. */
export async function writeAssociations(tx: SqlEntityManager, run: RunContext, items: readonly PreparedAssociation[], counts: SyncCounts): Promise<HeldRecord[]> {
  const now = run.now();
  const today = now.toISOString().slice(0, 10);
  const accounts = await byIds(tx, LearnerAccount, items.map((item) => item.enrolment.accountId));
  const offerings = await byIds(tx, LearningOpportunity, items.map((item) => item.enrolment.opportunityId));
  const enrolments = await byIds(tx, Enrolment, items.map((item) => item.enrolment.id));
  const achievements = await byIds(tx, Achievement, items.map((item) => item.enrolment.id));
  const held: HeldRecord[] = [];
  const seen: SeenEntry[] = [];
  const enrolmentInserts: object[] = [];
  const achievementInserts: object[] = [];
  const corrections: object[] = [];
  for (const item of items) {
    const { enrolment, achievement } = item;
    if (achievement) counts.achievements.read += 1;
    const current = enrolments.get(enrolment.id);
    const offering = offerings.get(enrolment.opportunityId);
    const problems: HeldProblem[] = [];
    if (!accounts.has(enrolment.accountId)) problems.push({ field: 'personId', reason: `learner account ${enrolment.accountId} is not in this database (its person is held back, or not listed as a student)`, code: 'NO_ACCOUNT' });
    if (!offering) problems.push({ field: 'courseOfferingId', reason: `offering ${enrolment.opportunityId} is not in this database`, code: 'NO_OFFERING' });
    if (current && (current.account.id !== enrolment.accountId || current.opportunity.id !== enrolment.opportunityId)) {
      problems.push({ field: 'association', reason: `enrolment ${enrolment.id} belongs to another account or offering; an enrolment cannot move (its result would move with it)`, code: 'ENROLMENT_MOVED' });
    }
    const enrolledAt = enrolledAtOf(item.association, current, now);
    const declined = enrolment.status === EnrolmentStatus.NOT_ADMITTED;
    const columns = {
      status: enrolment.status,
      enrolledAt,
      statusChangedAt: statusChangedAtOf(item, current, enrolledAt, now),
      statusReasonCode: declined ? EnrolmentDeclineReason.OTHER : null,
      statusNote: declined ? DENIED_NOTE : null,
    };
    if (offering) {
      const languages = offering.languageList ? offering.languageList.split(',') : [];
      problems.push(...problemsOf(checkEnrolment({ ...columns, language: null, statusReason: columns.statusReasonCode }, { languages }, now), 'ENROLMENT_RULES'));
      if (achievement) {
        const facts = { offering: { ects: offering.ects, creditBearing: offering.creditBearing }, enrolment: { status: enrolment.status, enrolledAt }, today };
        const fields = { assessedOn: achievement.assessedOn, passed: achievement.passed, grade: achievement.grade ?? null, gradingScheme: achievement.gradingSchemeCode, ectsAwarded: achievement.ectsAwarded, supervision: null, skills: [] };
        problems.push(...problemsOf(checkAchievement(fields, facts), 'RESULT_RULES').map((problem) => ({ ...problem, field: `result.${problem.field}` })));
      }
    }
    if (problems.length > 0) {
      held.push({ kind: 'association', sourceId: item.sourceId, hubId: enrolment.id, parentId: item.offeringSourceId, problems });
      counts.enrolments.held += 1;
      if (achievement) counts.achievements.held += 1;
      continue;
    }
    seen.push({ sourceId: item.sourceId, hubId: enrolment.id, parentId: item.offeringSourceId });
    if (!current) {
      enrolmentInserts.push({ id: enrolment.id, account: enrolment.accountId, opportunity: enrolment.opportunityId, ...columns, language: null, prerequisitesDeclared: enrolment.prerequisitesDeclared });
      counts.enrolments.inserted += 1;
    } else {
      const changed = changedColumns(current, columns);
      if (Object.keys(changed).length === 0) counts.enrolments.unchanged += 1;
      else {
        await tx.nativeUpdate(Enrolment, { id: enrolment.id }, changed);
        counts.enrolments.updated += 1;
      }
    }
    const stored = achievements.get(enrolment.id);
    if (!achievement) {
      // A result withdrawn at the source: learner records are never deleted by the sync; staff review it (counted).
      if (stored) counts.achievements.keptWithoutResult += 1;
      continue;
    }
    const facts = { assessedOn: achievement.assessedOn, grade: achievement.grade ?? null, gradingSchemeCode: achievement.gradingSchemeCode, passed: achievement.passed, ectsAwarded: achievement.ectsAwarded };
    if (!stored) {
      achievementInserts.push({ id: achievement.id, account: achievement.accountId, opportunity: achievement.opportunityId, enrolment: achievement.enrolmentId, ...facts, supervision: offering?.supervision ?? null, revision: 1 });
      counts.achievements.inserted += 1;
      continue;
    }
    const changed = changedColumns(stored, facts);
    if (Object.keys(changed).length === 0) {
      counts.achievements.unchanged += 1;
      continue;
    }
    // A changed result is a correction: credentials sealed for the old facts are suspended by the issuance service.
    const revision = (stored.revision ?? 1) + 1;
    await tx.nativeUpdate(Achievement, { id: stored.id }, { ...changed, revision });
    if (!achievement.passed) await tx.nativeDelete(AcquiredSkill, { achievement: stored.id });
    corrections.push({ achievementId: stored.id, revision, correctedAt: now, correctedBy: SYNC_ACTOR });
    counts.achievements.updated += 1;
  }
  await insertRows(tx, Enrolment, enrolmentInserts);
  await insertRows(tx, Achievement, achievementInserts);
  await insertRows(tx, AchievementCorrection, corrections);
  await markSeen(tx, 'association', seen, run.runId, now);
  await release(tx, 'association', seen.map((entry) => entry.sourceId));
  return held;
}
