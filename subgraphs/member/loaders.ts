import type { EntityName } from '@mikro-orm/core';
import DataLoader from 'dataloader';
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

/** Largest IN-list per query; keeps every batch well under SQLite's bound-parameter limit. */
const MAX_BATCH = 500;

function byId<T extends { id: string }>(em: SqlEntityManager, entity: EntityName<T>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (ids) => {
      const rows = (await em.find(entity, { id: { $in: [...ids] } } as never)) as T[];
      const found = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => found.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

function groupedBy<T extends object>(
  em: SqlEntityManager,
  entity: EntityName<T>,
  foreignKey: string,
  orderBy: Record<string, 'asc' | 'desc'>,
  keyOf: (row: T) => string,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(
    async (keys) => {
      const rows = (await em.find(entity, { [foreignKey]: { $in: [...keys] } } as never, { orderBy } as never)) as T[];
      const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
      for (const row of rows) groups.get(keyOf(row))?.push(row);
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * Per-request loaders: every list of N entities costs one SQL query per batch,
 * never N queries (the gateway sends all representations of a type at once).
 */
export function createMemberLoaders(em: SqlEntityManager, memberId: string) {
  return {
    institution: new DataLoader<string, Institution | null>(async (ids) => {
      const row = await em.findOne(Institution, { id: memberId });
      return ids.map((id) => (id === memberId ? row : null));
    }),
    opportunity: byId(em, LearningOpportunity),
    account: byId(em, LearnerAccount),
    enrolment: byId(em, Enrolment),
    achievement: byId(em, Achievement),
    outcomesByOpportunity: groupedBy(em, LearningOutcome, 'opportunity', { opportunity: 'asc', position: 'asc' }, (row) => row.opportunity.id),
    enrolmentsByAccount: groupedBy(em, Enrolment, 'account', { enrolledAt: 'asc', id: 'asc' }, (row) => row.account.id),
    achievementsByAccount: groupedBy(em, Achievement, 'account', { assessedOn: 'asc', id: 'asc' }, (row) => row.account.id),
    achievementByEnrolment: new DataLoader<string, Achievement | null>(
      async (enrolmentIds) => {
        const rows = await em.find(Achievement, { enrolment: { $in: [...enrolmentIds] } });
        const found = new Map(rows.map((row) => [row.enrolment?.id, row]));
        return enrolmentIds.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: MAX_BATCH },
    ),
    skillsByAchievement: groupedBy(em, AcquiredSkill, 'achievement', { achievement: 'asc', id: 'asc' }, (row) => row.achievement.id),
  };
}

export type MemberLoaders = ReturnType<typeof createMemberLoaders>;
