import type { ErasureCounts } from '../../lib/erasure.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { MotivationScan, PassportCredential, PassportIdempotency } from './records.js';

/*
 * Erasure of a learner in the passport service (docs/security.md, "Erasure"):
 * the external credentials they added, their motivation scan and the idempotency keys they used are
 * deleted; the audit rows stay, naming the learner id only (the record that the
 * writes happened, as in the other services). Erasing again answers zeros.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string): Promise<ErasureCounts> {
  return em.transactional(async (tx) => {
    const externalCredentials = await tx.nativeDelete(PassportCredential, { learnerId });
    const idempotencyKeys = await tx.nativeDelete(PassportIdempotency, { subject: learnerId });
    const motivationScans = await tx.nativeDelete(MotivationScan, { learnerId });
    return { externalCredentials, motivationScans, idempotencyKeys };
  });
}
