import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget } from '../../lib/orm.js';
import { passportMigrations } from './migrations/index.js';
import { MotivationScan, PassportAudit, PassportCredential, PassportIdempotency } from './records.js';

export const PassportCredentialSchema = new EntitySchema<PassportCredential>({
  class: PassportCredential,
  tableName: 'passport_credential',
  uniques: [{ properties: ['learnerId', 'digest'] }],
  indexes: [{ properties: ['learnerId', 'addedAt'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    learnerId: { type: 'string', length: 64 },
    format: { type: 'string', length: 16 },
    document: { type: 'text' },
    digest: { type: 'string', length: 64 },
    credentialId: { type: 'string', length: 500, nullable: true },
    issuerId: { type: 'string', length: 500, nullable: true },
    title: { type: 'string', length: 500 },
    awardingBody: { type: 'string', length: 500 },
    ects: { type: 'double' },
    eqfLevel: { type: 'integer', nullable: true },
    gainedOn: { type: 'string', length: 10 },
    skillList: { type: 'text' },
    addedAt: { type: 'datetime' },
  },
});

export const PassportAuditSchema = new EntitySchema<PassportAudit>({
  class: PassportAudit,
  tableName: 'passport_audit',
  indexes: [{ properties: ['entityType', 'entityId'] }, { properties: ['actorLearnerId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    at: { type: 'datetime' },
    actorSubject: { type: 'string', length: 255 },
    actorRoles: { type: 'string', length: 255 },
    actorMemberId: { type: 'string', length: 253, nullable: true },
    actorLearnerId: { type: 'string', length: 64, nullable: true },
    action: { type: 'string', length: 64 },
    entityType: { type: 'string', length: 64 },
    entityId: { type: 'string', length: 255 },
    before: { type: 'text', nullable: true },
    after: { type: 'text', nullable: true },
  },
});

export const PassportIdempotencySchema = new EntitySchema<PassportIdempotency>({
  class: PassportIdempotency,
  tableName: 'passport_idempotency',
  uniques: [{ properties: ['caller', 'key'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    caller: { type: 'string', length: 64 },
    subject: { type: 'string', length: 255 },
    key: { type: 'string', length: 255 },
    operation: { type: 'string', length: 64 },
    fingerprint: { type: 'string', length: 64 },
    resultId: { type: 'string', length: 255 },
    createdAt: { type: 'datetime' },
  },
});

export const MotivationScanSchema = new EntitySchema<MotivationScan>({
  class: MotivationScan,
  tableName: 'motivation_scan',
  properties: {
    learnerId: { type: 'string', primary: true, length: 64 },
    questionnaireVersion: { type: 'integer' },
    answers: { type: 'text' },
    revision: { type: 'integer' },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});

export const passportEntities = [PassportCredentialSchema, PassportAuditSchema, PassportIdempotencySchema, MotivationScanSchema];

export function openPassportDatabase(target: DatabaseTarget, options: { migrate?: boolean; debug?: boolean } = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: passportEntities, migrations: passportMigrations, ...options });
}
