import { globalId } from '../../../lib/ids.js';
import { LearnerAccount } from '../model.js';
import { checkLearnerAccount, type LearnerAccountFields } from '../offering-rules.js';
import { changes, insertRows, localPart, selectRows, type RowError, type Stage } from './stage.js';

/*
 * learner-accounts.csv: the member's learner records. Upserted by local id.
 * The link to an alliance learner (allianceLearnerId) comes from the learner
 * register: an import may set it on an account that has none, but never
 * changes or clears one, because re-pointing an account would show one
 * person's results to another. An empty homeMemberId (also the register's)
 * keeps the stored one.
 */

export interface AccountRecord {
  id: string;
  fields: LearnerAccountFields;
  /** Null: keep the stored one (or the import time for a new account). */
  createdAt: Date | null;
}

export const ACCOUNT_COLUMNS = [
  { name: 'id', required: true },
  { name: 'givenName', required: true },
  { name: 'familyName', required: true },
  { name: 'email', required: false },
  { name: 'studentNumber', required: false },
  { name: 'allianceLearnerId', required: false },
  { name: 'homeMemberId', required: false },
  { name: 'createdAt', required: false },
] as const;

export function accountsStage(): Stage<AccountRecord> {
  return {
    kind: 'learner-accounts',
    entityType: 'LearnerAccount',
    columns: ACCOUNT_COLUMNS,
    parse(row) {
      const id = row.localId('id', true);
      const fields = {
        givenName: row.text('givenName', true),
        familyName: row.text('familyName', true),
        email: row.text('email'),
        studentNumber: row.text('studentNumber'),
        allianceLearnerId: row.text('allianceLearnerId'),
        homeMemberId: row.text('homeMemberId')?.toLowerCase() ?? null,
      };
      const createdAt = row.dateTime('createdAt');
      if (!row.ok) return undefined;
      row.addErrors(checkLearnerAccount(fields as LearnerAccountFields));
      return row.ok ? { id: id as string, fields: fields as LearnerAccountFields, createdAt: createdAt ?? null } : undefined;
    },
    uniqueKeys: (record) => [
      { field: 'id', key: record.id, label: `account "${record.id}"` },
      ...(record.fields.allianceLearnerId ? [{ field: 'allianceLearnerId', key: `learner\n${record.fields.allianceLearnerId}`, label: `alliance learner "${record.fields.allianceLearnerId}"` }] : []),
    ],
    async flush(tx, batch, context, write) {
      const ids = batch.map(({ record }) => globalId(context.memberId, record.id));
      const existing = new Map((await selectRows<LearnerAccount, LearnerAccount>(tx, LearnerAccount, '*', { id: { $in: ids } })).map((account) => [account.id, account]));
      const learnerIds = batch.map(({ record }) => record.fields.allianceLearnerId).filter((value): value is string => value !== null);
      const linked = new Map(
        learnerIds.length === 0
          ? []
          : (await selectRows<LearnerAccount, { id: string; allianceLearnerId: string }>(tx, LearnerAccount, ['id', 'allianceLearnerId'], { allianceLearnerId: { $in: learnerIds } })).map((account) => [account.allianceLearnerId, account.id]),
      );
      const errors: RowError[] = [];
      const inserts: object[] = [];
      const updates: { id: string; changed: Record<string, unknown> }[] = [];
      let unchanged = 0;
      batch.forEach(({ line, record }, index) => {
        const id = ids[index] as string;
        const current = existing.get(id);
        const { allianceLearnerId, homeMemberId, ...own } = record.fields;
        const holder = allianceLearnerId ? linked.get(allianceLearnerId) : undefined;
        if (holder && holder !== id) {
          errors.push({ line, field: 'allianceLearnerId', reason: `alliance learner "${allianceLearnerId}" already has account "${localPart(context.memberId, holder)}" at this member` });
          return;
        }
        if (current?.allianceLearnerId && allianceLearnerId && current.allianceLearnerId !== allianceLearnerId) {
          errors.push({ line, field: 'allianceLearnerId', reason: `account "${record.id}" is linked to another alliance learner; the learner register owns that link and an import cannot change it` });
          return;
        }
        if (!current) {
          inserts.push({ id, ...own, allianceLearnerId, homeMemberId, createdAt: record.createdAt ?? context.now });
          return;
        }
        // Empty link fields keep the stored values (see above); an empty createdAt keeps the stored time.
        const next: Record<string, unknown> = { ...own };
        if (allianceLearnerId) next['allianceLearnerId'] = allianceLearnerId;
        if (homeMemberId) next['homeMemberId'] = homeMemberId;
        if (record.createdAt) next['createdAt'] = record.createdAt;
        const changed = changes(current, next);
        if (Object.keys(changed).length === 0) unchanged += 1;
        else updates.push({ id, changed });
      });
      if (write && errors.length === 0) {
        await insertRows(tx, LearnerAccount, inserts);
        for (const { id, changed } of updates) await tx.nativeUpdate(LearnerAccount, { id }, changed);
      }
      return { errors, inserted: inserts.length, updated: updates.length, unchanged };
    },
  };
}
