import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
import { recognitionMigrations } from './migrations/index.js';
import { Pathway, PathwayFollow, RecognitionAudit, RecognitionEvent, RecognitionEvidence, RecognitionIdempotency, RecognitionRequest, RecognitionRule } from './records.js';

export const RecognitionRequestSchema = new EntitySchema<RecognitionRequest>({
  class: RecognitionRequest,
  tableName: 'recognition_request',
  // A learner's list, a member's queue by state, and the yearly sums of a rule.
  indexes: [{ properties: ['learnerId', 'submittedAt'] }, { properties: ['memberId', 'state', 'submittedAt'] }, { properties: ['ruleId', 'learnerId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    learnerId: { type: 'string', length: 64 },
    memberId: { type: 'string', length: 253 },
    targetKind: { type: 'string', length: 16 },
    offeringId: { type: 'string', length: 255, nullable: true },
    targetTitle: { type: 'string', length: 500 },
    targetEcts: { type: 'double' },
    targetEqfLevel: { type: 'integer', nullable: true },
    targetIscedF: { type: 'string', length: 8, nullable: true },
    ectsRequested: { type: 'double' },
    evidenceEcts: { type: 'double' },
    statement: { type: 'text', nullable: true },
    state: { type: 'string', length: 32 },
    appealed: { type: 'boolean' },
    submittedAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    decidedAt: { type: 'datetime', nullable: true },
    ectsRecognised: { type: 'double', nullable: true },
    countsAs: { type: 'string', length: 500, nullable: true },
    ruleId: { type: 'string', length: 36, nullable: true },
    consentedAt: { type: 'datetime' },
  },
});

export const RecognitionEvidenceSchema = new EntitySchema<RecognitionEvidence>({
  class: RecognitionEvidence,
  tableName: 'recognition_evidence',
  indexes: [{ properties: ['requestId', 'position'] }, { properties: ['reference'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    requestId: { type: 'string', length: 36 },
    position: { type: 'integer' },
    kind: { type: 'string', length: 32 },
    reference: { type: 'string', length: 500, nullable: true },
    achievementId: { type: 'string', length: 255, nullable: true },
    title: { type: 'string', length: 500 },
    issuerMemberId: { type: 'string', length: 253, nullable: true },
    issuerName: { type: 'string', length: 500 },
    issuerAuthority: { type: 'string', length: 32, nullable: true },
    ects: { type: 'double', nullable: true },
    eqfLevel: { type: 'integer', nullable: true },
    passed: { type: 'boolean', nullable: true },
    assessedOn: { type: 'string', length: 10, nullable: true },
    grade: { type: 'string', length: 64, nullable: true },
    gradingScheme: { type: 'string', length: 500, nullable: true },
    opportunityKind: { type: 'string', length: 32, nullable: true },
    microCredentialType: { type: 'string', length: 32, nullable: true },
    creditBearing: { type: 'boolean', nullable: true },
    externalAccreditation: { type: 'text', nullable: true },
    skillList: { type: 'text', nullable: true },
    verification: { type: 'text', nullable: true },
    document: { type: 'text', nullable: true },
    reflection: { type: 'text', nullable: true },
    linkList: { type: 'text', nullable: true },
    addedAt: { type: 'datetime' },
  },
});

export const RecognitionEventSchema = new EntitySchema<RecognitionEvent>({
  class: RecognitionEvent,
  tableName: 'recognition_event',
  indexes: [{ properties: ['requestId', 'id'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    requestId: { type: 'string', length: 36 },
    action: { type: 'string', length: 32 },
    fromState: { type: 'string', length: 32, nullable: true },
    toState: { type: 'string', length: 32 },
    at: { type: 'datetime' },
    actorSubject: { type: 'string', length: 255 },
    actorRole: { type: 'string', length: 32 },
    actorMemberId: { type: 'string', length: 253, nullable: true },
    message: { type: 'text', nullable: true },
    outcome: { type: 'string', length: 32, nullable: true },
    ectsRecognised: { type: 'double', nullable: true },
    convertedGrade: { type: 'string', length: 64, nullable: true },
    gradingScheme: { type: 'string', length: 200, nullable: true },
    countsAs: { type: 'string', length: 500, nullable: true },
    rejectionReason: { type: 'string', length: 64, nullable: true },
    ruleId: { type: 'string', length: 36, nullable: true },
    ruleVersion: { type: 'integer', nullable: true },
  },
});

export const RecognitionRuleSchema = new EntitySchema<RecognitionRule>({
  class: RecognitionRule,
  tableName: 'recognition_rule',
  indexes: [{ properties: ['memberId', 'active'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    memberId: { type: 'string', length: 253 },
    name: { type: 'string', length: 200 },
    description: { type: 'text', nullable: true },
    active: { type: 'boolean' },
    version: { type: 'integer' },
    scope: { type: 'string', length: 16 },
    offeringList: { type: 'text', nullable: true },
    authorityList: { type: 'string', length: 200, nullable: true },
    issuerList: { type: 'text', nullable: true },
    eqfMin: { type: 'integer', nullable: true },
    requirePassed: { type: 'boolean' },
    kindList: { type: 'string', length: 100, nullable: true },
    typeList: { type: 'string', length: 100, nullable: true },
    ectsCapPerYear: { type: 'double', nullable: true },
    fixedEcts: { type: 'double', nullable: true },
    countsAs: { type: 'string', length: 500 },
    createdAt: { type: 'datetime' },
    createdBy: { type: 'string', length: 255 },
    updatedAt: { type: 'datetime' },
    updatedBy: { type: 'string', length: 255 },
  },
});

export const RecognitionAuditSchema = new EntitySchema<RecognitionAudit>({
  class: RecognitionAudit,
  tableName: 'recognition_audit',
  indexes: [{ properties: ['entityType', 'entityId'] }, { properties: ['actorLearnerId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    at: { type: 'datetime' },
    actorSubject: { type: 'string', length: 255 },
    actorRoles: { type: 'string', length: 200 },
    actorMemberId: { type: 'string', length: 253, nullable: true },
    actorLearnerId: { type: 'string', length: 64, nullable: true },
    action: { type: 'string', length: 64 },
    entityType: { type: 'string', length: 32 },
    entityId: { type: 'string', length: 255 },
    before: { type: 'text', nullable: true },
    after: { type: 'text', nullable: true },
  },
});

export const RecognitionIdempotencySchema = new EntitySchema<RecognitionIdempotency>({
  class: RecognitionIdempotency,
  tableName: 'recognition_idempotency',
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

export const PathwaySchema = new EntitySchema<Pathway>({
  class: Pathway,
  tableName: 'pathway',
  indexes: [{ properties: ['ownerMemberId', 'active'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    ownerMemberId: { type: 'string', length: 253, nullable: true },
    name: { type: 'string', length: 200 },
    description: { type: 'text', nullable: true },
    active: { type: 'boolean' },
    version: { type: 'integer' },
    ectsMin: { type: 'double' },
    ectsMax: { type: 'double', nullable: true },
    eqfLevel: { type: 'integer', nullable: true },
    minMembers: { type: 'integer' },
    sdgList: { type: 'string', length: 100, nullable: true },
    memberList: { type: 'text', nullable: true },
    kindList: { type: 'string', length: 100, nullable: true },
    validFrom: { type: 'string', length: 10, nullable: true },
    validUntil: { type: 'string', length: 10, nullable: true },
    requirements: { type: 'text' },
    createdAt: { type: 'datetime' },
    createdBy: { type: 'string', length: 255 },
    updatedAt: { type: 'datetime' },
    updatedBy: { type: 'string', length: 255 },
  },
});

export const PathwayFollowSchema = new EntitySchema<PathwayFollow>({
  class: PathwayFollow,
  tableName: 'pathway_follow',
  uniques: [{ properties: ['learnerId', 'pathwayId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    learnerId: { type: 'string', length: 64 },
    pathwayId: { type: 'string', length: 36 },
    followedAt: { type: 'datetime' },
  },
});

export const recognitionEntities = [
  RecognitionRequestSchema,
  RecognitionEvidenceSchema,
  RecognitionEventSchema,
  RecognitionRuleSchema,
  RecognitionAuditSchema,
  RecognitionIdempotencySchema,
  PathwaySchema,
  PathwayFollowSchema,
];

export function openRecognitionDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: recognitionEntities, migrations: recognitionMigrations, ...options });
}
