import type { EntityName } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import type { SqlEntityManager } from './orm.js';

/** Largest IN-list per query; keeps every batch well under SQLite's bound-parameter limit. */
export const MAX_BATCH = 500;

/**
 * Loads entities by a unique key (`id`, `uri`…): one SQL query per batch,
 * answers in the order asked, null for keys not found.
 */
export function loaderByKey<T extends object, K extends keyof T & string>(em: SqlEntityManager, entity: EntityName<T>, key: K): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (keys) => {
      const rows = (await em.find(entity, { [key]: { $in: [...keys] } } as never)) as T[];
      const found = new Map(rows.map((row) => [String(row[key]), row]));
      return keys.map((value) => found.get(value) ?? null);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * Loads, for many parents at once, the rows that point at each parent
 * through `foreignKey`: one SQL query per batch, in `orderBy` order.
 */
export function loaderByParent<T extends object>(
  em: SqlEntityManager,
  entity: EntityName<T>,
  foreignKey: string,
  orderBy: Record<string, 'asc' | 'desc'>,
  parentOf: (row: T) => string,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(
    async (keys) => {
      const rows = (await em.find(entity, { [foreignKey]: { $in: [...keys] } } as never, { orderBy } as never)) as T[];
      const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
      for (const row of rows) groups.get(parentOf(row))?.push(row);
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}
