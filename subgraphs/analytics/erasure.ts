import type { ErasureCounts } from '../../lib/erasure.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { AnalyticsAudit, OfferingFeedback } from './records.js';

/*
 * Erasure of a learner in the analytics service (docs/security.md,
 * "Erasure"): their feedback is anonymised - the ratings stay in the
 * aggregates, without the learner id, the enrolment or the comment (a comment
 * can name its writer) - and the audit rows keep what was done, not who.
 * Erasing again answers zeros.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string): Promise<ErasureCounts> {
  return em.transactional(async (tx) => {
    const feedbackAnonymised = await tx.nativeUpdate(OfferingFeedback, { learnerId }, { learnerId: null, enrolmentId: 'erased', comment: null });
    const auditAnonymised = await tx.nativeUpdate(AnalyticsAudit, { actorLearnerId: learnerId }, { actorLearnerId: null, actorSubject: 'erased learner', before: null, after: null });
    return { feedbackAnonymised, auditAnonymised };
  });
}
