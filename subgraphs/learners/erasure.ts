import { createHash } from 'node:crypto';
import type { ErasureCounts } from '../../lib/erasure.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { AccessEvent, AuditEvent, ConsentGrant, Learner, LearnerAccountLink } from './model.js';

/** How a receipt names its learner: the learner id itself is not kept. */
export function learnerHash(learnerId: string): string {
  return createHash('sha256').update(`eciu-learner:${learnerId}`).digest('hex');
}

/** What the audit trail says instead of an erased learner's id. */
export const ERASED_SUBJECT = 'erased learner';

/*
 * Erasure in the learner register (docs/security.md, "Erasure"): the
 * register entry, its links to member accounts, the learner's grants (every
 * one, revoked and expired too) and access log are deleted. The audit trail
 * stays, as the record that these writes happened, but anonymised: the
 * learner's id and subject and the before/after of their rows are removed.
 * Run inside the transaction that also writes the erasure's tasks.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string): Promise<ErasureCounts> {
  const grants = await em.nativeDelete(ConsentGrant, { learner: learnerId });
  const accessLog = await em.nativeDelete(AccessEvent, { learner: learnerId });
  const accountLinks = await em.nativeDelete(LearnerAccountLink, { learner: learnerId });
  const register = await em.nativeDelete(Learner, { id: learnerId });
  // The learner's own writes lose their author; writes by others about the learner keep theirs (accountability).
  await em.nativeUpdate(AuditEvent, { $or: [{ subject: learnerId }, { learnerId, roles: 'learner' }] }, { subject: ERASED_SUBJECT });
  const auditAnonymised = await em.nativeUpdate(AuditEvent, { learnerId }, { learnerId: null, before: null, after: null });
  return { register, accountLinks, grants, accessLog, auditAnonymised };
}
