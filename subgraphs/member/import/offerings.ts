import { globalId } from '../../../lib/ids.js';
import type { SqlEntityManager } from '../../../lib/orm.js';
import { AssessmentType, LearningMode, LearningSetting, MicroCredentialType, OpportunityKind, Stackability, SupervisionVerification } from '../enums.js';
import { LearningOpportunity, LearningOutcome } from '../model.js';
import { checkOffering, type OfferingFields } from '../offering-rules.js';
import { offeringSearchText, offeringSortTitle } from '../search-text.js';
import type { Row } from './cells.js';
import { changes, insertRows, type Stage } from './stage.js';

/*
 * offerings.csv: the member's learning opportunities with the Annex I
 * elements an offering carries. Upserted by local id; the search and sort
 * columns come from search-text.ts, as for every writer of offerings. The
 * withdrawal columns are not the file's: an offering withdrawn through the
 * graph stays withdrawn when the file lists it again.
 */

export interface OfferingRecord {
  id: string;
  fields: OfferingFields;
}

export const OFFERING_COLUMNS = [
  { name: 'id', required: true },
  { name: 'code', required: false },
  { name: 'title', required: true },
  { name: 'description', required: false },
  { name: 'kind', required: true },
  { name: 'microCredentialType', required: true },
  { name: 'ects', required: true },
  { name: 'workloadHours', required: true },
  { name: 'eqfLevel', required: true },
  { name: 'iscedF', required: false },
  { name: 'assessmentType', required: true },
  { name: 'mode', required: true },
  { name: 'learningSetting', required: true },
  { name: 'qualityAssurance', required: true },
  { name: 'prerequisites', required: false },
  { name: 'supervision', required: false },
  { name: 'stackability', required: false },
  { name: 'stackableTowards', required: false },
  { name: 'sdgs', required: false },
  { name: 'languages', required: false },
  { name: 'startDate', required: false },
  { name: 'endDate', required: false },
  { name: 'enrolmentDeadline', required: false },
  { name: 'capacity', required: false },
  { name: 'creditBearing', required: true },
  { name: 'moreInformationUrl', required: false },
  { name: 'accreditationReference', required: false },
  { name: 'accreditationBody', required: false },
  { name: 'accreditationDecidedOn', required: false },
  { name: 'accreditationValidUntil', required: false },
  { name: 'accreditationUrl', required: false },
] as const;

function parseOffering(row: Row, context: { member: Parameters<typeof checkOffering>[1] }): OfferingRecord | undefined {
  const id = row.localId('id', true);
  const sdgs: number[] = [];
  for (const part of row.list('sdgs') ?? []) {
    if (/^\d{1,2}$/.test(part)) sdgs.push(Number(part));
    else row.fail('sdgs', `"${part}" is not a goal number 1–17 (list them separated by ";", e.g. 11;13)`);
  }
  const languages = row.list('languages');
  const fields = {
    code: row.text('code'),
    title: row.text('title', true),
    description: row.text('description'),
    kind: row.enumValue('kind', OpportunityKind, true),
    microCredentialType: row.enumValue('microCredentialType', MicroCredentialType, true),
    ects: row.decimal('ects', true),
    workloadHours: row.integer('workloadHours', true),
    eqfLevel: row.integer('eqfLevel', true),
    iscedF: row.text('iscedF'),
    assessmentType: row.enumValue('assessmentType', AssessmentType, true),
    mode: row.enumValue('mode', LearningMode, true),
    learningSetting: row.enumValue('learningSetting', LearningSetting, true),
    qualityAssurance: row.text('qualityAssurance', true),
    prerequisites: row.text('prerequisites'),
    supervision: row.enumValue('supervision', SupervisionVerification),
    // Annex I makes stackability optional; an offering that says nothing stands alone.
    stackability: row.enumValue('stackability', Stackability) ?? Stackability.STAND_ALONE,
    stackableTowards: row.text('stackableTowards'),
    sdgs,
    // The database's default language of instruction.
    languages: languages && languages.length > 0 ? languages.map((language) => language.toLowerCase()) : ['en'],
    startDate: row.date('startDate'),
    endDate: row.date('endDate'),
    enrolmentDeadline: row.date('enrolmentDeadline'),
    capacity: row.integer('capacity'),
    creditBearing: row.boolean('creditBearing', true),
    moreInformationUrl: row.text('moreInformationUrl'),
    accreditationReference: row.text('accreditationReference'),
    accreditationBody: row.text('accreditationBody'),
    accreditationDecidedOn: row.date('accreditationDecidedOn'),
    accreditationValidUntil: row.date('accreditationValidUntil'),
    accreditationUrl: row.text('accreditationUrl'),
  };
  if (!row.ok) return undefined;
  const record = { id: id as string, fields: fields as OfferingFields };
  row.addErrors(checkOffering(record.fields, context.member));
  return row.ok ? record : undefined;
}

/** The offering's stored columns (without the derived search and sort columns). */
function offeringColumns(fields: OfferingFields): Record<string, unknown> {
  const { sdgs, languages, ...rest } = fields;
  return { ...rest, sdgList: sdgs.join(','), languageList: languages.join(',') };
}

async function outcomeTexts(tx: SqlEntityManager, ids: readonly string[]): Promise<Map<string, string[]>> {
  const texts = new Map<string, string[]>();
  if (ids.length === 0) return texts;
  const outcomes = await tx.find(LearningOutcome, { opportunity: { $in: [...ids] } }, { orderBy: { position: 'asc' }, disableIdentityMap: true });
  for (const outcome of outcomes) {
    const id = outcome.opportunity.id;
    texts.set(id, [...(texts.get(id) ?? []), outcome.description]);
  }
  return texts;
}

/** The offerings stage; `imported` collects the global ids of the file's offerings (a catalogue: small), for the learning-outcome check after the run. */
export function offeringsStage(): Stage<OfferingRecord> & { imported: Set<string> } {
  const imported = new Set<string>();
  return {
    imported,
    kind: 'offerings',
    entityType: 'LearningOpportunity',
    columns: OFFERING_COLUMNS,
    parse: (row, context) => parseOffering(row, context),
    uniqueKeys: (record) => [{ field: 'id', key: record.id, label: `offering "${record.id}"` }],
    async flush(tx, batch, context, write) {
      const ids = batch.map(({ record }) => globalId(context.memberId, record.id));
      const existing = new Map((await tx.find(LearningOpportunity, { id: { $in: ids } }, { disableIdentityMap: true })).map((row) => [row.id, row]));
      const inserts: object[] = [];
      const updates: { id: string; changed: Record<string, unknown>; retitled: boolean }[] = [];
      let unchanged = 0;
      batch.forEach(({ record }, index) => {
        const id = ids[index] as string;
        const columns = offeringColumns(record.fields);
        const current = existing.get(id);
        if (!current) {
          inserts.push({ id, ...columns, sortTitle: offeringSortTitle(record.fields.title), searchText: offeringSearchText(record.fields.title, record.fields.description, []) });
          return;
        }
        const changed = changes(current, columns);
        if (Object.keys(changed).length === 0) unchanged += 1;
        else updates.push({ id, changed, retitled: 'title' in changed || 'description' in changed });
      });
      for (const id of ids) imported.add(id);
      if (write) {
        await insertRows(tx, LearningOpportunity, inserts);
        const texts = await outcomeTexts(tx, updates.filter((update) => update.retitled).map((update) => update.id));
        for (const { id, changed, retitled } of updates) {
          const title = (changed['title'] as string | undefined) ?? (existing.get(id) as LearningOpportunity).title;
          const description = 'description' in changed ? (changed['description'] as string | null) : existing.get(id)?.description;
          const derived = retitled ? { sortTitle: offeringSortTitle(title), searchText: offeringSearchText(title, description, texts.get(id) ?? []) } : {};
          await tx.nativeUpdate(LearningOpportunity, { id }, { ...changed, ...derived });
        }
      }
      return { errors: [], inserted: inserts.length, updated: updates.length, unchanged };
    },
  };
}
