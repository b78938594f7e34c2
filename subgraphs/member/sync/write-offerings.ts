import type { SqlEntityManager } from '../../../lib/orm.js';
import { LearningOpportunity, LearningOutcome, SyncRecord } from '../model.js';
import type { OpportunityOutcome, OpportunityRecord } from '../oeapi/mapping-opportunity.js';
import { checkLearningOutcome, checkOffering, offeringFieldsOf, type FieldError } from '../offering-rules.js';
import { offeringSearchText, offeringSortTitle } from '../search-text.js';
import type { RunContext } from './run.js';
import type { HeldRecord, SyncCounts } from './state.js';
import { byIds, changedColumns, insertRows, markSeen, release, seenRecords, type SeenEntry } from './store.js';

/*
 * Writing a page of mapped offerings: each one checked by the member's own
 * offering rules (the same as the file import and curation), then inserted
 * or updated with its learning outcomes replaced as a set, or held back
 * whole. Withdrawal is the sync's to set and clear (a cancelled or draft
 * offering, one gone from the source) unless the member's staff withdrew it.
 */

/** A mapped offering without mapping errors, ready for the rules and the database. */
export interface PreparedOffering {
  sourceId: string;
  courseId: string;
  record: OpportunityRecord & { title: string; ects: number; workloadHours: number; eqfLevel: number; mode: NonNullable<OpportunityRecord['mode']> };
  /** Why the source says it is not on offer (cancelled, a draft), or null. */
  withdrawal: string | null;
  /** JSON the associations need later: the offering's result type, the course's study load. */
  facts: string;
}

const ACCREDITATION = ['accreditationReference', 'accreditationBody', 'accreditationDecidedOn', 'accreditationValidUntil', 'accreditationUrl'] as const;

function outcomeKey(outcomes: readonly { position: number; description: string; skillUri: string; expectedProficiency: string }[]): string {
  return JSON.stringify([...outcomes].sort((a, b) => a.position - b.position).map((outcome) => [outcome.position, outcome.description, outcome.skillUri, outcome.expectedProficiency]));
}

/** The stored accreditation, or the defaults' for an offering that has none of its own. */
function accreditationFor(run: RunContext, current: LearningOpportunity | undefined): Record<(typeof ACCREDITATION)[number], string | null> {
  const stored = Object.fromEntries(ACCREDITATION.map((name) => [name, current?.[name] ?? null])) as Record<(typeof ACCREDITATION)[number], string | null>;
  const fallback = run.defaults.accreditation;
  if (stored.accreditationReference || !fallback) return stored;
  return { accreditationReference: fallback.reference, accreditationBody: fallback.body, accreditationDecidedOn: fallback.decidedOn, accreditationValidUntil: fallback.validUntil, accreditationUrl: fallback.url };
}

function ruleErrors(run: RunContext, record: PreparedOffering['record'], accreditation: ReturnType<typeof accreditationFor>): FieldError[] {
  // The record holds the columns as stored (lists comma-separated), so it is read as a stored offering is, with the accreditation it will have.
  const fields = offeringFieldsOf({ ...record, ...accreditation });
  const outcomeErrors = record.learningOutcomes.flatMap((outcome: OpportunityOutcome, index) => checkLearningOutcome(outcome).map((error) => ({ field: `learningOutcomes[${index}].${error.field}`, reason: error.reason })));
  return [...checkOffering(fields, run.member), ...outcomeErrors];
}

/** The columns the sync owns (everything OEAPI or the defaults give; not the hub's own accreditation or withdrawal by staff). */
function ownColumns(record: PreparedOffering['record']): Record<string, unknown> {
  const { id: _id, learningOutcomes, title, ...rest } = record;
  return {
    ...rest,
    title,
    code: record.code ?? null,
    sortTitle: offeringSortTitle(title),
    searchText: offeringSearchText(title, record.description, learningOutcomes.map((outcome) => outcome.description)),
  };
}

/** Writes a page of prepared offerings; returns those the rules held back. */
export async function writeOfferings(tx: SqlEntityManager, run: RunContext, items: readonly PreparedOffering[], counts: SyncCounts): Promise<HeldRecord[]> {
  const now = run.now();
  const existing = await byIds(tx, LearningOpportunity, items.map((item) => item.record.id));
  const seen = await seenRecords(tx, 'offering', items.map((item) => item.sourceId));
  const storedOutcomes = new Map<string, LearningOutcome[]>();
  const ids = [...existing.keys()];
  if (ids.length > 0) {
    for (const outcome of await tx.find(LearningOutcome, { opportunity: { $in: ids } }, { disableIdentityMap: true })) {
      storedOutcomes.set(outcome.opportunity.id, [...(storedOutcomes.get(outcome.opportunity.id) ?? []), outcome]);
    }
  }
  const held: HeldRecord[] = [];
  const entries: SeenEntry[] = [];
  const inserts: object[] = [];
  const outcomeInserts: object[] = [];
  for (const item of items) {
    const { record } = item;
    const current = existing.get(record.id);
    const accreditation = accreditationFor(run, current);
    const errors = ruleErrors(run, record, accreditation);
    if (errors.length > 0) {
      held.push({ kind: 'offering', sourceId: item.sourceId, hubId: record.id, parentId: item.courseId, problems: errors.map((error) => ({ ...error, code: 'OFFERING_RULES' })) });
      continue;
    }
    const columns = ownColumns(record);
    // Staff withdrew it through the hub: their decision stands; the sync only owns withdrawals it made.
    const staffWithdrawn = Boolean(current?.withdrawnAt) && !seen.get(item.sourceId)?.withdrawnBySync;
    let withdrawnBySync = false;
    if (!staffWithdrawn) {
      if (item.withdrawal) {
        withdrawnBySync = true;
        Object.assign(columns, { withdrawnAt: current?.withdrawnAt ?? now, withdrawalReason: item.withdrawal });
        if (!current?.withdrawnAt) counts.offerings.withdrawn += 1;
      } else {
        Object.assign(columns, { withdrawnAt: null, withdrawalReason: null });
        if (current?.withdrawnAt) counts.offerings.reinstated += 1;
      }
    }
    entries.push({ sourceId: item.sourceId, hubId: record.id, parentId: item.courseId, facts: item.facts, withdrawnBySync });
    const outcomes = record.learningOutcomes.map((outcome) => ({ ...outcome, opportunity: record.id }));
    if (!current) {
      inserts.push({ id: record.id, ...columns, ...accreditation });
      outcomeInserts.push(...outcomes);
      counts.offerings.inserted += 1;
      continue;
    }
    const changed = changedColumns(current, { ...columns, ...accreditation });
    const outcomesChanged = outcomeKey(storedOutcomes.get(record.id) ?? []) !== outcomeKey(record.learningOutcomes);
    if (Object.keys(changed).length > 0) await tx.nativeUpdate(LearningOpportunity, { id: record.id }, changed);
    if (outcomesChanged) {
      // Replaced as a set: the source's list is the whole list, positions included.
      await tx.nativeDelete(LearningOutcome, { opportunity: record.id });
      outcomeInserts.push(...outcomes);
      counts.offerings.outcomeSetsReplaced += 1;
    }
    if (Object.keys(changed).length > 0 || outcomesChanged) counts.offerings.updated += 1;
    else counts.offerings.unchanged += 1;
  }
  await insertRows(tx, LearningOpportunity, inserts);
  await insertRows(tx, LearningOutcome, outcomeInserts);
  await markSeen(tx, 'offering', entries, run.runId, now);
  await release(tx, 'offering', entries.map((entry) => entry.sourceId));
  counts.offerings.held += held.length;
  return held;
}

/**
 * Withdraws offerings a full sweep no longer found (the source answered 404
 * for each): never deleted, since enrolments, results and credentials point
 * at them. An offering the staff had already withdrawn keeps their reason.
 */
export async function withdrawMissing(tx: SqlEntityManager, run: RunContext, missing: readonly { sourceId: string; hubId: string }[], counts: SyncCounts): Promise<void> {
  const now = run.now();
  const rows = await byIds(tx, LearningOpportunity, missing.map((entry) => entry.hubId));
  for (const entry of missing) {
    const current = rows.get(entry.hubId);
    const withdraw = current && !current.withdrawnAt;
    if (withdraw) {
      await tx.nativeUpdate(LearningOpportunity, { id: entry.hubId }, { withdrawnAt: now, withdrawalReason: `No longer in ${run.memberId}'s student information system (full sync of ${now.toISOString().slice(0, 10)}).` });
      counts.offerings.withdrawn += 1;
    }
    await tx.nativeUpdate(SyncRecord, { kind: 'offering', sourceId: entry.sourceId }, { missingSince: now, ...(withdraw ? { withdrawnBySync: true } : {}) });
  }
}
