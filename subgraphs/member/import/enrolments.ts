import { globalId } from '../../../lib/ids.js';
import { EnrolmentDeclineReason, EnrolmentStatus } from '../enums.js';
import { Enrolment, LearnerAccount } from '../model.js';
import { checkEnrolment, type EnrolmentFields } from '../offering-rules.js';
import { changes, insertRows, localPart, selectRows, type RowError, type Stage } from './stage.js';

/*
 * enrolments.csv: which account is enrolled in which offering, and how far
 * it got. Upserted by local id. An enrolment stays with its account and
 * offering: a row that moves one elsewhere is refused (its result would
 * follow it), give it a new id instead.
 */

export interface EnrolmentRecord {
  id: string;
  accountId: string;
  offeringId: string;
  prerequisitesDeclared: boolean;
  fields: EnrolmentFields;
}

export const ENROLMENT_COLUMNS = [
  { name: 'id', required: true },
  { name: 'accountId', required: true },
  { name: 'offeringId', required: true },
  { name: 'status', required: true },
  { name: 'enrolledAt', required: true },
  { name: 'statusChangedAt', required: false },
  { name: 'language', required: false },
  { name: 'prerequisitesDeclared', required: false },
  { name: 'statusReason', required: false },
  { name: 'statusNote', required: false },
] as const;

/** A stored enrolment as selectRows reads it (references are ids). */
type EnrolmentRow = Omit<Enrolment, 'account' | 'opportunity'> & { account: string; opportunity: string };

export function enrolmentsStage(): Stage<EnrolmentRecord> {
  return {
    kind: 'enrolments',
    entityType: 'Enrolment',
    columns: ENROLMENT_COLUMNS,
    parse(row, context) {
      const id = row.localId('id', true);
      const accountId = row.localId('accountId', true);
      const offeringId = row.localId('offeringId', true);
      const fields = {
        status: row.enumValue('status', EnrolmentStatus, true),
        enrolledAt: row.dateTime('enrolledAt', true),
        statusChangedAt: row.dateTime('statusChangedAt'),
        language: row.text('language')?.toLowerCase() ?? null,
        statusReason: row.enumValue('statusReason', EnrolmentDeclineReason),
        statusNote: row.text('statusNote'),
      };
      const prerequisitesDeclared = row.boolean('prerequisitesDeclared');
      if (!row.ok) return undefined;
      const offering = context.offerings.get(globalId(context.memberId, offeringId as string));
      if (!offering) return row.fail('offeringId', `no offering "${offeringId}" in offerings.csv or the database`);
      row.addErrors(checkEnrolment(fields as EnrolmentFields, offering, context.now));
      if (!row.ok) return undefined;
      return { id: id as string, accountId: accountId as string, offeringId: offeringId as string, prerequisitesDeclared: prerequisitesDeclared ?? false, fields: fields as EnrolmentFields };
    },
    uniqueKeys: (record) => [{ field: 'id', key: record.id, label: `enrolment "${record.id}"` }],
    async flush(tx, batch, context, write) {
      const ids = batch.map(({ record }) => globalId(context.memberId, record.id));
      const accountIds = [...new Set(batch.map(({ record }) => globalId(context.memberId, record.accountId)))];
      const accounts = new Set((await selectRows<LearnerAccount, { id: string }>(tx, LearnerAccount, ['id'], { id: { $in: accountIds } })).map((account) => account.id));
      const existing = new Map((await selectRows<Enrolment, EnrolmentRow>(tx, Enrolment, '*', { id: { $in: ids } })).map((enrolment) => [enrolment.id, enrolment]));
      const errors: RowError[] = [];
      const inserts: object[] = [];
      const updates: { id: string; changed: Record<string, unknown> }[] = [];
      let unchanged = 0;
      batch.forEach(({ line, record }, index) => {
        const id = ids[index] as string;
        const account = globalId(context.memberId, record.accountId);
        const opportunity = globalId(context.memberId, record.offeringId);
        if (!accounts.has(account)) {
          errors.push({ line, field: 'accountId', reason: `no learner account "${record.accountId}" in learner-accounts.csv or the database` });
          return;
        }
        const current = existing.get(id);
        if (current && (current.account !== account || current.opportunity !== opportunity)) {
          const was = `account "${localPart(context.memberId, current.account)}" in offering "${localPart(context.memberId, current.opportunity)}"`;
          errors.push({ line, field: current.account !== account ? 'accountId' : 'offeringId', reason: `enrolment "${record.id}" is ${was}; an enrolment cannot move to another account or offering: give it a new id` });
          return;
        }
        const { statusReason, statusChangedAt, ...fields } = record.fields;
        const columns: Record<string, unknown> = { ...fields, statusReasonCode: statusReason, prerequisitesDeclared: record.prerequisitesDeclared };
        if (!current) {
          inserts.push({ id, account, opportunity, ...columns, statusChangedAt: statusChangedAt ?? fields.enrolledAt });
          return;
        }
        // No statusChangedAt in the file: keep the stored one, unless this import changes the status now.
        if (statusChangedAt) columns['statusChangedAt'] = statusChangedAt;
        else if (current.status !== fields.status) columns['statusChangedAt'] = context.now;
        const changed = changes(current, columns);
        if (Object.keys(changed).length === 0) unchanged += 1;
        else updates.push({ id, changed });
      });
      if (write && errors.length === 0) {
        await insertRows(tx, Enrolment, inserts);
        for (const { id, changed } of updates) await tx.nativeUpdate(Enrolment, { id }, changed);
      }
      return { errors, inserted: inserts.length, updated: updates.length, unchanged };
    },
  };
}
