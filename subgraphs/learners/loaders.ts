import { loaderByKey, loaderByParent } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { ConsentGrant, Learner, LearnerAccountLink, RegisteredVerifier } from './model.js';

/** Per-request loaders: one SQL query per batch of learners. */
export function createLearnersLoaders(em: SqlEntityManager) {
  return {
    learner: loaderByKey(em, Learner, 'id'),
    verifier: loaderByKey(em, RegisteredVerifier, 'id'),
    // Newest first: the order a learner's list of grants is shown in.
    grantsByLearner: loaderByParent(em, ConsentGrant, 'learner', { grantedAt: 'desc', id: 'asc' }, (row) => row.learner.id),
    linksByLearner: loaderByParent(em, LearnerAccountLink, 'learner', { memberId: 'asc', id: 'asc' }, (row) => row.learner.id),
  };
}

export type LearnersLoaders = ReturnType<typeof createLearnersLoaders>;
