import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget } from '../../lib/orm.js';
import { learnersMigrations } from './migrations/index.js';
import { Learner, LearnerAccountLink } from './model.js';

export const LearnerSchema = new EntitySchema<Learner>({
  class: Learner,
  tableName: 'learner',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    createdAt: { type: 'datetime' },
  },
});

export const LearnerAccountLinkSchema = new EntitySchema<LearnerAccountLink>({
  class: LearnerAccountLink,
  tableName: 'learner_account_link',
  // An account belongs to one learner; a learner has at most one account per member.
  uniques: [{ properties: ['accountId'] }, { properties: ['learner', 'memberId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    learner: { kind: 'm:1', entity: () => Learner, ref: true, deleteRule: 'cascade' },
    memberId: { type: 'string', length: 253 },
    accountId: { type: 'string', length: 255 },
    linkedAt: { type: 'datetime' },
  },
});

export const learnersEntities = [LearnerSchema, LearnerAccountLinkSchema];

export function openLearnersDatabase(target: DatabaseTarget, options: { migrate?: boolean; debug?: boolean } = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: learnersEntities, migrations: learnersMigrations, ...options });
}
