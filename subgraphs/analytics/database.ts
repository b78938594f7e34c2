import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { auditEntitySchema } from '../../lib/audited-writes.js';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
import { analyticsMigrations } from './migrations/index.js';
import { AnalyticsAudit, OfferingFeedback } from './records.js';

export const OfferingFeedbackSchema = new EntitySchema<OfferingFeedback>({
  class: OfferingFeedback,
  tableName: 'offering_feedback',
  // One feedback per learner and offering; summaries read by offering and by member.
  uniques: [{ properties: ['learnerId', 'offeringId'] }],
  indexes: [{ properties: ['offeringId'] }, { properties: ['memberId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    learnerId: { type: 'string', length: 64, nullable: true },
    enrolmentId: { type: 'string', length: 255 },
    offeringId: { type: 'string', length: 255 },
    memberId: { type: 'string', length: 253 },
    content: { type: 'integer' },
    workload: { type: 'integer' },
    assessment: { type: 'integer' },
    support: { type: 'integer' },
    relevance: { type: 'integer' },
    comment: { type: 'text', nullable: true },
    ects: { type: 'double' },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    revision: { type: 'integer' },
  },
});

export const AnalyticsAuditSchema = auditEntitySchema(AnalyticsAudit, 'analytics_audit');

export const analyticsEntities = [OfferingFeedbackSchema, AnalyticsAuditSchema];

/** Opens the analytics database and brings its schema up to date. */
export function openAnalyticsDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: analyticsEntities, migrations: analyticsMigrations, ...options });
}
