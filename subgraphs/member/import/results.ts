import { globalId } from '../../../lib/ids.js';
import type { SqlEntityManager } from '../../../lib/orm.js';
import { EnrolmentStatus, ProficiencyLevel, SupervisionVerification } from '../enums.js';
import { AcquiredSkill, Achievement, AchievementCorrection, Enrolment, LearnerAccount } from '../model.js';
import { checkAchievement, ectsAwardedFor, type AcquiredSkillFields, type AchievementFields } from '../offering-rules.js';
import type { Row } from './cells.js';
import { changes, idOf, insertRows, localPart, selectRows, type Parsed, type RowError, type Stage, type StageContext } from './stage.js';

/*
 * results.csv: assessed achievements with the skills shown. A result names
 * the enrolment it assesses (its account and offering follow from it), or,
 * for a result without an enrolment, the account and the offering. Skills
 * are one cell, "uri@LEVEL;uri@LEVEL". Upserted by local id; a result stays
 * with its enrolment, account and offering, and an enrolment has one result.
 * A changed result is a correction, as through the graph (curation.ts): its
 * revision goes up and the correction is logged, so that the issuance
 * service suspends credentials sealed for the earlier facts.
 * This is the file that grows large: everything here works per batch.
 */

export interface ResultRecord {
  id: string;
  enrolmentId: string | null;
  accountId: string | null;
  offeringId: string | null;
  fields: AchievementFields;
}

export const RESULT_COLUMNS = [
  { name: 'id', required: true },
  { name: 'enrolmentId', required: false },
  { name: 'accountId', required: false },
  { name: 'offeringId', required: false },
  { name: 'assessedOn', required: true },
  { name: 'passed', required: true },
  { name: 'grade', required: false },
  { name: 'gradingScheme', required: true },
  { name: 'ectsAwarded', required: false },
  { name: 'supervision', required: false },
  { name: 'skills', required: false },
] as const;

/** `uri@LEVEL` items of the skills cell. */
function parseSkills(row: Row): AcquiredSkillFields[] {
  const skills: AcquiredSkillFields[] = [];
  for (const item of row.list('skills') ?? []) {
    const at = item.lastIndexOf('@');
    const level = item.slice(at + 1).trim().toUpperCase();
    if (at <= 0 || !(Object.values(ProficiencyLevel) as string[]).includes(level)) {
      row.fail('skills', `"${item}" is not "<ESCO skill URI>@<level>" with a level of ${Object.values(ProficiencyLevel).join(', ')} (items separated by ";")`);
      continue;
    }
    skills.push({ skillUri: item.slice(0, at).trim(), level: level as ProficiencyLevel });
  }
  return skills;
}

function parseResult(row: Row, context: StageContext): ResultRecord | undefined {
  const id = row.localId('id', true);
  const enrolmentId = row.localId('enrolmentId');
  const accountId = row.localId('accountId');
  const offeringId = row.localId('offeringId');
  const fields = {
    assessedOn: row.date('assessedOn', true),
    passed: row.boolean('passed', true),
    grade: row.text('grade'),
    gradingScheme: row.text('gradingScheme', true),
    ectsAwarded: row.decimal('ectsAwarded'),
    supervision: row.enumValue('supervision', SupervisionVerification),
    skills: parseSkills(row),
  };
  if (!row.ok) return undefined;
  if (!enrolmentId && (!accountId || !offeringId)) {
    return row.fail(accountId ? 'offeringId' : 'accountId', 'is required when the result names no enrolmentId: give the enrolment, or the account and the offering');
  }
  if (offeringId && !context.offerings.has(globalId(context.memberId, offeringId))) {
    return row.fail('offeringId', `no offering "${offeringId}" in offerings.csv or the database`);
  }
  return { id: id as string, enrolmentId: enrolmentId ?? null, accountId: accountId ?? null, offeringId: offeringId ?? null, fields: fields as AchievementFields };
}

const skillKey = (skills: readonly { skillUri: string; level: string }[]) =>
  skills.map((skill) => `${skill.skillUri}@${skill.level}`).sort().join(';');

/** Rows as selectRows reads them: references are ids. */
interface EnrolmentRow {
  id: string;
  account: string;
  opportunity: string;
  status: EnrolmentStatus;
  enrolledAt: Date;
}
type AchievementRow = Omit<Achievement, 'account' | 'opportunity' | 'enrolment'> & { account: string; opportunity: string; enrolment: string | null };
interface SkillRow {
  achievement: string;
  skillUri: string;
  level: string;
}

interface Resolved {
  id: string;
  account: string;
  opportunity: string;
  enrolment: string | null;
  columns: Record<string, unknown>;
  skills: AcquiredSkillFields[];
}

async function lookUp(tx: SqlEntityManager, context: StageContext, batch: readonly Parsed<ResultRecord>[]) {
  const g = (local: string) => globalId(context.memberId, local);
  const ids = batch.map(({ record }) => g(record.id));
  const enrolmentIds = [...new Set(batch.flatMap(({ record }) => (record.enrolmentId ? [g(record.enrolmentId)] : [])))];
  const accountIds = [...new Set(batch.flatMap(({ record }) => (!record.enrolmentId && record.accountId ? [g(record.accountId)] : [])))];
  // One statement per lookup, one after another on the file's transaction.
  const enrolments = enrolmentIds.length ? await selectRows<Enrolment, EnrolmentRow>(tx, Enrolment, ['id', 'account', 'opportunity', 'status', 'enrolledAt'], { id: { $in: enrolmentIds } }) : [];
  const accounts = accountIds.length ? await selectRows<LearnerAccount, { id: string }>(tx, LearnerAccount, ['id'], { id: { $in: accountIds } }) : [];
  const existing = await selectRows<Achievement, AchievementRow>(tx, Achievement, '*', { id: { $in: ids } });
  const holders = enrolmentIds.length ? await selectRows<Achievement, { id: string; enrolment: string }>(tx, Achievement, ['id', 'enrolment'], { enrolment: { $in: enrolmentIds } }) : [];
  const existingIds = existing.map((achievement) => achievement.id);
  const skills = existingIds.length ? await selectRows<AcquiredSkill, SkillRow>(tx, AcquiredSkill, ['achievement', 'skillUri', 'level'], { achievement: { $in: existingIds } }) : [];
  const skillsOf = new Map<string, SkillRow[]>();
  for (const skill of skills) skillsOf.set(skill.achievement, [...(skillsOf.get(skill.achievement) ?? []), skill]);
  return {
    ids,
    enrolments: new Map(enrolments.map((enrolment) => [enrolment.id, enrolment])),
    accounts: new Set(accounts.map((account) => account.id)),
    existing: new Map(existing.map((achievement) => [achievement.id, achievement])),
    holderOf: new Map(holders.map((holder) => [holder.enrolment, holder.id])),
    skillsOf,
  };
}

export function resultsStage(): Stage<ResultRecord> {
  return {
    kind: 'results',
    entityType: 'Achievement',
    columns: RESULT_COLUMNS,
    parse: parseResult,
    uniqueKeys: (record) => [
      { field: 'id', key: record.id, label: `result "${record.id}"` },
      ...(record.enrolmentId ? [{ field: 'enrolmentId', key: `enrolment\n${record.enrolmentId}`, label: `a result for enrolment "${record.enrolmentId}"` }] : []),
    ],
    async flush(tx, batch, context, write) {
      const found = await lookUp(tx, context, batch);
      const local = (id: string | null) => localPart(context.memberId, id ?? '');
      const errors: RowError[] = [];
      const resolved: Resolved[] = [];
      batch.forEach(({ line, record }, index) => {
        const id = found.ids[index] as string;
        const fail = (field: string, reason: string) => void errors.push({ line, field, reason });
        let account = record.accountId ? globalId(context.memberId, record.accountId) : null;
        let opportunity = record.offeringId ? globalId(context.memberId, record.offeringId) : null;
        const enrolmentId = record.enrolmentId ? globalId(context.memberId, record.enrolmentId) : null;
        const enrolment = enrolmentId ? found.enrolments.get(enrolmentId) : undefined;
        if (enrolmentId) {
          if (!enrolment) return fail('enrolmentId', `no enrolment "${record.enrolmentId}" in enrolments.csv or the database`);
          const holder = found.holderOf.get(enrolmentId);
          if (holder && holder !== id) return fail('enrolmentId', `enrolment "${record.enrolmentId}" already has result "${local(holder)}"`);
          if (account && account !== idOf(enrolment.account)) return fail('accountId', `enrolment "${record.enrolmentId}" belongs to account "${local(idOf(enrolment.account))}"`);
          if (opportunity && opportunity !== idOf(enrolment.opportunity)) return fail('offeringId', `enrolment "${record.enrolmentId}" is in offering "${local(idOf(enrolment.opportunity))}"`);
          account = idOf(enrolment.account);
          opportunity = idOf(enrolment.opportunity);
        } else if (!found.accounts.has(account as string)) {
          return fail('accountId', `no learner account "${record.accountId}" in learner-accounts.csv or the database`);
        }
        const offering = context.offerings.get(opportunity as string);
        if (!offering) return fail('offeringId', `no offering "${local(opportunity)}" in offerings.csv or the database`);
        const ruleErrors = checkAchievement(record.fields, {
          offering,
          enrolment: enrolment ? { status: enrolment.status, enrolledAt: enrolment.enrolledAt } : null,
          today: context.today,
        });
        if (ruleErrors.length > 0) return void errors.push(...ruleErrors.map((error) => ({ line, ...error })));
        const current = found.existing.get(id);
        if (current && (idOf(current.account) !== account || idOf(current.opportunity) !== opportunity || idOf(current.enrolment) !== enrolmentId)) {
          return fail(enrolmentId ? 'enrolmentId' : 'accountId', `result "${record.id}" belongs to another enrolment, account or offering; a result cannot move: give it a new id`);
        }
        const { fields } = record;
        resolved.push({
          id,
          account: account as string,
          opportunity: opportunity as string,
          enrolment: enrolmentId,
          skills: fields.skills,
          columns: {
            assessedOn: fields.assessedOn,
            grade: fields.grade,
            gradingSchemeCode: fields.gradingScheme,
            passed: fields.passed,
            ectsAwarded: fields.ectsAwarded ?? ectsAwardedFor(fields.passed, offering),
            supervision: fields.supervision,
          },
        });
      });
      const inserts: object[] = [];
      const skillInserts: object[] = [];
      const updates: { id: string; changed: Record<string, unknown>; revision: number }[] = [];
      const reskilled: string[] = [];
      let unchanged = 0;
      for (const result of resolved) {
        const current = found.existing.get(result.id);
        const skillRows = result.skills.map((skill) => ({ achievement: result.id, skillUri: skill.skillUri, level: skill.level }));
        if (!current) {
          inserts.push({ id: result.id, account: result.account, opportunity: result.opportunity, enrolment: result.enrolment, ...result.columns, revision: 1 });
          skillInserts.push(...skillRows);
          continue;
        }
        const changed = changes(current, result.columns);
        const skillsChanged = skillKey(found.skillsOf.get(result.id) ?? []) !== skillKey(result.skills);
        if (skillsChanged) {
          reskilled.push(result.id);
          skillInserts.push(...skillRows);
        }
        if (Object.keys(changed).length > 0 || skillsChanged) updates.push({ id: result.id, changed, revision: (current.revision ?? 1) + 1 });
        else unchanged += 1;
      }
      if (write && errors.length === 0) {
        await insertRows(tx, Achievement, inserts);
        if (reskilled.length > 0) await tx.nativeDelete(AcquiredSkill, { achievement: { $in: reskilled } });
        await insertRows(tx, AcquiredSkill, skillInserts);
        for (const { id, changed, revision } of updates) await tx.nativeUpdate(Achievement, { id }, { ...changed, revision });
        await insertRows(
          tx,
          AchievementCorrection,
          updates.map(({ id, revision }) => ({ achievementId: id, revision, correctedAt: context.now, correctedBy: `import:${context.file}` })),
        );
      }
      return { errors, inserted: inserts.length, updated: updates.length, unchanged };
    },
  };
}
