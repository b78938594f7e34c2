import DataLoader from 'dataloader';
import { loaderByKey, loaderByParent, MAX_BATCH } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { ConsentGrant, Learner, LearnerAccountLink, RegisteredVerifier } from './model.js';

/** Per-request loaders: one SQL query per batch of learners. */
export function createLearnersLoaders(em: SqlEntityManager) {
  return {
    learner: loaderByKey(em, Learner, 'id'),
    verifier: loaderByKey(em, RegisteredVerifier, 'id'),
    // Newest first: the order a learner's list of grants is shown in.
    grantsByLearner: loaderByParent(em, ConsentGrant, 'learner', { grantedAt: 'desc', id: 'asc' }, (row) => row.learner.id),
    /**
     * The grants in force now (not revoked, not expired), newest first: what every access check reads. By
     * the (learner, revoked_at, expires_at) index, so a learner's history of revoked and expired grants (a
     * grant/revoke loop grows it without bound) costs the checks nothing.
     */
    activeGrantsByLearner: new DataLoader<string, ConsentGrant[]>(
      async (learnerIds) => {
        const rows = await em.find(
          ConsentGrant,
          { learner: { $in: [...learnerIds] }, revokedAt: null, expiresAt: { $gt: new Date() } },
          { orderBy: { grantedAt: 'desc', id: 'asc' } },
        );
        const byLearner = new Map<string, ConsentGrant[]>();
        for (const row of rows) byLearner.set(row.learner.id, [...(byLearner.get(row.learner.id) ?? []), row]);
        return learnerIds.map((id) => byLearner.get(id) ?? []);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    linksByLearner: loaderByParent(em, LearnerAccountLink, 'learner', { memberId: 'asc', id: 'asc' }, (row) => row.learner.id),
  };
}

export type LearnersLoaders = ReturnType<typeof createLearnersLoaders>;
