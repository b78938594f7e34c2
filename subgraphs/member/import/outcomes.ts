import { globalId } from '../../../lib/ids.js';
import { ProficiencyLevel } from '../enums.js';
import { LearningOpportunity, LearningOutcome } from '../model.js';
import { checkLearningOutcome, type LearningOutcomeFields } from '../offering-rules.js';
import { offeringSearchText } from '../search-text.js';
import { changes, insertRows, type RowError, type Stage } from './stage.js';

/*
 * learning-outcomes.csv: an offering's learning outcomes (Annex I element 6),
 * one row each, identified by the offering's local id and the outcome's
 * position (the table has no id of its own). Upserted by that pair; the
 * offering's search text, which includes its outcomes, is rebuilt after.
 */

export interface OutcomeRecord {
  offeringId: string;
  fields: LearningOutcomeFields;
}

export const OUTCOME_COLUMNS = [
  { name: 'offeringId', required: true },
  { name: 'position', required: true },
  { name: 'description', required: true },
  { name: 'skillUri', required: true },
  { name: 'expectedProficiency', required: true },
] as const;

export function outcomesStage(): Stage<OutcomeRecord> {
  // Offerings whose outcomes this file changed (a catalogue's worth of ids at most).
  const touched = new Set<string>();
  return {
    kind: 'learning-outcomes',
    entityType: 'LearningOutcome',
    columns: OUTCOME_COLUMNS,
    parse(row, context) {
      const offeringId = row.localId('offeringId', true);
      const fields = {
        position: row.integer('position', true),
        description: row.text('description', true),
        skillUri: row.text('skillUri', true),
        expectedProficiency: row.enumValue('expectedProficiency', ProficiencyLevel, true),
      };
      if (!row.ok) return undefined;
      if (!context.offerings.has(globalId(context.memberId, offeringId as string))) {
        row.fail('offeringId', `no offering "${offeringId}" in offerings.csv or the database`);
      }
      row.addErrors(checkLearningOutcome(fields as LearningOutcomeFields));
      return row.ok ? { offeringId: offeringId as string, fields: fields as LearningOutcomeFields } : undefined;
    },
    uniqueKeys: (record) => [{ field: 'position', key: `${record.offeringId}\n${record.fields.position}`, label: `outcome ${record.fields.position} of offering "${record.offeringId}"` }],
    async flush(tx, batch, context, write) {
      const offeringIds = [...new Set(batch.map(({ record }) => globalId(context.memberId, record.offeringId)))];
      const existing = new Map(
        (await tx.find(LearningOutcome, { opportunity: { $in: offeringIds } }, { disableIdentityMap: true })).map((outcome) => [`${outcome.opportunity.id}\n${outcome.position}`, outcome]),
      );
      const inserts: object[] = [];
      const updates: { id: number; changed: Record<string, unknown> }[] = [];
      let unchanged = 0;
      for (const { record } of batch) {
        const opportunity = globalId(context.memberId, record.offeringId);
        const current = existing.get(`${opportunity}\n${record.fields.position}`);
        if (!current) {
          inserts.push({ opportunity, ...record.fields });
          touched.add(opportunity);
          continue;
        }
        const changed = changes(current, { description: record.fields.description, skillUri: record.fields.skillUri, expectedProficiency: record.fields.expectedProficiency });
        if (Object.keys(changed).length === 0) {
          unchanged += 1;
        } else {
          updates.push({ id: current.id, changed });
          if ('description' in changed) touched.add(opportunity);
        }
      }
      if (write) {
        await insertRows(tx, LearningOutcome, inserts);
        for (const { id, changed } of updates) await tx.nativeUpdate(LearningOutcome, { id }, changed);
      }
      return { errors: [] as RowError[], inserted: inserts.length, updated: updates.length, unchanged };
    },
    async finish(tx) {
      const ids = [...touched];
      for (let start = 0; start < ids.length; start += 500) {
        const slice = ids.slice(start, start + 500);
        const offerings = await tx.find(LearningOpportunity, { id: { $in: slice } }, { fields: ['id', 'title', 'description', 'searchText'], disableIdentityMap: true });
        const outcomes = await tx.find(LearningOutcome, { opportunity: { $in: slice } }, { orderBy: { position: 'asc' }, disableIdentityMap: true });
        for (const offering of offerings) {
          const searchText = offeringSearchText(offering.title, offering.description, outcomes.filter((outcome) => outcome.opportunity.id === offering.id).map((outcome) => outcome.description));
          if (searchText !== offering.searchText) await tx.nativeUpdate(LearningOpportunity, { id: offering.id }, { searchText });
        }
      }
      return [];
    },
  };
}
