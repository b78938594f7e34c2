import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
import { learnersMigrations } from './migrations/index.js';
import { ErasureRequest, ErasureTask } from './erasure-model.js';
import { AccessEvent, AuditEvent, ConsentGrant, Learner, LearnerAccountLink, RegisteredVerifier } from './model.js';

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
  // The router asks "which grants of these learners go to member X"; a verifier "which grants go to me";
  // every access check "which grants of this learner are in force" (revoked_at null, expires_at ahead).
  indexes: [{ properties: ['learner', 'granteeMemberId'] }, { properties: ['verifierId'] }, { name: 'consent_grant_in_force_index', properties: ['learner', 'revokedAt', 'expiresAt'] }],
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

export const RegisteredVerifierSchema = new EntitySchema<RegisteredVerifier>({
  class: RegisteredVerifier,
  tableName: 'registered_verifier',
  properties: {
    id: { type: 'string', primary: true, length: 500 },
    name: { type: 'string', length: 200 },
    registeredAt: { type: 'datetime' },
    registeredBy: { type: 'string', length: 255 },
    withdrawnAt: { type: 'datetime', nullable: true },
    withdrawalReason: { type: 'string', length: 500, nullable: true },
  },
});

export const AccessEventSchema = new EntitySchema<AccessEvent>({
  class: AccessEvent,
  tableName: 'access_event',
  // A learner's log, newest first.
  indexes: [{ properties: ['learner', 'seq'] }],
  properties: {
    seq: { type: 'integer', primary: true, autoincrement: true },
    // The log is the learner's: erasing the learner erases it.
    learner: { kind: 'm:1', entity: () => Learner, ref: true, deleteRule: 'cascade' },
    at: { type: 'datetime' },
    accessorKind: { type: 'string', length: 16 },
    accessorId: { type: 'string', length: 500 },
    accessorName: { type: 'string', length: 200 },
    subject: { type: 'string', length: 255 },
    grantId: { type: 'string', length: 36 },
    purpose: { type: 'string', length: 32 },
    scopeList: { type: 'string', length: 64 },
    sourceMemberList: { type: 'text', nullable: true },
  },
});

export const AuditEventSchema = new EntitySchema<AuditEvent>({
  class: AuditEvent,
  tableName: 'audit_event',
  indexes: [{ properties: ['learnerId'] }],
  properties: {
    seq: { type: 'integer', primary: true, autoincrement: true },
    at: { type: 'datetime' },
    subject: { type: 'string', length: 255 },
    roles: { type: 'string', length: 200 },
    memberId: { type: 'string', length: 253, nullable: true },
    verifierId: { type: 'string', length: 500, nullable: true },
    // Plain column, no foreign key: the trail outlives an erased learner (anonymised, see erasure.ts).
    learnerId: { type: 'string', length: 64, nullable: true },
    action: { type: 'string', length: 64 },
    target: { type: 'string', length: 500 },
    before: { type: 'text', nullable: true },
    after: { type: 'text', nullable: true },
  },
});

export const ErasureRequestSchema = new EntitySchema<ErasureRequest>({
  class: ErasureRequest,
  tableName: 'erasure_request',
  // A learner's receipt is found by the hash of their id; a replayed Idempotency-Key by the caller's scope.
  indexes: [{ properties: ['learnerHash'] }],
  uniques: [{ properties: ['callerScope', 'idempotencyKey'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    learnerHash: { type: 'string', length: 64 },
    requestedAt: { type: 'datetime' },
    revokeCredentials: { type: 'boolean' },
    registerCounts: { type: 'text' },
    completedAt: { type: 'datetime', nullable: true },
    callerScope: { type: 'string', length: 64, nullable: true },
    idempotencyKey: { type: 'string', length: 255, nullable: true },
  },
});

export const ErasureTaskSchema = new EntitySchema<ErasureTask>({
  class: ErasureTask,
  tableName: 'erasure_task',
  // The outbox worker asks "which pending tasks are due".
  indexes: [{ properties: ['status', 'nextAttemptAt'] }, { properties: ['erasureId'] }],
  uniques: [{ properties: ['erasureId', 'target'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    erasureId: { type: 'string', length: 36 },
    target: { type: 'string', length: 270 },
    audience: { type: 'string', length: 253 },
    learnerId: { type: 'string', length: 64, nullable: true },
    revokeCredentials: { type: 'boolean' },
    status: { type: 'string', length: 16 },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'datetime' },
    lastAttemptAt: { type: 'datetime', nullable: true },
    lastError: { type: 'string', length: 500, nullable: true },
    counts: { type: 'text', nullable: true },
    doneAt: { type: 'datetime', nullable: true },
  },
});

export const learnersEntities = [
  LearnerSchema,
  LearnerAccountLinkSchema,
  ConsentGrantSchema,
  RegisteredVerifierSchema,
  AccessEventSchema,
  AuditEventSchema,
  ErasureRequestSchema,
  ErasureTaskSchema,
];

export function openLearnersDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: learnersEntities, migrations: learnersMigrations, ...options });
}
