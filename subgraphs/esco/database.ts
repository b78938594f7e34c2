import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
import { escoMigrations } from './migrations/index.js';
import {
  BroaderRelation,
  EscoDatasetRecord,
  Occupation,
  OccupationSkillRelation,
  Skill,
  SkillCollectionMember,
  SkillGroup,
  SkillSkillRelation,
} from './model.js';

/*
 * ORM mapping of the ESCO model. Every property states its type: nothing
 * relies on emitted decorator metadata (esbuild does not emit it). Labels and
 * descriptions are `text` because ESCO sets no length limit. Relation tables
 * have composite primary keys on the URI pair and no foreign keys (see
 * model.ts for why), which also makes re-imports idempotent upserts.
 */

const URI = { type: 'string', length: 255 } as const;
/** A getter of the model class (computed from stored columns): no column, never hydrated. */
const GETTER = { persist: false, getter: true } as const;

export const SkillSchema = new EntitySchema<Skill>({
  class: Skill,
  tableName: 'esco_skill',
  indexes: [{ properties: ['sortLabel'] }],
  properties: {
    uri: { ...URI, primary: true },
    preferredLabel: { type: 'text' },
    altLabelText: { type: 'text', default: '' },
    altLabels: { type: 'string[]', ...GETTER },
    description: { type: 'text', nullable: true },
    skillType: { type: 'string', length: 32, nullable: true },
    skillTypeUri: { type: 'string', ...GETTER },
    reuseLevel: { type: 'string', length: 32, nullable: true },
    reuseLevelUri: { type: 'string', ...GETTER },
    sortLabel: { type: 'text' },
    searchAltLabels: { type: 'text', default: '' },
    searchDescription: { type: 'text', default: '' },
  },
});

export const SkillGroupSchema = new EntitySchema<SkillGroup>({
  class: SkillGroup,
  tableName: 'esco_skill_group',
  indexes: [{ properties: ['sortLabel'] }],
  properties: {
    uri: { ...URI, primary: true },
    code: { type: 'string', length: 32, nullable: true },
    preferredLabel: { type: 'text' },
    description: { type: 'text', nullable: true },
    sortLabel: { type: 'text' },
  },
});

export const OccupationSchema = new EntitySchema<Occupation>({
  class: Occupation,
  tableName: 'esco_occupation',
  indexes: [{ properties: ['sortLabel'] }],
  properties: {
    uri: { ...URI, primary: true },
    code: { type: 'string', length: 32, nullable: true },
    iscoGroup: { type: 'string', length: 16, nullable: true },
    preferredLabel: { type: 'text' },
    altLabelText: { type: 'text', default: '' },
    altLabels: { type: 'string[]', ...GETTER },
    description: { type: 'text', nullable: true },
    sortLabel: { type: 'text' },
    searchAltLabels: { type: 'text', default: '' },
    searchDescription: { type: 'text', default: '' },
  },
});

export const BroaderRelationSchema = new EntitySchema<BroaderRelation>({
  class: BroaderRelation,
  tableName: 'esco_broader_relation',
  // The primary key serves "broader of X"; this index serves "narrower of X".
  indexes: [{ properties: ['broaderUri'] }],
  properties: {
    narrowerUri: { ...URI, primary: true },
    broaderUri: { ...URI, primary: true },
  },
});

export const SkillSkillRelationSchema = new EntitySchema<SkillSkillRelation>({
  class: SkillSkillRelation,
  tableName: 'esco_skill_relation',
  properties: {
    skillUri: { ...URI, primary: true },
    relatedSkillUri: { ...URI, primary: true },
    relationType: { type: 'string', length: 16 },
  },
});

export const OccupationSkillRelationSchema = new EntitySchema<OccupationSkillRelation>({
  class: OccupationSkillRelation,
  tableName: 'esco_occupation_skill',
  indexes: [{ properties: ['skillUri'] }],
  properties: {
    occupationUri: { ...URI, primary: true },
    skillUri: { ...URI, primary: true },
    relationType: { type: 'string', length: 16 },
  },
});

export const SkillCollectionMemberSchema = new EntitySchema<SkillCollectionMember>({
  class: SkillCollectionMember,
  tableName: 'esco_skill_collection',
  indexes: [{ properties: ['collection'] }],
  properties: {
    skillUri: { ...URI, primary: true },
    collection: { type: 'string', length: 16, primary: true },
  },
});

export const EscoDatasetSchema = new EntitySchema<EscoDatasetRecord>({
  class: EscoDatasetRecord,
  tableName: 'esco_dataset',
  properties: {
    id: { type: 'string', length: 16, primary: true },
    version: { type: 'string', length: 32 },
    importedAt: { type: 'datetime', nullable: true },
  },
});

export const escoEntities = [
  SkillSchema,
  SkillGroupSchema,
  OccupationSchema,
  BroaderRelationSchema,
  SkillSkillRelationSchema,
  OccupationSkillRelationSchema,
  SkillCollectionMemberSchema,
  EscoDatasetSchema,
];

/** Opens the ESCO database and brings its schema up to date. */
export function openEscoDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: escoEntities, migrations: escoMigrations, ...options });
}
