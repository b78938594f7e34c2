import DataLoader from 'dataloader';
import { loaderByKey, MAX_BATCH } from '../../lib/loaders.js';
import { byteOrder, type DatabaseKind, type SqlEntityManager } from '../../lib/orm.js';
import { compareBytes } from '../../lib/pagination.js';
import type { SkillCollection, SkillRelationType } from './enums.js';
import { LEVEL_ONE_CODE, Occupation, Skill, SkillGroup } from './model.js';

/** A concept reached through a relation row, with the relation's type when it has one. */
export interface Related<T> {
  relationType: SkillRelationType;
  node: T;
}

type ConceptClass = typeof Skill | typeof SkillGroup | typeof Occupation;

interface JoinSpec {
  /** The relation table, aliased `r`. */
  relation: string;
  /** Column of `r` holding the key the loader is asked for. */
  keyColumn: string;
  /** Column of `r` holding the URI of the concept returned. */
  targetColumn: string;
  /** The concept table (inner-joined, so dangling relations never come back), aliased `c`. */
  concept: string;
  entity: ConceptClass;
  /** Whether `r` has a relation_type column to return with each concept. */
  typed: boolean;
}

/**
 * Loads, for many keys at once, the concepts related to each key: one SQL
 * query per batch, joined to the concept table and ordered by relation type,
 * label and URI (byte order on both dialects).
 */
function relatedLoader<T>(em: SqlEntityManager, kind: DatabaseKind, spec: JoinSpec): DataLoader<string, Related<T>[]> {
  return new DataLoader<string, Related<T>[]>(
    async (keys) => {
      const knex = em.getKnex();
      const query = knex(`${spec.relation} as r`)
        .join(`${spec.concept} as c`, 'c.uri', `r.${spec.targetColumn}`)
        .whereIn(`r.${spec.keyColumn}`, [...keys])
        .select('c.*', `r.${spec.keyColumn} as relation_key`);
      if (spec.typed) query.select('r.relation_type as relation_type').orderByRaw(byteOrder(kind, 'r.relation_type'));
      query.orderByRaw(`${byteOrder(kind, 'c.sort_label')}, ${byteOrder(kind, 'c.uri')}`);
      const rows = (await query) as Record<string, unknown>[];
      const groups = new Map<string, Related<T>[]>(keys.map((key) => [key, []]));
      for (const { relation_key: key, relation_type: relationType, ...columns } of rows) {
        const node = em.map(spec.entity as new () => T, columns);
        groups.get(key as string)?.push({ relationType: relationType as SkillRelationType, node });
      }
      return keys.map((key) => groups.get(key) ?? []);
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/** Unwraps untyped relations (broader/narrower) to plain concept lists. */
function nodes<T>(loader: DataLoader<string, Related<T>[]>): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => (await loader.loadMany(keys)).map((result) => (result instanceof Error ? result : result.map((item) => item.node))), {
    maxBatchSize: MAX_BATCH,
  });
}

/** A row of the top-groups walk: one broader relation, with the group columns (`g.*`) of its broader end, all null when that is no group. */
interface BroaderStep extends Record<string, unknown> {
  narrower_uri: string;
  broader_uri: string;
  code: string | null;
}

/**
 * Loads, for many skills at once, the level-1 groups above each one
 * (LEVEL_ONE_CODE), by code. The walk climbs the broader relations one level
 * at a time for all keys together, so a batch costs one SQL query per
 * hierarchy level (one per MAX_BATCH concepts on a level), however many keys
 * it holds; resolving each skill on its own would cost a query per skill and
 * level. It reads relation rows without joining the skill table: a broader
 * skill the import did not label (the pillar file relates all ~13,900 skills,
 * the collections label 2,334) still leads on to its groups, and only the
 * groups returned must exist. Each concept is expanded at most once per batch,
 * which also ends cycles, and a walk stops at a level-1 group because the
 * roots above it are not level 1.
 */
function topGroupsLoader(em: SqlEntityManager): DataLoader<string, SkillGroup[]> {
  return new DataLoader<string, SkillGroup[]>(
    async (keys) => {
      const knex = em.getKnex();
      /** Broader URIs of every concept expanded so far. */
      const broaderOf = new Map<string, string[]>();
      const levelOne = new Map<string, SkillGroup>();
      const expanded = new Set<string>(keys);
      let frontier = [...expanded];
      while (frontier.length > 0) {
        const next: string[] = [];
        for (let start = 0; start < frontier.length; start += MAX_BATCH) {
          const rows = (await knex('esco_broader_relation as r')
            .leftJoin('esco_skill_group as g', 'g.uri', 'r.broader_uri')
            .whereIn('r.narrower_uri', frontier.slice(start, start + MAX_BATCH))
            .select('g.*', 'r.narrower_uri as narrower_uri', 'r.broader_uri as broader_uri')) as BroaderStep[];
          for (const { narrower_uri: narrower, broader_uri: broader, ...group } of rows) {
            const parents = broaderOf.get(narrower);
            if (parents) parents.push(broader);
            else broaderOf.set(narrower, [broader]);
            if (group.code !== null && LEVEL_ONE_CODE.test(group.code)) {
              if (!levelOne.has(broader)) levelOne.set(broader, em.map(SkillGroup, group));
            } else if (!expanded.has(broader)) {
              expanded.add(broader);
              next.push(broader);
            }
          }
        }
        frontier = next;
      }
      // Each key's own walk over the relations read above, with its own visited set (the hierarchy is a graph, not a tree).
      return keys.map((key) => {
        const found: SkillGroup[] = [];
        const seen = new Set<string>([key]);
        const stack = [key];
        for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
          for (const broader of broaderOf.get(node) ?? []) {
            if (seen.has(broader)) continue;
            seen.add(broader);
            const group = levelOne.get(broader);
            if (group) found.push(group);
            else stack.push(broader);
          }
        }
        return found.sort((a, b) => compareBytes(a.code ?? '', b.code ?? '') || compareBytes(a.uri, b.uri));
      });
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/**
 * Per-request loaders: every list of N entities costs one SQL query per batch,
 * never N queries (the gateway sends all representations of a type at once).
 */
export function createEscoLoaders(em: SqlEntityManager, kind: DatabaseKind) {
  const broader = { relation: 'esco_broader_relation', keyColumn: 'narrower_uri', targetColumn: 'broader_uri', typed: false } as const;
  const narrower = { relation: 'esco_broader_relation', keyColumn: 'broader_uri', targetColumn: 'narrower_uri', typed: false } as const;
  return {
    skill: loaderByKey(em, Skill, 'uri'),
    skillGroup: loaderByKey(em, SkillGroup, 'uri'),
    occupation: loaderByKey(em, Occupation, 'uri'),
    /** Broader skills of a skill. */
    broaderSkills: nodes(relatedLoader<Skill>(em, kind, { ...broader, concept: 'esco_skill', entity: Skill })),
    /** Narrower skills of a skill or group. */
    narrowerSkills: nodes(relatedLoader<Skill>(em, kind, { ...narrower, concept: 'esco_skill', entity: Skill })),
    /** Groups directly above a skill or a group (the pillar stores both in one relation). */
    broaderGroups: nodes(relatedLoader<SkillGroup>(em, kind, { ...broader, concept: 'esco_skill_group', entity: SkillGroup })),
    narrowerGroups: nodes(relatedLoader<SkillGroup>(em, kind, { ...narrower, concept: 'esco_skill_group', entity: SkillGroup })),
    /** Level-1 groups above a skill, however many levels up. */
    topGroups: topGroupsLoader(em),
    relatedSkills: relatedLoader<Skill>(em, kind, {
      relation: 'esco_skill_relation',
      keyColumn: 'skill_uri',
      targetColumn: 'related_skill_uri',
      concept: 'esco_skill',
      entity: Skill,
      typed: true,
    }),
    occupationsOfSkill: relatedLoader<Occupation>(em, kind, {
      relation: 'esco_occupation_skill',
      keyColumn: 'skill_uri',
      targetColumn: 'occupation_uri',
      concept: 'esco_occupation',
      entity: Occupation,
      typed: true,
    }),
    skillsOfOccupation: relatedLoader<Skill>(em, kind, {
      relation: 'esco_occupation_skill',
      keyColumn: 'occupation_uri',
      targetColumn: 'skill_uri',
      concept: 'esco_skill',
      entity: Skill,
      typed: true,
    }),
    collections: new DataLoader<string, SkillCollection[]>(
      async (uris) => {
        const rows = (await em
          .getKnex()('esco_skill_collection')
          .whereIn('skill_uri', [...uris])
          .select('skill_uri', 'collection')
          .orderByRaw(byteOrder(kind, 'collection'))) as { skill_uri: string; collection: SkillCollection }[];
        const groups = new Map<string, SkillCollection[]>(uris.map((uri) => [uri, []]));
        for (const row of rows) groups.get(row.skill_uri)?.push(row.collection);
        return uris.map((uri) => groups.get(uri) ?? []);
      },
      { maxBatchSize: MAX_BATCH },
    ),
  };
}

export type EscoLoaders = ReturnType<typeof createEscoLoaders>;
