import type { EntityClass } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../../lib/orm.js';
import { SyncHeld, SyncRecord } from '../model.js';
import type { HeldRecord } from './state.js';

/*
 * Database helpers every resource's writes share: batched inserts, the
 * columns that changed, and the sync's own tables (what it has seen, what
 * it holds back). All of them run inside the page's transaction.
 */

/** Rows per INSERT: well under both dialects' bound-parameter limits for the widest table. */
const INSERT_CHUNK = 100;
/** Ids per IN (…) list. */
export const IN_CHUNK = 500;

export async function insertRows<T extends object>(tx: SqlEntityManager, entity: EntityClass<T>, rows: readonly object[]): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) await tx.insertMany(entity, rows.slice(start, start + INSERT_CHUNK) as never);
}

function same(a: unknown, b: unknown): boolean {
  const left = a === undefined ? null : a;
  const right = b === undefined ? null : b;
  if (left instanceof Date || right instanceof Date) return left instanceof Date && right instanceof Date && left.getTime() === right.getTime();
  return left === right;
}

/** The entries of `next` whose values differ from `current` (null and undefined alike; dates by time). */
export function changedColumns(current: object, next: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) if (!same((current as Record<string, unknown>)[key], value)) changed[key] = value;
  return changed;
}

/** Entities by id (at most a page's worth, in chunks), without the identity map. */
export async function byIds<T extends { id: string }>(tx: SqlEntityManager, entity: EntityClass<T>, ids: readonly string[]): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += IN_CHUNK) {
    const rows = await tx.find(entity, { id: { $in: unique.slice(start, start + IN_CHUNK) } } as never, { disableIdentityMap: true });
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}

/** The sync_record rows of one kind for these source ids. */
export async function seenRecords(tx: SqlEntityManager, kind: string, sourceIds: readonly string[]): Promise<Map<string, SyncRecord>> {
  const found = new Map<string, SyncRecord>();
  const unique = [...new Set(sourceIds)];
  for (let start = 0; start < unique.length; start += IN_CHUNK) {
    const rows = await tx.find(SyncRecord, { kind, sourceId: { $in: unique.slice(start, start + IN_CHUNK) } }, { disableIdentityMap: true });
    for (const row of rows) found.set(row.sourceId, row);
  }
  return found;
}

export interface SeenEntry {
  sourceId: string;
  hubId: string | null;
  parentId?: string | null;
  facts?: string | null;
  withdrawnBySync?: boolean;
  associationsComplete?: boolean;
}

/**
 * Records that these source records were seen by `runId` (inserted, or
 * brought up to date). A full sweep compares `lastSeenRun` afterwards to
 * find what the source no longer has.
 */
export async function markSeen(tx: SqlEntityManager, kind: string, entries: readonly SeenEntry[], runId: string, now: Date): Promise<void> {
  if (entries.length === 0) return;
  const existing = await seenRecords(tx, kind, entries.map((entry) => entry.sourceId));
  const inserts: object[] = [];
  const plain: string[] = [];
  for (const entry of entries) {
    const current = existing.get(entry.sourceId);
    if (!current) {
      inserts.push({ kind, sourceId: entry.sourceId, hubId: entry.hubId, parentId: entry.parentId ?? null, facts: entry.facts ?? null, lastSeenRun: runId, seenAt: now, missingSince: null, withdrawnBySync: entry.withdrawnBySync ?? false, associationsComplete: entry.associationsComplete ?? false });
      continue;
    }
    const next: Record<string, unknown> = { hubId: entry.hubId };
    if (entry.parentId !== undefined) next['parentId'] = entry.parentId;
    if (entry.facts !== undefined) next['facts'] = entry.facts;
    if (entry.withdrawnBySync !== undefined) next['withdrawnBySync'] = entry.withdrawnBySync;
    if (entry.associationsComplete !== undefined) next['associationsComplete'] = entry.associationsComplete;
    const changed = changedColumns(current, next);
    if (Object.keys(changed).length > 0) await tx.nativeUpdate(SyncRecord, { id: current.id }, { ...changed, lastSeenRun: runId, seenAt: now, missingSince: null });
    else plain.push(entry.sourceId);
  }
  await insertRows(tx, SyncRecord, inserts);
  // The common case (nothing but "seen again") is one statement per chunk.
  for (let start = 0; start < plain.length; start += IN_CHUNK) {
    await tx.nativeUpdate(SyncRecord, { kind, sourceId: { $in: plain.slice(start, start + IN_CHUNK) } }, { lastSeenRun: runId, seenAt: now, missingSince: null });
  }
}

/** Stores held-back records (one row per source record, its problems replaced). */
export async function hold(tx: SqlEntityManager, records: readonly HeldRecord[], runId: string, now: Date): Promise<void> {
  if (records.length === 0) return;
  const byKind = new Map<string, HeldRecord[]>();
  // The last word about a record wins when a page names it twice.
  for (const record of records) byKind.set(record.kind, [...(byKind.get(record.kind) ?? []).filter((other) => other.sourceId !== record.sourceId), record]);
  for (const [kind, list] of byKind) {
    const existing = new Map<string, SyncHeld>();
    const ids = list.map((record) => record.sourceId);
    for (let start = 0; start < ids.length; start += IN_CHUNK) {
      for (const row of await tx.find(SyncHeld, { kind, sourceId: { $in: ids.slice(start, start + IN_CHUNK) } }, { disableIdentityMap: true })) existing.set(row.sourceId, row);
    }
    const inserts: object[] = [];
    for (const record of list) {
      const columns = { parentId: record.parentId, hubId: record.hubId, problems: JSON.stringify(record.problems), runId, lastHeldAt: now };
      const current = existing.get(record.sourceId);
      if (current) await tx.nativeUpdate(SyncHeld, { id: current.id }, columns);
      else inserts.push({ kind, sourceId: record.sourceId, firstHeldAt: now, ...columns });
    }
    await insertRows(tx, SyncHeld, inserts);
  }
}

/** Forgets held rows of records that have now been written. */
export async function release(tx: SqlEntityManager, kind: string, sourceIds: readonly string[]): Promise<void> {
  for (let start = 0; start < sourceIds.length; start += IN_CHUNK) await tx.nativeDelete(SyncHeld, { kind, sourceId: { $in: sourceIds.slice(start, start + IN_CHUNK) } });
}

/** Held rows as the report shows them. */
export async function heldRecords(em: SqlEntityManager): Promise<(HeldRecord & { runId: string; firstHeldAt: Date })[]> {
  const rows = await em.fork().find(SyncHeld, {}, { orderBy: { kind: 'asc', sourceId: 'asc' } });
  return rows.map((row) => ({ kind: row.kind, sourceId: row.sourceId, hubId: row.hubId ?? null, parentId: row.parentId ?? null, problems: JSON.parse(row.problems) as HeldRecord['problems'], runId: row.runId, firstHeldAt: row.firstHeldAt }));
}
