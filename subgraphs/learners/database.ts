import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget } from '../../lib/orm.js';
import { learnersMigrations } from './migrations/index.js';
import { ConsentGrant, Learner, LearnerAccountLink } from './model.js';

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

export const ConsentGrantSchema = new EntitySchema<ConsentGrant>({
  class: ConsentGrant,
  tableName: 'consent_grant',
  // The router asks "which grants of these learners go to member X": learner first, then grantee.
  indexes: [{ properties: ['learner', 'granteeMemberId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    learner: { kind: 'm:1', entity: () => Learner, ref: true, deleteRule: 'cascade' },
    granteeKind: { type: 'string', length: 16 },
    granteeMemberId: { type: 'string', length: 253, nullable: true },
    verifierName: { type: 'string', length: 200, nullable: true },
    verifierId: { type: 'string', length: 500, nullable: true },
    purpose: { type: 'string', length: 32 },
    purposeDescription: { type: 'string', length: 500, nullable: true },
    scopeList: { type: 'string', length: 64 },
    sourceMemberList: { type: 'text', nullable: true },
    grantedAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    revokedAt: { type: 'datetime', nullable: true },
    revocationReason: { type: 'string', length: 500, nullable: true },
  },
});

export const learnersEntities = [LearnerSchema, LearnerAccountLinkSchema, ConsentGrantSchema];

export function openLearnersDatabase(target: DatabaseTarget, options: { migrate?: boolean; debug?: boolean } = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: learnersEntities, migrations: learnersMigrations, ...options });
}
