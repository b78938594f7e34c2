import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { auditEntitySchema } from '../../lib/audited-writes.js';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
import { memberMigrations } from './migrations/index.js';
import {
  AcquiredSkill,
  Achievement,
  AchievementCorrection,
  Enrolment,
  Institution,
  LearnerAccount,
  LearningOpportunity,
  LearningOutcome,
  MemberAudit,
  SyncCheckpoint,
  SyncHeld,
  SyncLock,
  SyncRecord,
  SyncRun,
} from './model.js';

/*
 * ORM mapping of the member model. Every property states its type: nothing
 * relies on emitted decorator metadata (esbuild does not emit it).
 * Dates are ISO strings (YYYY-MM-DD) so they compare and sort the same way in
 * SQLite and PostgreSQL; timestamps are real datetime columns.
 */

export const InstitutionSchema = new EntitySchema<Institution>({
  class: Institution,
  tableName: 'institution',
  properties: {
    id: { type: 'string', primary: true, length: 253 },
    name: { type: 'string', length: 255 },
    shortName: { type: 'string', length: 64, nullable: true },
    country: { type: 'string', length: 2 },
    associate: { type: 'boolean', default: false },
    accreditationAuthority: { type: 'string', length: 32 },
    qaBody: { type: 'string', length: 255 },
    qaArrangement: { type: 'string', length: 255 },
    website: { type: 'string', length: 255, nullable: true },
  },
});

export const LearningOpportunitySchema = new EntitySchema<LearningOpportunity>({
  class: LearningOpportunity,
  tableName: 'learning_opportunity',
  indexes: [{ properties: ['sortTitle'] }, { properties: ['startDate'] }],
  properties: {
    id: { type: 'string', primary: true, length: 255 },
    code: { type: 'string', length: 64, nullable: true },
    title: { type: 'string', length: 255 },
    sortTitle: { type: 'string', length: 255 },
    searchText: { type: 'text' },
    description: { type: 'text', nullable: true },
    kind: { type: 'string', length: 16 },
    microCredentialType: { type: 'string', length: 32 },
    ects: { type: 'double' },
    workloadHours: { type: 'integer' },
    eqfLevel: { type: 'integer' },
    iscedF: { type: 'string', length: 8, nullable: true },
    assessmentType: { type: 'string', length: 32 },
    mode: { type: 'string', length: 16 },
    learningSetting: { type: 'string', length: 16 },
    qualityAssurance: { type: 'text' },
    prerequisites: { type: 'text', nullable: true },
    supervision: { type: 'string', length: 32, nullable: true },
    stackability: { type: 'string', length: 16 },
    stackableTowards: { type: 'string', length: 255, nullable: true },
    sdgList: { type: 'string', length: 64, default: '' },
    languageList: { type: 'string', length: 64, default: 'en' },
    startDate: { type: 'string', length: 10, nullable: true },
    endDate: { type: 'string', length: 10, nullable: true },
    enrolmentDeadline: { type: 'string', length: 10, nullable: true },
    capacity: { type: 'integer', nullable: true },
    creditBearing: { type: 'boolean' },
    moreInformationUrl: { type: 'string', length: 512, nullable: true },
    accreditationReference: { type: 'string', length: 128, nullable: true },
    accreditationBody: { type: 'string', length: 255, nullable: true },
    accreditationDecidedOn: { type: 'string', length: 10, nullable: true },
    accreditationValidUntil: { type: 'string', length: 10, nullable: true },
    accreditationUrl: { type: 'string', length: 512, nullable: true },
    withdrawnAt: { type: 'datetime', nullable: true },
    withdrawalReason: { type: 'string', length: 500, nullable: true },
  },
});

export const LearningOutcomeSchema = new EntitySchema<LearningOutcome>({
  class: LearningOutcome,
  tableName: 'learning_outcome',
  uniques: [{ properties: ['opportunity', 'position'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    opportunity: { kind: 'm:1', entity: () => LearningOpportunity, ref: true, deleteRule: 'cascade' },
    position: { type: 'integer' },
    description: { type: 'text' },
    skillUri: { type: 'string', length: 255 },
    expectedProficiency: { type: 'string', length: 32 },
  },
});

export const LearnerAccountSchema = new EntitySchema<LearnerAccount>({
  class: LearnerAccount,
  tableName: 'learner_account',
  properties: {
    id: { type: 'string', primary: true, length: 255 },
    allianceLearnerId: { type: 'string', length: 64, nullable: true, unique: true },
    homeMemberId: { type: 'string', length: 255, nullable: true },
    studentNumber: { type: 'string', length: 64, nullable: true },
    givenName: { type: 'string', length: 128 },
    familyName: { type: 'string', length: 128 },
    email: { type: 'string', length: 255, nullable: true },
    createdAt: { type: 'datetime' },
  },
});

export const EnrolmentSchema = new EntitySchema<Enrolment>({
  class: Enrolment,
  tableName: 'enrolment',
  // Statistics count from indexes alone: per offering and status, by month enrolled and completed,
  // and per account (for the home member) - at 300,000 learners each a fraction of a table scan.
  indexes: [{ properties: ['opportunity', 'status'] }, { properties: ['enrolledAt'] }, { properties: ['status', 'statusChangedAt'] }, { properties: ['account', 'status'] }],
  properties: {
    id: { type: 'string', primary: true, length: 255 },
    account: { kind: 'm:1', entity: () => LearnerAccount, ref: true, index: true },
    opportunity: { kind: 'm:1', entity: () => LearningOpportunity, ref: true, index: true },
    status: { type: 'string', length: 16 },
    enrolledAt: { type: 'datetime' },
    statusChangedAt: { type: 'datetime' },
    language: { type: 'string', length: 2, nullable: true },
    prerequisitesDeclared: { type: 'boolean', default: false },
    statusReasonCode: { type: 'string', length: 32, nullable: true },
    statusNote: { type: 'text', nullable: true },
  },
});

export const AchievementSchema = new EntitySchema<Achievement>({
  class: Achievement,
  tableName: 'achievement',
  // Statistics count passed assessments and their ECTS per offering, by month assessed and per account.
  indexes: [{ properties: ['opportunity', 'passed', 'ectsAwarded'] }, { properties: ['passed', 'assessedOn', 'ectsAwarded'] }, { properties: ['account', 'passed', 'ectsAwarded'] }],
  properties: {
    id: { type: 'string', primary: true, length: 255 },
    account: { kind: 'm:1', entity: () => LearnerAccount, ref: true, index: true },
    opportunity: { kind: 'm:1', entity: () => LearningOpportunity, ref: true, index: true },
    enrolment: { kind: '1:1', entity: () => Enrolment, ref: true, nullable: true, owner: true, unique: true },
    assessedOn: { type: 'string', length: 10 },
    grade: { type: 'string', length: 16, nullable: true },
    gradingSchemeCode: { type: 'string', length: 32 },
    passed: { type: 'boolean' },
    ectsAwarded: { type: 'double' },
    supervision: { type: 'string', length: 32, nullable: true },
    revision: { type: 'integer', default: 1 },
  },
});

export const AchievementCorrectionSchema = new EntitySchema<AchievementCorrection>({
  class: AchievementCorrection,
  tableName: 'achievement_correction',
  // Read in order of time by the issuance service (corrections since a moment).
  indexes: [{ properties: ['correctedAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    achievementId: { type: 'string', length: 255, index: true },
    revision: { type: 'integer' },
    correctedAt: { type: 'datetime' },
    correctedBy: { type: 'string', length: 255 },
  },
});

export const AcquiredSkillSchema = new EntitySchema<AcquiredSkill>({
  class: AcquiredSkill,
  tableName: 'acquired_skill',
  uniques: [{ properties: ['achievement', 'skillUri'] }],
  // Skill awards are counted per skill from this index alone (statistics.ts).
  indexes: [{ properties: ['skillUri'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    achievement: { kind: 'm:1', entity: () => Achievement, ref: true, deleteRule: 'cascade' },
    skillUri: { type: 'string', length: 255 },
    level: { type: 'string', length: 32 },
  },
});

export const MemberAuditSchema = auditEntitySchema(MemberAudit, 'member_audit');

// The sync's own state (sync/README.md): run history, checkpoints, the run lock, what it has seen and held back.
export const SyncRunSchema = new EntitySchema<SyncRun>({
  class: SyncRun,
  tableName: 'sync_run',
  indexes: [{ properties: ['source', 'startedAt'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    source: { type: 'string', length: 32 },
    memberId: { type: 'string', length: 253 },
    mode: { type: 'string', length: 16 },
    status: { type: 'string', length: 16 },
    startedAt: { type: 'datetime' },
    finishedAt: { type: 'datetime', nullable: true },
    resource: { type: 'string', length: 32, nullable: true },
    pages: { type: 'integer', default: 0 },
    watermark: { type: 'datetime', nullable: true },
    serverStartedAt: { type: 'datetime', nullable: true },
    nextWatermark: { type: 'datetime', nullable: true },
    configDigest: { type: 'string', length: 64 },
    counts: { type: 'text' },
    heldBack: { type: 'integer', default: 0 },
    error: { type: 'text', nullable: true },
    resumedFrom: { type: 'string', length: 36, nullable: true },
    resumedBy: { type: 'string', length: 36, nullable: true },
    host: { type: 'string', length: 255 },
    pid: { type: 'integer' },
  },
});

export const SyncCheckpointSchema = new EntitySchema<SyncCheckpoint>({
  class: SyncCheckpoint,
  tableName: 'sync_checkpoint',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    runId: { type: 'string', length: 36, index: true },
    resource: { type: 'string', length: 32 },
    page: { type: 'integer' },
    done: { type: 'boolean', default: false },
    counts: { type: 'text' },
    at: { type: 'datetime' },
  },
});

export const SyncLockSchema = new EntitySchema<SyncLock>({
  class: SyncLock,
  tableName: 'sync_lock',
  properties: {
    name: { type: 'string', primary: true, length: 32 },
    runId: { type: 'string', length: 36 },
    host: { type: 'string', length: 255 },
    pid: { type: 'integer' },
    acquiredAt: { type: 'datetime' },
    heartbeatAt: { type: 'datetime' },
    version: { type: 'integer', default: 0 },
  },
});

export const SyncRecordSchema = new EntitySchema<SyncRecord>({
  class: SyncRecord,
  tableName: 'sync_record',
  uniques: [{ properties: ['kind', 'sourceId'] }],
  indexes: [{ properties: ['kind', 'parentId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    kind: { type: 'string', length: 16 },
    sourceId: { type: 'string', length: 255 },
    hubId: { type: 'string', length: 255, nullable: true },
    parentId: { type: 'string', length: 255, nullable: true },
    facts: { type: 'text', nullable: true },
    lastSeenRun: { type: 'string', length: 36 },
    seenAt: { type: 'datetime' },
    missingSince: { type: 'datetime', nullable: true },
    withdrawnBySync: { type: 'boolean', default: false },
    associationsComplete: { type: 'boolean', default: false },
  },
});

export const SyncHeldSchema = new EntitySchema<SyncHeld>({
  class: SyncHeld,
  tableName: 'sync_held',
  uniques: [{ properties: ['kind', 'sourceId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    kind: { type: 'string', length: 16 },
    sourceId: { type: 'string', length: 255 },
    parentId: { type: 'string', length: 255, nullable: true },
    hubId: { type: 'string', length: 255, nullable: true },
    problems: { type: 'text' },
    runId: { type: 'string', length: 36 },
    firstHeldAt: { type: 'datetime' },
    lastHeldAt: { type: 'datetime' },
  },
});

export const memberEntities = [
  InstitutionSchema,
  LearningOpportunitySchema,
  LearningOutcomeSchema,
  LearnerAccountSchema,
  EnrolmentSchema,
  AchievementSchema,
  AcquiredSkillSchema,
  AchievementCorrectionSchema,
  MemberAuditSchema,
  SyncRunSchema,
  SyncCheckpointSchema,
  SyncLockSchema,
  SyncRecordSchema,
  SyncHeldSchema,
];

/** Opens a member's database and brings its schema up to date. */
export function openMemberDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: memberEntities, migrations: memberMigrations, ...options });
}
