import type { MikroORM } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { foldText } from '../../../lib/text.js';
import type { SqlEntityManager } from '../../../lib/orm.js';
import {
  COLLECTION_FROM_FILE_PREFIX,
  RELATION_TYPE_FROM_CSV,
  REUSE_LEVEL_FROM_CSV,
  SKILL_TYPE_FROM_CSV,
  type ReuseLevel,
  type SkillCollection,
  type SkillRelationType,
  type SkillType,
} from '../enums.js';
import { DATASET_ID, EscoDatasetRecord } from '../model.js';
import { EscoImportError, field, readEscoCsv, splitMultiValue, type CsvRow } from './csv.js';

/** The ESCO version of the files in ../shared/esco and of the curated set. */
export const ESCO_VERSION = '1.2.0';

export type ImportProgress =
  | { stage: 'read'; file: string; rows: number; done: boolean }
  | { stage: 'write'; table: string; rows: number };

export interface ImportOptions {
  onProgress?: (progress: ImportProgress) => void;
  /** Recorded in `escoDataset.version`; the CSV files do not state it. Defaults to ESCO_VERSION. */
  version?: string;
}

export interface ImportSummary {
  /** The files read, in reading order, with their record counts. */
  files: { file: string; rows: number }[];
  /** Records skipped for lacking a URI or label, or for an unknown relation type. */
  skippedRows: number;
  /** Totals in the database after the import (relations include those whose endpoints are not imported). */
  skills: number;
  skillGroups: number;
  occupations: number;
  broaderRelations: number;
  skillRelations: number;
  occupationSkillRelations: number;
  collectionMemberships: number;
  version: string;
  seconds: number;
}

const SKILL_COLUMNS = ['conceptUri', 'preferredLabel', 'skillType', 'reuseLevel', 'altLabels', 'description'] as const;
const COLLECTION_FILE = /^([A-Za-z]+)SkillsCollection_en\.csv$/;
const HIERARCHY_LEVELS = [0, 1, 2, 3] as const;
/** Progress is reported every this many records within a file, and at its end. */
const PROGRESS_EVERY = 10_000;
/** Rows per INSERT: stays far below SQLite's and PostgreSQL's bound-parameter limits. */
const MAX_ROWS_PER_INSERT = 500;
const MAX_PARAMS_PER_INSERT = 5_000;

interface SkillRecord {
  uri: string;
  preferredLabel: string;
  altLabels: string[];
  description: string | null;
  skillType: SkillType | null;
  reuseLevel: ReuseLevel | null;
}

interface GroupRecord {
  uri: string;
  code: string | null;
  preferredLabel: string;
  description: string | null;
}

interface OccupationRecord {
  uri: string;
  code: string | null;
  iscoGroup: string | null;
  preferredLabel: string;
  altLabels: string[];
  description: string | null;
}

/** Everything read from the files, deduplicated by natural key, before one write transaction. */
class Collected {
  skills = new Map<string, SkillRecord>();
  groups = new Map<string, GroupRecord>();
  occupations = new Map<string, OccupationRecord>();
  broader = new Map<string, [string, string]>();
  skillRelations = new Map<string, [string, string, SkillRelationType]>();
  occupationSkills = new Map<string, [string, string, SkillRelationType]>();
  collections = new Map<string, [string, SkillCollection]>();
  skipped = 0;

  addBroader(narrower: string, broader: string): void {
    if (narrower !== broader) this.broader.set(`${narrower}\n${broader}`, [narrower, broader]);
  }
}

/**
 * Merges a record into a map: the first non-empty value of each field wins, so
 * the same concept read from several files (skills_en.csv and collections)
 * keeps the fullest description of it.
 */
function merge<T extends { uri: string }>(map: Map<string, T>, record: T): void {
  const existing = map.get(record.uri);
  if (!existing) {
    map.set(record.uri, record);
    return;
  }
  const target = existing as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const current = target[key];
    const empty = current === null || current === undefined || current === '' || (Array.isArray(current) && current.length === 0);
    if (empty) target[key] = value;
  }
}

function isUri(value: string | null): value is string {
  return value !== null && /^https?:\/\/\S+$/.test(value);
}

function lookup<T>(table: Readonly<Record<string, T>>, value: string | null): T | null {
  return value === null ? null : (table[value.toLowerCase()] ?? null);
}

function skillFrom(row: CsvRow): SkillRecord | null {
  const uri = field(row, 'conceptUri');
  const preferredLabel = field(row, 'preferredLabel');
  if (!isUri(uri) || !preferredLabel) return null;
  return {
    uri,
    preferredLabel,
    altLabels: splitMultiValue(row['altLabels']),
    description: field(row, 'description'),
    skillType: lookup(SKILL_TYPE_FROM_CSV, field(row, 'skillType')),
    reuseLevel: lookup(REUSE_LEVEL_FROM_CSV, field(row, 'reuseLevel')),
  };
}

/** How one kind of ESCO file is read into the collected data. */
interface FileReader {
  file: string;
  required: readonly string[];
  read(row: CsvRow, into: Collected): boolean;
}

function collectionReader(file: string, collection: SkillCollection | undefined): FileReader {
  return {
    file,
    required: SKILL_COLUMNS,
    read(row, into) {
      const skill = skillFrom(row);
      if (!skill) return false;
      merge(into.skills, skill);
      // A collection file we do not know still contributes its skills, untagged.
      if (collection) into.collections.set(`${skill.uri}\n${collection}`, [skill.uri, collection]);
      for (const broader of splitMultiValue(row['broaderConceptUri'])) {
        if (isUri(broader)) into.addBroader(skill.uri, broader);
      }
      return true;
    },
  };
}

const SKILLS_READER: FileReader = {
  file: 'skills_en.csv',
  required: SKILL_COLUMNS,
  read(row, into) {
    const skill = skillFrom(row);
    if (!skill) return false;
    merge(into.skills, skill);
    return true;
  },
};

const GROUPS_READER: FileReader = {
  file: 'skillGroups_en.csv',
  required: ['conceptUri', 'preferredLabel', 'description', 'code'],
  read(row, into) {
    const uri = field(row, 'conceptUri');
    const preferredLabel = field(row, 'preferredLabel');
    if (!isUri(uri) || !preferredLabel) return false;
    merge(into.groups, { uri, preferredLabel, code: field(row, 'code'), description: field(row, 'description') });
    return true;
  },
};

const HIERARCHY_READER: FileReader = {
  file: 'skillsHierarchy_en.csv',
  required: HIERARCHY_LEVELS.flatMap((level) => [`Level ${level} URI`, `Level ${level} preferred term`]),
  read(row, into) {
    // Each row describes its deepest filled level; the level above is its broader group.
    const filled = HIERARCHY_LEVELS.filter((level) => isUri(field(row, `Level ${level} URI`)));
    const deepest = filled[filled.length - 1];
    if (deepest === undefined) return false;
    const uri = field(row, `Level ${deepest} URI`) as string;
    const preferredLabel = field(row, `Level ${deepest} preferred term`);
    if (!preferredLabel) return false;
    merge(into.groups, { uri, preferredLabel, code: field(row, `Level ${deepest} code`), description: field(row, 'Description') });
    const parent = filled[filled.length - 2];
    if (parent !== undefined) into.addBroader(uri, field(row, `Level ${parent} URI`) as string);
    return true;
  },
};

const BROADER_READER: FileReader = {
  file: 'broaderRelationsSkillPillar_en.csv',
  required: ['conceptUri', 'broaderUri'],
  read(row, into) {
    const narrower = field(row, 'conceptUri');
    const broader = field(row, 'broaderUri');
    if (!isUri(narrower) || !isUri(broader)) return false;
    into.addBroader(narrower, broader);
    return true;
  },
};

const SKILL_RELATIONS_READER: FileReader = {
  file: 'skillSkillRelations_en.csv',
  required: ['originalSkillUri', 'relationType', 'relatedSkillUri'],
  read(row, into) {
    const skill = field(row, 'originalSkillUri');
    const related = field(row, 'relatedSkillUri');
    const type = lookup(RELATION_TYPE_FROM_CSV, field(row, 'relationType'));
    if (!isUri(skill) || !isUri(related) || !type) return false;
    into.skillRelations.set(`${skill}\n${related}`, [skill, related, type]);
    return true;
  },
};

const OCCUPATIONS_READER: FileReader = {
  file: 'occupations_en.csv',
  required: ['conceptUri', 'preferredLabel', 'altLabels', 'description', 'code', 'iscoGroup'],
  read(row, into) {
    const uri = field(row, 'conceptUri');
    const preferredLabel = field(row, 'preferredLabel');
    if (!isUri(uri) || !preferredLabel) return false;
    merge(into.occupations, {
      uri,
      preferredLabel,
      code: field(row, 'code'),
      iscoGroup: field(row, 'iscoGroup'),
      altLabels: splitMultiValue(row['altLabels']),
      description: field(row, 'description'),
    });
    return true;
  },
};

const OCCUPATION_SKILLS_READER: FileReader = {
  file: 'occupationSkillRelations_en.csv',
  required: ['occupationUri', 'relationType', 'skillUri'],
  read(row, into) {
    const occupation = field(row, 'occupationUri');
    const skill = field(row, 'skillUri');
    const type = lookup(RELATION_TYPE_FROM_CSV, field(row, 'relationType'));
    if (!isUri(occupation) || !isUri(skill) || !type) return false;
    into.occupationSkills.set(`${occupation}\n${skill}`, [occupation, skill, type]);
    return true;
  },
};

/**
 * The readers for the files present in `folder`, in reading order: the full
 * skills file first (its records are the fullest), then the collections, the
 * hierarchy and relations, then occupations.
 */
function readersFor(folder: string): FileReader[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new EscoImportError(`ESCO folder not found: ${folder}`);
  const present = new Set(readdirSync(folder));
  const collections = [...present]
    .filter((file) => COLLECTION_FILE.test(file))
    .sort()
    .map((file) => collectionReader(file, COLLECTION_FROM_FILE_PREFIX[(COLLECTION_FILE.exec(file) as RegExpExecArray)[1] as string]));
  const fixed = [SKILLS_READER, GROUPS_READER, HIERARCHY_READER, BROADER_READER, SKILL_RELATIONS_READER, OCCUPATIONS_READER, OCCUPATION_SKILLS_READER];
  const readers = [
    ...fixed.slice(0, 1).filter((reader) => present.has(reader.file)),
    ...collections,
    ...fixed.slice(1).filter((reader) => present.has(reader.file)),
  ];
  if (readers.length === 0) {
    throw new EscoImportError(
      `No ESCO CSV files in ${folder}: expected files of the official ESCO CSV export (English), such as skills_en.csv, ` +
        'greenSkillsCollection_en.csv, skillGroups_en.csv, skillsHierarchy_en.csv, broaderRelationsSkillPillar_en.csv, ' +
        'skillSkillRelations_en.csv, occupations_en.csv or occupationSkillRelations_en.csv.',
    );
  }
  return readers;
}

/** Labels stored one per line, and their folded search form. */
function labelColumns(labels: string[]): [string, string] {
  return [labels.join('\n'), labels.map((label) => foldText(label)).join('\n')];
}

/**
 * Inserts rows in batches with `on conflict … do update/nothing`: the same SQL
 * on SQLite (≥ 3.24) and PostgreSQL. Table and column names are constants of
 * this module; every value is a bound parameter.
 */
async function upsert(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  key: readonly string[],
  rows: readonly (string | null)[][],
  update: string | null,
): Promise<void> {
  const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS_PER_INSERT / columns.length)));
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const conflict = `on conflict (${key.join(', ')}) do ${update ? `update set ${update}` : 'nothing'}`;
  for (let start = 0; start < rows.length; start += perInsert) {
    const batch = rows.slice(start, start + perInsert);
    const sql = `insert into ${table} (${columns.join(', ')}) values ${batch.map(() => tuple).join(', ')} ${conflict}`;
    await trx.raw(sql, batch.flat());
  }
}

/** `column = excluded.column` unless the new value is empty, then the stored one stays. */
function keepUnlessGiven(table: string, column: string, emptyTest: string): string {
  return `${column} = case when ${emptyTest} then ${table}.${column} else excluded.${column} end`;
}

/** Update clause for labelled concepts: new labels win; empty new fields never erase stored ones. */
function conceptUpdate(table: string, extra: readonly string[], hasSearchColumns: boolean): string {
  const parts = [
    'preferred_label = excluded.preferred_label',
    'sort_label = excluded.sort_label',
    keepUnlessGiven(table, 'description', 'excluded.description is null'),
    ...extra.map((column) => `${column} = coalesce(excluded.${column}, ${table}.${column})`),
  ];
  if (hasSearchColumns) {
    parts.push(
      keepUnlessGiven(table, 'search_description', 'excluded.description is null'),
      keepUnlessGiven(table, 'alt_label_text', "excluded.alt_label_text = ''"),
      keepUnlessGiven(table, 'search_alt_labels', "excluded.alt_label_text = ''"),
    );
  }
  return parts.join(', ');
}

async function write(em: SqlEntityManager, data: Collected, version: string, report: (table: string, rows: number) => void): Promise<void> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('ESCO import must run inside a transaction');

  const skills = [...data.skills.values()].map((skill) => {
    const [altLabelText, searchAltLabels] = labelColumns(skill.altLabels);
    return [
      skill.uri,
      skill.preferredLabel,
      altLabelText,
      skill.description,
      skill.skillType,
      skill.reuseLevel,
      foldText(skill.preferredLabel),
      searchAltLabels,
      foldText(skill.description ?? ''),
    ];
  });
  await upsert(
    trx,
    'esco_skill',
    ['uri', 'preferred_label', 'alt_label_text', 'description', 'skill_type', 'reuse_level', 'sort_label', 'search_alt_labels', 'search_description'],
    ['uri'],
    skills,
    conceptUpdate('esco_skill', ['skill_type', 'reuse_level'], true),
  );
  report('esco_skill', skills.length);

  const groups = [...data.groups.values()].map((group) => [group.uri, group.code, group.preferredLabel, group.description, foldText(group.preferredLabel)]);
  await upsert(
    trx,
    'esco_skill_group',
    ['uri', 'code', 'preferred_label', 'description', 'sort_label'],
    ['uri'],
    groups,
    conceptUpdate('esco_skill_group', ['code'], false),
  );
  report('esco_skill_group', groups.length);

  const occupations = [...data.occupations.values()].map((occupation) => {
    const [altLabelText, searchAltLabels] = labelColumns(occupation.altLabels);
    return [
      occupation.uri,
      occupation.code,
      occupation.iscoGroup,
      occupation.preferredLabel,
      altLabelText,
      occupation.description,
      foldText(occupation.preferredLabel),
      searchAltLabels,
      foldText(occupation.description ?? ''),
    ];
  });
  await upsert(
    trx,
    'esco_occupation',
    ['uri', 'code', 'isco_group', 'preferred_label', 'alt_label_text', 'description', 'sort_label', 'search_alt_labels', 'search_description'],
    ['uri'],
    occupations,
    conceptUpdate('esco_occupation', ['code', 'isco_group'], true),
  );
  report('esco_occupation', occupations.length);

  const broader = [...data.broader.values()];
  await upsert(trx, 'esco_broader_relation', ['narrower_uri', 'broader_uri'], ['narrower_uri', 'broader_uri'], broader, null);
  report('esco_broader_relation', broader.length);

  const relations = [...data.skillRelations.values()];
  await upsert(
    trx,
    'esco_skill_relation',
    ['skill_uri', 'related_skill_uri', 'relation_type'],
    ['skill_uri', 'related_skill_uri'],
    relations,
    'relation_type = excluded.relation_type',
  );
  report('esco_skill_relation', relations.length);

  const occupationSkills = [...data.occupationSkills.values()];
  await upsert(
    trx,
    'esco_occupation_skill',
    ['occupation_uri', 'skill_uri', 'relation_type'],
    ['occupation_uri', 'skill_uri'],
    occupationSkills,
    'relation_type = excluded.relation_type',
  );
  report('esco_occupation_skill', occupationSkills.length);

  const collections = [...data.collections.values()];
  await upsert(trx, 'esco_skill_collection', ['skill_uri', 'collection'], ['skill_uri', 'collection'], collections, null);
  report('esco_skill_collection', collections.length);

  // Through the ORM so the timestamp is stored the way each dialect's datetime mapping expects.
  await em.upsert(EscoDatasetRecord, { id: DATASET_ID, version, importedAt: new Date() });
}

async function countRows(em: SqlEntityManager): Promise<Record<string, number>> {
  const row = (await em
    .getKnex()
    .select(
      em.getKnex().raw(
        [
          '(select count(*) from esco_skill) as skills',
          '(select count(*) from esco_skill_group) as skill_groups',
          '(select count(*) from esco_occupation) as occupations',
          '(select count(*) from esco_broader_relation) as broader_relations',
          '(select count(*) from esco_skill_relation) as skill_relations',
          '(select count(*) from esco_occupation_skill) as occupation_skill_relations',
          '(select count(*) from esco_skill_collection) as collection_memberships',
        ].join(', '),
      ),
    )
    .first()) as Record<string, number | string>;
  // PostgreSQL returns count(*) as a bigint string.
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
}

/**
 * Imports the official ESCO CSV export files present in `folder` (any subset
 * of a full or partial download) into the ESCO database.
 *
 * All files are read first, then written in one transaction with upserts on
 * natural keys: re-importing the same folder changes nothing, a larger folder
 * adds, and a failure leaves the database as it was. Relations are kept even
 * when their endpoints are not imported (queries join to existing concepts).
 */
export async function importEsco(orm: MikroORM, folder: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const readers = readersFor(folder);
  const data = new Collected();
  const files: ImportSummary['files'] = [];
  for (const reader of readers) {
    let rows = 0;
    for await (const row of readEscoCsv(folder, reader.file, reader.required)) {
      rows += 1;
      if (!reader.read(row, data)) data.skipped += 1;
      if (rows % PROGRESS_EVERY === 0) options.onProgress?.({ stage: 'read', file: reader.file, rows, done: false });
    }
    files.push({ file: reader.file, rows });
    options.onProgress?.({ stage: 'read', file: reader.file, rows, done: true });
  }

  const version = options.version ?? ESCO_VERSION;
  const em = orm.em.fork() as SqlEntityManager;
  await em.transactional((transactional) =>
    write(transactional as SqlEntityManager, data, version, (table, rows) => options.onProgress?.({ stage: 'write', table, rows })),
  );

  const totals = await countRows(em);
  return {
    files,
    skippedRows: data.skipped,
    skills: totals['skills'] ?? 0,
    skillGroups: totals['skill_groups'] ?? 0,
    occupations: totals['occupations'] ?? 0,
    broaderRelations: totals['broader_relations'] ?? 0,
    skillRelations: totals['skill_relations'] ?? 0,
    occupationSkillRelations: totals['occupation_skill_relations'] ?? 0,
    collectionMemberships: totals['collection_memberships'] ?? 0,
    version,
    seconds: (performance.now() - started) / 1000,
  };
}
