import { loaderByKey, loaderByParent } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { RecognitionEvent, RecognitionEvidence, RecognitionRequest, RecognitionRule } from './records.js';

/** Per-request loaders: one SQL query per batch of requests or rules. */
export function createRecognitionLoaders(em: SqlEntityManager) {
  return {
    request: loaderByKey(em, RecognitionRequest, 'id'),
    rule: loaderByKey(em, RecognitionRule, 'id'),
    // Newest first: the order a learner's list is shown in.
    requestsByLearner: loaderByParent(em, RecognitionRequest, 'learnerId', { submittedAt: 'desc', id: 'asc' }, (row) => row.learnerId),
    evidenceByRequest: loaderByParent(em, RecognitionEvidence, 'requestId', { position: 'asc' }, (row) => row.requestId),
    // Oldest first: history reads as it happened.
    eventsByRequest: loaderByParent(em, RecognitionEvent, 'requestId', { id: 'asc' }, (row) => row.requestId),
  };
}

export type RecognitionLoaders = ReturnType<typeof createRecognitionLoaders>;
