import { globalId } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../../lib/orm.js';
import type { OeapiClient, OeapiListOptions, OeapiRejectedRecord } from '../oeapi/client.js';
import type { MappingWarning } from '../oeapi/mapping-common.js';
import type { AwardingMember } from '../offering-rules.js';
import type { SyncDefaults } from './config.js';
import type { HeldProblem, HeldRecord, SyncCounts, SyncMode, SyncResource } from './state.js';

/*
 * What a resource's reader gets from the engine: the run's settings, the
 * client, and `commit`, which writes one page of records together with its
 * checkpoint, the run's progress and the lock's renewal in one transaction.
 */

export interface RunContext {
  runId: string;
  memberId: string;
  mode: SyncMode;
  /** The modification time incremental listings ask for records after (null in a full run). */
  watermark: Date | null;
  client: OeapiClient;
  defaults: SyncDefaults;
  member: AwardingMember;
  databaseKind: DatabaseKind;
  /** Outside transactions: reads that do not need the page's transaction. */
  em: SqlEntityManager;
  now(): Date;
  log: Logger;
  /** Records per written page where the engine batches (associations, courses fetched by id). */
  batchSize: number;
  /** Stops the run between pages (and aborts a request in flight). */
  signal: AbortSignal | undefined;
  /** The source's clock from a page's Date header: the first one is the run's start. */
  noteServerDate(date: string | undefined): void;
  /** A record the client left out (it breaks the spec): held back, reported, written with the next page. */
  rejected(kind: string, record: OeapiRejectedRecord, parentId?: string): void;
  /** Counts a mapped record's non-error warnings (written with the next page's counts). */
  warned(warnings: readonly MappingWarning[]): void;
  /**
   * Writes one page in one transaction: `write` fills `counts` and returns the
   * progress line and the records it held back; those, the checkpoint row, the
   * run's counts and the lock renewal go into the same transaction, so a
   * crash leaves either all of the page or none of it.
   */
  commit(resource: SyncResource, write: (tx: SqlEntityManager, counts: SyncCounts) => Promise<PageOutcome>, options?: { done?: boolean }): Promise<void>;
  /** Throws when the caller asked the run to stop. */
  checkStop(): void;
}

/** What a page's write reports back. */
export interface PageOutcome {
  line: string;
  held?: readonly HeldRecord[];
}

/** List options for a reader: the watermark (unless `everything`), the signal, rejected records reported as `kind`. */
export function listOptions(run: RunContext, kind: string, options: { everything?: boolean; parentId?: string; query?: Record<string, string> } = {}): OeapiListOptions {
  return {
    ...(run.watermark && !options.everything ? { modifiedSince: run.watermark } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    ...(options.query ? { query: options.query } : {}),
    onRejected: (record) => run.rejected(kind, record, options.parentId),
  };
}

/** The problems of a record the validator refused, one per field ("/items/3/name" → "name"). */
export function rejectedRecord(memberId: string, kind: string, record: OeapiRejectedRecord, parentId?: string): HeldRecord {
  const problems: HeldProblem[] = record.problems.map((problem) => ({ field: problem.field.replace(/^\/items\/\d+\/?/, '') || '(record)', reason: `${problem.message} (breaks the OEAPI spec)`, code: 'INVALID_RECORD' }));
  return {
    kind,
    // A record without an id is known only by where it was.
    sourceId: record.id ?? `${record.path} page ${record.pageNumber} item ${record.index}`,
    hubId: record.id && kind !== 'course' && kind !== 'outcome' ? globalId(memberId, record.id) : null,
    parentId: parentId ?? null,
    problems,
  };
}

/** Mapping warnings of severity "error" as held-back problems. */
export function mappingErrors(warnings: readonly MappingWarning[]): HeldProblem[] {
  return warnings.filter((warning) => warning.severity === 'error').map((warning) => ({ field: warning.field, reason: warning.message, code: warning.code }));
}

/** The error an iterator's first step would throw, or the collected items. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
