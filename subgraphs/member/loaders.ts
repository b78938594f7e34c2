import DataLoader from 'dataloader';
import { EnrolmentStatus } from './enums.js';
import { UNCACHED_UPTAKE, uptakeLoader, type UptakeCache } from './uptake.js';
import { READ_IN_PROCESS, type HeavyReads } from '../../lib/sqlite-reads.js';
import { loaderByKey, loaderByParent, MAX_BATCH } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import {
  AcquiredSkill,
  Achievement,
  Enrolment,
  Institution,
  LearnerAccount,
  LearningOpportunity,
  LearningOutcome,
} from './model.js';

/**
 * Per-request loaders: every list of N entities costs one SQL query per batch,
 * never N queries (the gateway sends all representations of a type at once).
 */
export function createMemberLoaders(em: SqlEntityManager, memberId: string, reads: HeavyReads = READ_IN_PROCESS, uptakeCache: UptakeCache = UNCACHED_UPTAKE) {
  return {
    institution: new DataLoader<string, Institution | null>(async (ids) => {
      const row = await em.findOne(Institution, { id: memberId });
      return ids.map((id) => (id === memberId ? row : null));
    }),
    opportunity: loaderByKey(em, LearningOpportunity, 'id'),
    account: loaderByKey(em, LearnerAccount, 'id'),
    enrolment: loaderByKey(em, Enrolment, 'id'),
    achievement: loaderByKey(em, Achievement, 'id'),
    outcomesByOpportunity: loaderByParent(em, LearningOutcome, 'opportunity', { opportunity: 'asc', position: 'asc' }, (row) => row.opportunity.id),
    enrolmentsByAccount: loaderByParent(em, Enrolment, 'account', { enrolledAt: 'asc', id: 'asc' }, (row) => row.account.id),
    achievementsByAccount: loaderByParent(em, Achievement, 'account', { assessedOn: 'asc', id: 'asc' }, (row) => row.account.id),
    achievementByEnrolment: new DataLoader<string, Achievement | null>(
      async (enrolmentIds) => {
        const rows = await em.find(Achievement, { enrolment: { $in: [...enrolmentIds] } });
        const found = new Map(rows.map((row) => [row.enrolment?.id, row]));
        return enrolmentIds.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    /** Places taken (ENROLLED) per offering id, one grouped query per batch. */
    placesTaken: new DataLoader<string, number>(
      async (ids) => {
        const rows = (await em
          .getKnex()('enrolment')
          .select('opportunity_id')
          .count({ taken: '*' })
          .whereIn('opportunity_id', [...ids])
          .andWhere('status', EnrolmentStatus.ENROLLED)
          .groupBy('opportunity_id')) as { opportunity_id: string; taken: number | string }[];
        const taken = new Map(rows.map((row) => [row.opportunity_id, Number(row.taken)]));
        return ids.map((id) => taken.get(id) ?? 0);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    /** Uptake counts per offering id ('*': the whole catalogue). */
    uptake: uptakeLoader(em, reads, uptakeCache),
    skillsByAchievement: loaderByParent(em, AcquiredSkill, 'achievement', { achievement: 'asc', id: 'asc' }, (row) => row.achievement.id),
  };
}

export type MemberLoaders = ReturnType<typeof createMemberLoaders>;
