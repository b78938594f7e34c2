import type { MikroORM } from '@mikro-orm/core';
import { memberProfile } from '../../hub/alliance.js';
import { quietLogger, type Logger } from '../../lib/log.js';
import type { DatabaseKind, DatabaseTarget, SqlEntityManager } from '../../lib/orm.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { Institution } from '../../subgraphs/member/model.js';
import { buildOeapiDataset, type OeapiDataset } from '../../subgraphs/member/oeapi/dataset.js';
import type { OeapiClient } from '../../subgraphs/member/oeapi/client.js';
import { MODIFIED_AT_FIELD } from '../../subgraphs/member/oeapi/spec.js';
import { parseSyncDefaults, type SyncDefaults } from '../../subgraphs/member/sync/config.js';
import { syncFromOeapi, type SyncFromOeapiOptions, type SyncResult } from '../../subgraphs/member/sync/engine.js';
import { temporaryDatabase } from '../helpers/databases.js';
import { clientFor, type OeapiTestContext } from '../oeapi/helpers.js';

/** The member the tests sync: its profile may mark offerings credit-bearing on its own (FULL authority). */
export const MEMBER = 'tuni.fi';

/** The defaults file the tests use (as JSON, the way a member writes it). */
export const DEFAULTS_JSON = {
  kind: 'COURSE',
  microCredentialType: 'OUTSIDE_LEARNING_PATH',
  assessmentType: 'PROJECT_WORK',
  learningSetting: 'FORMAL',
  qualityAssurance: 'FINEEC institutional audit',
  stackability: 'STAND_ALONE',
  sdgs: [11],
  // grade_0_10_one_decimal and the letters' fail grade stay unmapped on purpose: those results are held back.
  gradingSchemes: { grade_0_10: 'nl-1-10', uk_letter: 'ects-a-f' },
};

export const DEFAULTS: SyncDefaults = parseSyncDefaults(DEFAULTS_JSON, 'test defaults');

/**
 * A small fixture dataset whose modification stamps end now: a real system
 * stamps records with its own clock, which is also the clock the watermark
 * is read from (the fixture's own stamps are in 2025, and its touch() stamps
 * one second after the latest).
 */
export function syncDataset(context: OeapiTestContext, options: { courses?: number; students?: number } = {}): OeapiDataset {
  const dataset = buildOeapiDataset(context.spec, context.validator, { memberId: MEMBER, courses: options.courses ?? 30, students: options.students ?? 40 });
  const records = [dataset.organisation, ...dataset.academicSessions, ...dataset.courses, ...dataset.courseOfferings, ...dataset.learningOutcomes, ...dataset.persons, ...dataset.associations] as Record<string, unknown>[];
  const field = MODIFIED_AT_FIELD.split('.')[1] as string;
  const stamps = records.map((record) => Date.parse(String((record['ext'] as Record<string, unknown> | undefined)?.[field] ?? '')) || 0);
  const shift = Date.now() - 60_000 - Math.max(...stamps);
  records.forEach((record, index) => {
    record['ext'] = { ...(record['ext'] as object), [field]: new Date((stamps[index] as number) + shift).toISOString() };
  });
  return dataset;
}

export interface MemberDatabase {
  orm: MikroORM;
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A fresh member database holding only the member's profile. */
export async function memberDatabase(kind: DatabaseKind, memberId = MEMBER): Promise<MemberDatabase> {
  const database = await temporaryDatabase(kind);
  const orm = await openMemberDatabase(database.target);
  const { id, name, shortName, country, associate, accreditationAuthority, qaBody, qaArrangement, website } = memberProfile(memberId)!;
  await orm.em.fork().insert(Institution, { id, name, shortName, country, associate, accreditationAuthority, qaBody, qaArrangement, website });
  return {
    orm,
    target: database.target,
    drop: async () => {
      await orm.close(true);
      await database.drop();
    },
  };
}

/** A client for the fixture with the sync's test settings (small pages, quick retries). */
export function syncClient(context: OeapiTestContext, url: string, options: Parameters<typeof clientFor>[2] = {}): OeapiClient {
  return clientFor(context, url, { pageSize: 10, retries: 1, ...options });
}

/** One run against a fixture, with the test defaults and a quiet logger. */
export async function runSync(orm: MikroORM, kind: DatabaseKind, client: OeapiClient, options: Partial<SyncFromOeapiOptions> = {}, logger: Logger = quietLogger()): Promise<SyncResult> {
  return syncFromOeapi({ orm, databaseKind: kind, memberId: MEMBER, client, defaults: DEFAULTS, logger, batchSize: 20, ...options });
}

export const DATA_TABLES = ['learning_opportunity', 'learning_outcome', 'learner_account', 'enrolment', 'achievement', 'acquired_skill', 'achievement_correction'] as const;

/** Row counts of the member's data tables. */
export async function rowCounts(orm: MikroORM): Promise<Record<string, number>> {
  const knex = (orm.em as SqlEntityManager).getKnex();
  const counts: Record<string, number> = {};
  for (const table of DATA_TABLES) counts[table] = Number(((await knex(table).count({ count: '*' }).first()) as { count: number | string }).count);
  return counts;
}

/** Every row of the member's data tables, ordered, without the columns a run's clock sets (so two clean syncs compare equal). */
export async function snapshot(orm: MikroORM, omit: readonly string[] = []): Promise<Record<string, unknown[]>> {
  const knex = (orm.em as SqlEntityManager).getKnex();
  const tables: Record<string, unknown[]> = {};
  for (const table of DATA_TABLES) {
    const order = table === 'learning_outcome' ? ['opportunity_id', 'position'] : table === 'acquired_skill' ? ['achievement_id', 'skill_uri'] : table === 'achievement_correction' ? ['achievement_id', 'revision'] : ['id'];
    const rows = (await knex(table).select('*').orderBy(order)) as Record<string, unknown>[];
    tables[table] = rows.map((row) => {
      const copy: Record<string, unknown> = { ...row };
      // Autoincrement ids differ between databases that wrote the same rows in another order.
      if (['learning_outcome', 'acquired_skill', 'achievement_correction'].includes(table)) delete copy['id'];
      for (const column of omit) delete copy[column];
      return copy;
    });
  }
  return tables;
}
