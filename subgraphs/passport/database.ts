import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { auditEntitySchema } from '../../lib/audited-writes.js';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
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

export const PassportAuditSchema = auditEntitySchema(PassportAudit, 'passport_audit');

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

export function openPassportDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: passportEntities, migrations: passportMigrations, ...options });
}
