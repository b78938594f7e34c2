import type { MikroORM } from '@mikro-orm/core';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memberProfile } from '../../hub/alliance.js';
import type { DatabaseKind, DatabaseTarget, SqlEntityManager } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { Institution, MemberAudit } from '../../subgraphs/member/model.js';
import { temporaryDatabase } from '../helpers/databases.js';

export const TEMPLATES_DIR = join(REPO_ROOT, 'docs', 'import-templates');
export const EXAMPLE_DIR = join(TEMPLATES_DIR, 'example');
/** A clock after every date of the example set. */
export const NOW = new Date('2026-12-07T12:00:00Z');

export interface MemberDatabase {
  orm: MikroORM;
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A fresh member database of the given kind holding only the member's profile (as the demo's alliance lists it). */
export async function memberDatabase(kind: DatabaseKind, memberId = 'tuni.fi'): Promise<MemberDatabase> {
  const database = await temporaryDatabase(kind);
  const orm = await openMemberDatabase(database.target);
  const profile = memberProfile(memberId);
  if (!profile) throw new Error(`no demo profile for ${memberId}`);
  const { id, name, shortName, country, associate, accreditationAuthority, qaBody, qaArrangement, website } = profile;
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

/** The example set's files by name. */
export function exampleFiles(): Record<string, string> {
  return Object.fromEntries(readdirSync(EXAMPLE_DIR).filter((name) => name.endsWith('.csv')).map((name) => [name, readFileSync(join(EXAMPLE_DIR, name), 'utf8')]));
}

/** A temporary folder holding these files. */
export function folderWith(files: Record<string, string | Uint8Array>): string {
  const folder = mkdtempSync(join(tmpdir(), 'member-import-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  return folder;
}

const DATA_TABLES = ['institution', 'learning_opportunity', 'learning_outcome', 'learner_account', 'enrolment', 'achievement', 'acquired_skill', 'achievement_correction'];

/** Every row of the member's data tables (not the audit), in id order: two equal snapshots mean nothing was written. */
export async function snapshot(orm: MikroORM): Promise<Record<string, unknown[]>> {
  const knex = (orm.em as SqlEntityManager).getKnex();
  const tables: Record<string, unknown[]> = {};
  for (const table of DATA_TABLES) tables[table] = await knex(table).select('*').orderBy('id');
  return tables;
}

export async function auditRows(orm: MikroORM): Promise<MemberAudit[]> {
  return orm.em.fork().find(MemberAudit, {}, { orderBy: { id: 'asc' } });
}
