import DataLoader from 'dataloader';
import type { SqlEntityManager } from '../../lib/orm.js';
import { Learner, LearnerAccountLink } from './model.js';

const MAX_BATCH = 500;

/** Per-request loaders: one SQL query per batch of learners. */
export function createLearnersLoaders(em: SqlEntityManager) {
  return {
    learner: new DataLoader<string, Learner | null>(
      async (ids) => {
        const rows = await em.find(Learner, { id: { $in: [...ids] } });
        const found = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    linksByLearner: new DataLoader<string, LearnerAccountLink[]>(
      async (ids) => {
        const rows = await em.find(LearnerAccountLink, { learner: { $in: [...ids] } }, { orderBy: { memberId: 'asc', id: 'asc' } });
        const groups = new Map<string, LearnerAccountLink[]>(ids.map((id) => [id, []]));
        for (const row of rows) groups.get(row.learner.id)?.push(row);
        return ids.map((id) => groups.get(id) ?? []);
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type LearnersLoaders = ReturnType<typeof createLearnersLoaders>;
