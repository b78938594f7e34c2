import { auditedWrites } from '../../lib/audited-writes.js';
import type { SignedIn } from '../../lib/access.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { IdempotentWrite } from '../../lib/audited-writes.js';
import { RecognitionAudit, RecognitionIdempotency } from './records.js';

/*
 * Every write of the recognition service leaves an audit row and runs under
 * an idempotency key when the client sent one (lib/audited-writes.ts), in the
 * recognition database's recognition_audit and recognition_idempotency tables.
 */

export type { IdempotentWrite };

const writes = () => auditedWrites(RecognitionAudit, RecognitionIdempotency);

/** Adds the audit row of a write to the transaction `tx`. */
export function audit(tx: SqlEntityManager, caller: SignedIn, action: string, entity: { type: string; id: string }, before: unknown, after: unknown, at: Date): void {
  writes().audit(tx, caller, action, entity, before, after, at);
}

/** Runs a write once per (caller, key); returns its answer and whether it was a replay. */
export function idempotentWrite<T, P>(em: SqlEntityManager, caller: SignedIn, write: IdempotentWrite<T, P>, now: Date): Promise<{ value: T; replayed: boolean }> {
  return writes().idempotentWrite(em, caller, write, now);
}
