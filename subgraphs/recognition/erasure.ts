import type { ErasureCounts } from '../../lib/erasure.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { ActorRole } from './enums.js';
import { PathwayFollow, RecognitionAudit, RecognitionEvent, RecognitionEvidence, RecognitionIdempotency, RecognitionRequest } from './records.js';

/** What an erased learner's requests name instead of their id. */
export const ERASED_LEARNER = 'erased';

/*
 * Erasure of a learner in the recognition service (docs/security.md,
 * "Erasure"). A member's decision on a recognition request is the member's
 * record (credit it granted, in its own books), so the requests stay, but
 * nothing of the person does: the learner id is replaced, the evidence keeps
 * what the decision stood on (kind, title, ECTS, level, issuer) and loses
 * what points at the learner or is theirs (achievement and credential ids,
 * the credential document, grades, portfolio reflections and links), and the
 * learner's own steps in the history lose their words and their subject. The
 * pathways they followed and their idempotency keys are deleted; audit rows
 * keep what was done, not who. Erasing again answers zeros.
 */
export async function eraseLearner(em: SqlEntityManager, learnerId: string): Promise<ErasureCounts> {
  return em.transactional(async (tx) => {
    const requestIds = (await tx.find(RecognitionRequest, { learnerId }, { fields: ['id'] })).map((request) => request.id);
    let evidence = 0;
    let learnerSteps = 0;
    if (requestIds.length > 0) {
      evidence = await tx.nativeUpdate(
        RecognitionEvidence,
        { requestId: { $in: requestIds } },
        { reference: null, achievementId: null, document: null, reflection: null, linkList: null, verification: null, grade: null },
      );
      learnerSteps = await tx.nativeUpdate(RecognitionEvent, { requestId: { $in: requestIds }, actorRole: ActorRole.LEARNER }, { actorSubject: 'erased learner', message: null });
    }
    const requests = await tx.nativeUpdate(RecognitionRequest, { learnerId }, { learnerId: ERASED_LEARNER });
    const follows = await tx.nativeDelete(PathwayFollow, { learnerId });
    const idempotencyKeys = await tx.nativeDelete(RecognitionIdempotency, { subject: learnerId });
    const auditAnonymised = await tx.nativeUpdate(RecognitionAudit, { actorLearnerId: learnerId }, { actorLearnerId: null, actorSubject: 'erased learner', before: null, after: null });
    return { requests, evidence, learnerSteps, follows, idempotencyKeys, auditAnonymised };
  });
}
