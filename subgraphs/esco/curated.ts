import type { MikroORM } from '@mikro-orm/core';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../lib/log.js';
import { compareBytes } from '../../lib/pagination.js';
import { readEscoCsv } from './import/csv.js';
import { importEsco, type ImportSummary } from './import/importer.js';
import { Skill } from './model.js';

/**
 * The curated ESCO subset shipped with the hub (about 170 real skills around
 * SDG 11, sustainability, transversal, data and research skills, with their
 * groups, relations and a few dozen occupations), in the official CSV format so
 * the regular importer loads it. See data/curated/README.md.
 */
export const CURATED_ESCO_FOLDER = join(dirname(fileURLToPath(import.meta.url)), 'data', 'curated');

const SKILL_FILE = /^(skills|[A-Za-z]+SkillsCollection)_en\.csv$/;

/** The URIs of the curated skills, sorted byte-wise (for demo data that must use real skills). */
export async function curatedSkillUris(): Promise<string[]> {
  const uris = new Set<string>();
  for (const file of readdirSync(CURATED_ESCO_FOLDER).filter((name) => SKILL_FILE.test(name))) {
    for await (const row of readEscoCsv(CURATED_ESCO_FOLDER, file, ['conceptUri'])) {
      const uri = row['conceptUri']?.trim();
      if (uri) uris.add(uri);
    }
  }
  return [...uris].sort(compareBytes);
}

/**
 * Loads the curated set when the database holds no skills, so a fresh
 * service answers with real data; a database with any import is left alone.
 * Returns the import summary, or null when nothing was needed.
 */
export async function ensureEscoData(orm: MikroORM, logger: Logger): Promise<ImportSummary | null> {
  const skills = await orm.em.fork().count(Skill);
  if (skills > 0) return null;
  const summary = await importEsco(orm, CURATED_ESCO_FOLDER);
  logger.info('loaded the curated ESCO set', {
    skills: summary.skills,
    skillGroups: summary.skillGroups,
    occupations: summary.occupations,
    seconds: Number(summary.seconds.toFixed(2)),
  });
  return summary;
}
