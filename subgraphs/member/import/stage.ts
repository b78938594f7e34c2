import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../../lib/orm.js';
import { LearningOpportunity } from '../model.js';
import type { AwardingMember, FieldError } from '../offering-rules.js';
import type { Row } from './cells.js';
import type { ColumnSpec } from './source.js';

/*
 * What every import file has in common: a stage per file reads a row into a
 * record (formats, then the member's rules), names the keys that must be
 * unique within the file, and writes batches of records inside the file's
 * transaction after checking them against the database.
 */

/** The files an import folder may hold, in dependency order. */
export type ImportFileKind = 'offerings' | 'learning-outcomes' | 'learner-accounts' | 'enrolments' | 'results';

/** A row-level error: where (line, field) and why. */
export interface RowError {
  line: number;
  field: string | null;
  reason: string;
}

/** What the stages need to know of an offering already in the database. */
export interface OfferingFacts {
  title: string;
  ects: number;
  creditBearing: boolean;
  languages: string[];
}

export interface StageContext {
  memberId: string;
  /** The file's name, e.g. "results.csv" (corrections name it as their author). */
  file: string;
  member: AwardingMember;
  now: Date;
  /** `now` as YYYY-MM-DD (UTC). */
  today: string;
  /** The member's offerings by global id, as the database holds them when the file's stage starts. */
  offerings: Map<string, OfferingFacts>;
}

/** A key that must not repeat within a file: the field to blame and a description for the message. */
export interface UniqueKey {
  field: string;
  key: string;
  label: string;
}

export interface Parsed<R> {
  line: number;
  record: R;
}

export interface BatchOutcome {
  errors: RowError[];
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface Stage<R> {
  kind: ImportFileKind;
  /** The entity type the audit row names. */
  entityType: string;
  columns: readonly ColumnSpec[];
  /** Reads a row into a record; returns undefined when `row` has errors. */
  parse(row: Row, context: StageContext): R | undefined;
  /** Keys that must be unique within the file, the record's own id first. */
  uniqueKeys(record: R): UniqueKey[];
  /**
   * Checks a batch against the database and, when `write` is true and the
   * batch has no error, writes it. Counts only rows without errors.
   */
  flush(tx: SqlEntityManager, batch: readonly Parsed<R>[], context: StageContext, write: boolean): Promise<BatchOutcome>;
  /** After the last batch of a clean file: derived data to bring up to date, and warnings. */
  finish?(tx: SqlEntityManager, context: StageContext): Promise<string[]>;
}

/** Field errors of one row as row errors. */
export function atLine(line: number, errors: readonly FieldError[]): RowError[] {
  return errors.map((error) => ({ line, field: error.field, reason: error.reason }));
}

/** Rows per INSERT statement, kept under both dialects' bound-parameter limits. */
const MAX_PARAMS_PER_INSERT = 5_000;

/** Inserts rows (property names, references as ids) in statements of at most 5,000 parameters. */
export async function insertRows<T extends object>(tx: SqlEntityManager, entity: EntityClass<T>, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Math.max(1, Object.keys(rows[0] as object).length);
  const size = Math.max(1, Math.floor(MAX_PARAMS_PER_INSERT / perRow));
  for (let start = 0; start < rows.length; start += size) {
    await tx.insertMany(entity, rows.slice(start, start + size) as never);
  }
}

function same(a: unknown, b: unknown): boolean {
  const left = a === undefined ? null : a;
  const right = b === undefined ? null : b;
  if (left instanceof Date || right instanceof Date) {
    return left instanceof Date && right instanceof Date && left.getTime() === right.getTime();
  }
  return left === right;
}

/** The properties of `next` whose values differ from `current` (null and undefined are the same; dates compare by time). */
export function changes(current: object, next: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (!same((current as Record<string, unknown>)[key], value)) changed[key] = value;
  }
  return changed;
}

/**
 * Rows of `entity` matching `where`, read in the file's transaction as plain
 * objects by property name (references as ids, dates and booleans converted
 * as for entities) without building entities: the large files' batches read
 * this way, several times faster than `find`.
 */
export function selectRows<T extends object, R = Record<string, unknown>>(tx: SqlEntityManager, entity: EntityClass<T>, fields: readonly string[] | '*', where: FilterQuery<T>): Promise<R[]> {
  return tx
    .createQueryBuilder(entity)
    .select(fields === '*' ? '*' : ([...fields] as never))
    .where(where)
    .execute('all') as Promise<R[]>;
}

/** The id of a reference or a plain id. */
export function idOf(reference: { id: string } | string | null | undefined): string | null {
  if (reference === null || reference === undefined) return null;
  return typeof reference === 'string' ? reference : reference.id;
}

/** The local part of a global id of this member. */
export function localPart(memberId: string, id: string): string {
  return id.startsWith(`${memberId}:`) ? id.slice(memberId.length + 1) : id;
}

/** The member's offerings by global id (a member's catalogue is small: at most a few thousand rows). */
export async function loadOfferings(tx: SqlEntityManager): Promise<Map<string, OfferingFacts>> {
  const rows = await tx.find(LearningOpportunity, {}, { fields: ['id', 'title', 'ects', 'creditBearing', 'languageList'], disableIdentityMap: true });
  return new Map(rows.map((row) => [row.id, { title: row.title, ects: row.ects, creditBearing: row.creditBearing, languages: row.languageList ? row.languageList.split(',') : [] }]));
}
