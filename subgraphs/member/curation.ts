import { GraphQLError } from 'graphql';
import { forbidden, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { addAuditRow } from '../../lib/audited-writes.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import { globalId, parseGlobalId } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { isOwnStaff } from './access.js';
import type { MemberContext } from './context.js';
import type { AcquiredSkillInput, CorrectAchievementInput, CorrectEnrolmentInput, RecordAchievementInput, RecordEnrolmentInput } from './curation-inputs.js';
import { EnrolmentStatus } from './enums.js';
import { AcquiredSkill, Achievement, AchievementCorrection, Enrolment, LearnerAccount, LearningOpportunity, MemberAudit } from './model.js';
import { refuse } from './offering-curation.js';
import { checkAchievement, ectsAwardedFor, type AcquiredSkillFields } from './offering-rules.js';

/*
 * Curation of a member's records by its own staff, through the graph
 * (issue 14, point 3; docs/members.md, "Curation"): record or correct an
 * enrolment and an assessed achievement. Only this member's staff; every
 * change in one transaction with its audit row (who, when, before, after);
 * the same write again changes nothing, so a retry is safe without a key.
 * A correction of an achievement raises its revision and is logged in
 * `achievement_correction`, which the issuance service reads to suspend the
 * credentials issued for the facts before it.
 */

const LOCAL_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What every curation answer says about credentials after a correction (the issuance service acts on it). */
export const CORRECTION_CONSEQUENCE =
  'Credentials issued for an earlier revision of this achievement are suspended pending re-issue: the issuance service reads corrections at its next check (every 30 s by default) and suspends them; verifiers then see them as suspended. Asking for the credential again (issueCredential) issues one for the corrected facts and revokes the suspended one.';

function invalidState(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_STATE', ...(argument ? { argument } : {}) } });
}

function notFound(context: MemberContext, what: string, id: string, argument: string): GraphQLError {
  return new GraphQLError(`${context.memberId} has no ${what} "${id}".`, { extensions: { code: 'NOT_FOUND', argument } });
}

/** Only this member's staff curate its records. */
function checkCurator(context: MemberContext): SignedIn {
  const caller = requireSignedIn(context.principal, 'curation');
  if (!isOwnStaff(context)) throw forbidden(`Only the staff of ${context.memberId} record and correct its learners' records.`);
  return caller;
}

/** A record of this member by global id; another member's id or none is NOT_FOUND. */
async function own<T extends object>(context: MemberContext, entity: new () => T, what: string, id: string, argument: string): Promise<T> {
  const parsed = parseGlobalId(id);
  if (!parsed) throw badUserInput(`"${argument}" must be an id of the form <member id>:<local id>.`, argument);
  const found = parsed.memberId === context.memberId ? await context.em.fork().findOne(entity, { id } as never) : null;
  if (!found) throw notFound(context, what, id, argument);
  return found as T;
}

function checkDate(value: string, argument: string, today: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw badUserInput(`"${argument}" must be a date YYYY-MM-DD.`, argument);
  if (value > today) throw badUserInput(`"${argument}" (${value}) is in the future.`, argument);
  return value;
}

function enrolmentView(enrolment: Enrolment): Record<string, unknown> {
  return { status: enrolment.status, accountId: enrolment.account.id, opportunityId: enrolment.opportunity.id, enrolledAt: enrolment.enrolledAt.toISOString() };
}

export async function recordEnrolment(context: MemberContext, input: RecordEnrolmentInput): Promise<{ enrolment: Enrolment; changed: boolean }> {
  const caller = checkCurator(context);
  if (!LOCAL_ID.test(input.localId)) throw badUserInput('"input.localId" must be 1–64 letters, digits, ".", "_" or "-".', 'input.localId');
  if (input.status === EnrolmentStatus.APPLIED) throw badUserInput('Applications come from learners (applyForOffering); record ENROLLED, COMPLETED, WITHDRAWN or NOT_ADMITTED.', 'input.status');
  const account = await own(context, LearnerAccount, 'learner account', input.accountId, 'input.accountId');
  const opportunity = await own(context, LearningOpportunity, 'offering', input.opportunityId, 'input.opportunityId');
  const now = context.clock();
  const today = now.toISOString().slice(0, 10);
  const enrolledOn = input.enrolledOn ? checkDate(input.enrolledOn, 'input.enrolledOn', today) : today;
  const id = globalId(context.memberId, input.localId);
  const existing = await context.em.fork().findOne(Enrolment, { id });
  if (existing) {
    const same = existing.account.id === account.id && existing.opportunity.id === opportunity.id && existing.status === input.status && existing.enrolledAt.toISOString().slice(0, 10) === enrolledOn;
    if (same) return { enrolment: existing, changed: false };
    throw invalidState(`Enrolment "${id}" exists with other facts; change it with correctEnrolment.`, 'input.localId');
  }
  return context.em.fork().transactional(async (em) => {
    const tx = em as SqlEntityManager;
    const enrolledAt = enrolledOn === today ? now : new Date(`${enrolledOn}T12:00:00Z`);
    const enrolment = tx.create(Enrolment, {
      id,
      account: tx.getReference(LearnerAccount, account.id),
      opportunity: tx.getReference(LearningOpportunity, opportunity.id),
      status: input.status,
      enrolledAt,
      statusChangedAt: now,
      language: null,
      prerequisitesDeclared: false,
      statusReasonCode: null,
      statusNote: null,
    } as never);
    addAuditRow(tx, MemberAudit, caller, 'recordEnrolment', { type: 'Enrolment', id }, null, enrolmentView(enrolment), now);
    await tx.flush();
    return { enrolment, changed: true };
  });
}

export async function correctEnrolment(context: MemberContext, id: string, input: CorrectEnrolmentInput): Promise<{ enrolment: Enrolment; changed: boolean }> {
  const caller = checkCurator(context);
  const reason = checkedText(input.reason, 'input.reason', 3, 500) as string;
  const enrolment = await own(context, Enrolment, 'enrolment', id, 'id');
  if (enrolment.status === input.status) return { enrolment, changed: false };
  const achievement = await context.em.fork().findOne(Achievement, { enrolment: id });
  if (achievement && input.status !== EnrolmentStatus.COMPLETED) {
    throw invalidState(`Enrolment "${id}" has an assessed result (${achievement.id}); it stays COMPLETED. Correct the result with correctAchievement instead.`, 'input.status');
  }
  return context.em.fork().transactional(async (em) => {
    const tx = em as SqlEntityManager;
    const current = (await tx.findOne(Enrolment, { id })) as Enrolment;
    const before = enrolmentView(current);
    const now = context.clock();
    Object.assign(current, { status: input.status, statusChangedAt: now, statusReasonCode: 'STAFF_CORRECTION', statusNote: reason });
    addAuditRow(tx, MemberAudit, caller, 'correctEnrolment', { type: 'Enrolment', id }, before, { ...enrolmentView(current), reason }, now);
    await tx.flush();
    return { enrolment: current, changed: true };
  });
}

interface AchievementFacts {
  assessedOn: string;
  passed: boolean;
  grade: string | null;
  gradingSchemeCode: string;
  ectsAwarded: number;
  skills: AcquiredSkillFields[];
}

/**
 * Validates the facts of an assessed result against the offering by the
 * rules the file import and the sync apply too (`checkAchievement`), so the
 * three refuse the same results. `enrolledAt` is that of the enrolment
 * assessed, or null for a result without one.
 */
function checkFacts(facts: AchievementFacts, opportunity: LearningOpportunity, enrolledAt: Date | null, today: string, prefix: string): AchievementFacts {
  const errors = checkAchievement(
    // Supervision is not among the facts curation compares; the schema's enum has already checked it.
    { assessedOn: facts.assessedOn, passed: facts.passed, grade: facts.grade, gradingScheme: facts.gradingSchemeCode, ectsAwarded: facts.ectsAwarded, supervision: null, skills: facts.skills },
    {
      offering: opportunity,
      // The import takes results only for COMPLETED enrolments; curation also assesses an ENROLLED one and completes it in the
      // same write (recordAchievement refuses any other status, and correctEnrolment keeps an assessed one COMPLETED), so the
      // rules see the enrolment as it stands after the write.
      enrolment: enrolledAt ? { status: EnrolmentStatus.COMPLETED, enrolledAt } : null,
      today,
    },
  );
  if (errors.length > 0) throw refuse(errors, prefix);
  return { ...facts, skills: [...facts.skills].sort((a, b) => a.skillUri.localeCompare(b.skillUri)) };
}

function skillsOf(input: AcquiredSkillInput[] | null | undefined): AcquiredSkillFields[] {
  return (input ?? []).map((skill) => ({ skillUri: skill.skillUri.trim(), level: skill.level }));
}

async function factsOf(em: SqlEntityManager, achievement: Achievement): Promise<AchievementFacts> {
  const skills = await em.find(AcquiredSkill, { achievement: achievement.id }, { orderBy: { skillUri: 'asc' } });
  return {
    assessedOn: achievement.assessedOn,
    passed: achievement.passed,
    grade: achievement.grade ?? null,
    gradingSchemeCode: achievement.gradingSchemeCode,
    ectsAwarded: achievement.ectsAwarded,
    skills: skills.map((skill) => ({ skillUri: skill.skillUri, level: skill.level })),
  };
}

function writeFacts(tx: SqlEntityManager, achievement: Achievement, facts: AchievementFacts): void {
  Object.assign(achievement, { assessedOn: facts.assessedOn, passed: facts.passed, grade: facts.grade, gradingSchemeCode: facts.gradingSchemeCode, ectsAwarded: facts.ectsAwarded });
  for (const skill of facts.skills) tx.create(AcquiredSkill, { achievement: tx.getReference(Achievement, achievement.id), skillUri: skill.skillUri, level: skill.level } as never);
}

export async function recordAchievement(context: MemberContext, input: RecordAchievementInput): Promise<{ achievement: Achievement; changed: boolean; credentials: string | null }> {
  const caller = checkCurator(context);
  const enrolment = await own(context, Enrolment, 'enrolment', input.enrolmentId, 'input.enrolmentId');
  if (enrolment.status !== EnrolmentStatus.ENROLLED && enrolment.status !== EnrolmentStatus.COMPLETED) {
    throw invalidState(`Enrolment "${enrolment.id}" is ${enrolment.status}: only an ENROLLED or COMPLETED enrolment is assessed.`, 'input.enrolmentId');
  }
  const opportunity = (await context.em.fork().findOne(LearningOpportunity, { id: enrolment.opportunity.id })) as LearningOpportunity;
  const now = context.clock();
  if (input.grade && !input.gradingScheme) throw badUserInput('"input.gradingScheme" is needed with a grade.', 'input.gradingScheme');
  const facts = checkFacts(
    {
      assessedOn: input.assessedOn,
      passed: input.passed,
      grade: input.grade?.trim() || null,
      gradingSchemeCode: input.gradingScheme ?? 'pass-fail',
      ectsAwarded: input.ectsAwarded ?? ectsAwardedFor(input.passed, opportunity),
      skills: skillsOf(input.skills),
    },
    opportunity,
    enrolment.enrolledAt,
    now.toISOString().slice(0, 10),
    'input',
  );
  const existing = await context.em.fork().findOne(Achievement, { enrolment: enrolment.id });
  if (existing) {
    if (JSON.stringify(await factsOf(context.em.fork() as SqlEntityManager, existing)) === JSON.stringify(facts)) return { achievement: existing, changed: false, credentials: null };
    throw invalidState(`Enrolment "${enrolment.id}" already has a result (${existing.id}); change it with correctAchievement.`, 'input.enrolmentId');
  }
  return context.em.fork().transactional(async (em) => {
    const tx = em as SqlEntityManager;
    const id = globalId(context.memberId, `ach-${parseGlobalId(enrolment.id)?.localId ?? enrolment.id}`);
    const achievement = tx.create(Achievement, {
      id,
      account: tx.getReference(LearnerAccount, enrolment.account.id),
      opportunity: tx.getReference(LearningOpportunity, opportunity.id),
      enrolment: tx.getReference(Enrolment, enrolment.id),
      supervision: input.supervision ?? opportunity.supervision ?? null,
      revision: 1,
    } as never);
    writeFacts(tx, achievement, facts);
    const current = (await tx.findOne(Enrolment, { id: enrolment.id })) as Enrolment;
    if (current.status !== EnrolmentStatus.COMPLETED) Object.assign(current, { status: EnrolmentStatus.COMPLETED, statusChangedAt: now });
    addAuditRow(tx, MemberAudit, caller, 'recordAchievement', { type: 'Achievement', id }, null, facts, now);
    await tx.flush();
    return { achievement, changed: true, credentials: null };
  });
}

export async function correctAchievement(context: MemberContext, id: string, input: CorrectAchievementInput): Promise<{ achievement: Achievement; changed: boolean; credentials: string | null }> {
  const caller = checkCurator(context);
  const reason = checkedText(input.reason, 'input.reason', 3, 500) as string;
  const achievement = await own(context, Achievement, 'achievement', id, 'id');
  const em = context.em.fork() as SqlEntityManager;
  const enrolment = achievement.enrolment ? await em.findOne(Enrolment, { id: achievement.enrolment.id }) : null;
  const opportunity = (await em.findOne(LearningOpportunity, { id: achievement.opportunity.id })) as LearningOpportunity;
  const before = await factsOf(em, achievement);
  const passed = input.passed ?? before.passed;
  const now = context.clock();
  const after = checkFacts(
    {
      assessedOn: input.assessedOn ?? before.assessedOn,
      passed,
      grade: input.grade === undefined || input.grade === null ? (input.passed !== undefined && input.passed !== null && input.passed !== before.passed ? null : before.grade) : input.grade.trim() || null,
      gradingSchemeCode: input.gradingScheme ?? before.gradingSchemeCode,
      // A pass turned into a fail awards nothing; otherwise what is given, or what was.
      ectsAwarded: input.ectsAwarded ?? (passed === before.passed ? before.ectsAwarded : ectsAwardedFor(passed, opportunity)),
      skills: input.skills ? skillsOf(input.skills) : passed ? before.skills : [],
    },
    opportunity,
    enrolment?.enrolledAt ?? null,
    now.toISOString().slice(0, 10),
    'input',
  );
  if (JSON.stringify(after) === JSON.stringify(before)) return { achievement, changed: false, credentials: null };
  return em.transactional(async (inner) => {
    const tx = inner as SqlEntityManager;
    const current = (await tx.findOne(Achievement, { id })) as Achievement;
    await tx.nativeDelete(AcquiredSkill, { achievement: id });
    writeFacts(tx, current, after);
    current.revision = (current.revision ?? 1) + 1;
    tx.create(AchievementCorrection, { achievementId: id, revision: current.revision, correctedAt: now, correctedBy: caller.subject.slice(0, 255) } as never);
    addAuditRow(tx, MemberAudit, caller, 'correctAchievement', { type: 'Achievement', id }, { ...before, revision: current.revision - 1 }, { ...after, revision: current.revision, reason }, now);
    await tx.flush();
    return { achievement: current, changed: true, credentials: CORRECTION_CONSEQUENCE };
  });
}
