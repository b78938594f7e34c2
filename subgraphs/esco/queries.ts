import type { Knex } from '@mikro-orm/knex';
import { byteOrder, type DatabaseKind, type SqlEntityManager } from '../../lib/orm.js';
import { buildPage, decodeCursor, encodeCursor, keysetCondition, type Page, type SortValue } from '../../lib/pagination.js';
import { containsPattern, LIKE_ESCAPE, prefixPattern } from '../../lib/text.js';
import { foldedSearch, type SkillFilter } from './inputs.js';
import { Occupation, Skill, SkillGroup } from './model.js';

/*
 * Search and paging over labelled concepts (skills, occupations). Both tables
 * share the columns used here: uri, sort_label, search_alt_labels,
 * search_description, all folded at import with foldText, so one SQL text
 * serves SQLite and PostgreSQL and user input only ever travels as bound
 * parameters.
 *
 * Relevance rank: 0 the preferred label equals the text, 1 it starts with it,
 * 2 it contains it, 3 an alternative label contains it, 4 the description
 * does. Ties by folded label, then URI, compared byte-wise on both dialects.
 */

export const MAX_RANK = 4;

interface ConceptPageOptions<T> {
  entity: new () => T;
  table: 'esco_skill' | 'esco_occupation';
  /** Cursor order-name prefix, so a skills cursor is refused by the occupations list. */
  orderPrefix: 'SKILL' | 'OCCUPATION';
  search?: string | null;
  /** Extra conditions on alias `c` (the concept table). */
  where?: (query: Knex.QueryBuilder) => void;
  first: number;
  after?: string | null;
}

interface OrderPlan {
  name: string;
  /** SQL expressions of the sort key, in order; the last one is the URI. */
  expressions: string[];
  /** Parameters of the rank expression (the only one that has any). */
  rankParams: SortValue[];
}

function orderPlan(kind: DatabaseKind, prefix: string, folded: string | undefined): OrderPlan {
  const label = byteOrder(kind, 'c.sort_label');
  const uri = byteOrder(kind, 'c.uri');
  if (folded === undefined) return { name: `${prefix}_LABEL`, expressions: [label, uri], rankParams: [] };
  const rank =
    `(case when c.sort_label = ? then 0 when c.sort_label like ? ${LIKE_ESCAPE} then 1 ` +
    `when c.sort_label like ? ${LIKE_ESCAPE} then 2 when c.search_alt_labels like ? ${LIKE_ESCAPE} then 3 else ${MAX_RANK} end)`;
  const contains = containsPattern(folded);
  return { name: `${prefix}_RELEVANCE`, expressions: [rank, label, uri], rankParams: [folded, prefixPattern(folded), contains, contains] };
}

/**
 * Binds the parameters of `keysetCondition(plan.expressions, afterKey)`: the
 * rank expression carries its own parameters, repeated wherever it appears.
 */
function bindKeyset(plan: OrderPlan, afterKey: readonly SortValue[]): SortValue[] {
  const params: SortValue[] = [];
  for (let i = 0; i < plan.expressions.length; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      if ((plan.expressions[j] as string).includes('?')) params.push(...plan.rankParams);
      params.push(afterKey[j] as SortValue);
    }
  }
  return params;
}

/** Decodes `after`; each sort value must have its column's type (the rank an integer in range). */
function afterKey(after: string | null | undefined, plan: OrderPlan): SortValue[] | undefined {
  if (!after) return undefined;
  const ranked = plan.rankParams.length > 0;
  return decodeCursor(after, plan.name, plan.expressions.map((_, index) => (ranked && index === 0 ? { integerFrom: 0, to: MAX_RANK } : 'string')));
}

async function conceptPage<T extends { uri: string; sortLabel: string }>(
  em: SqlEntityManager,
  kind: DatabaseKind,
  options: ConceptPageOptions<T>,
): Promise<Page<T>> {
  const folded = foldedSearch(options.search);
  const plan = orderPlan(kind, options.orderPrefix, folded);
  const after = afterKey(options.after, plan);

  const knex = em.getKnex();
  const base = knex(`${options.table} as c`);
  options.where?.(base);
  if (folded !== undefined) {
    const contains = containsPattern(folded);
    base.whereRaw(
      `(c.sort_label like ? ${LIKE_ESCAPE} or c.search_alt_labels like ? ${LIKE_ESCAPE} or c.search_description like ? ${LIKE_ESCAPE})`,
      [contains, contains, contains],
    );
  }
  const countRow = (await base.clone().count({ count: '*' }).first()) as { count: number | string } | undefined;
  const totalCount = Number(countRow?.count ?? 0);

  const rowsQuery = base.clone().select('c.*');
  const ranked = plan.rankParams.length > 0;
  // The rank is selected so cursors carry exactly what SQL ordered by.
  if (ranked) rowsQuery.select(knex.raw(`${plan.expressions[0]} as search_rank`, plan.rankParams));
  if (after) rowsQuery.whereRaw(keysetCondition(plan.expressions, after).sql, bindKeyset(plan, after));
  for (const expression of plan.expressions) {
    rowsQuery.orderByRaw(`${expression} asc`, expression.includes('?') ? plan.rankParams : []);
  }
  rowsQuery.limit(options.first + 1);
  const rows = (await rowsQuery) as Record<string, unknown>[];

  const ranks = new Map<T, number>();
  const entities = rows.map(({ search_rank: rank, ...columns }) => {
    const entity = em.map(options.entity, columns);
    if (ranked) ranks.set(entity, Number(rank));
    return entity;
  });
  const cursorOf = (row: T) =>
    encodeCursor(plan.name, ranked ? [ranks.get(row) ?? MAX_RANK, row.sortLabel, row.uri] : [row.sortLabel, row.uri]);
  return buildPage(entities, options.first, totalCount, cursorOf, options.after);
}

export interface SkillPageArgs {
  search?: string | null;
  filter?: SkillFilter | null;
  /** Only skills directly in this group (a narrower concept of it). */
  groupUri?: string;
  first: number;
  after?: string | null;
}

/** One page of skills: searched and ranked when `search` is given, otherwise by label. */
export function findSkillsPage(em: SqlEntityManager, kind: DatabaseKind, args: SkillPageArgs): Promise<Page<Skill>> {
  const { filter, groupUri } = args;
  return conceptPage(em, kind, {
    entity: Skill,
    table: 'esco_skill',
    orderPrefix: 'SKILL',
    search: args.search,
    first: args.first,
    after: args.after,
    where: (query) => {
      if (filter?.skillType) query.where('c.skill_type', filter.skillType);
      if (filter?.reuseLevel) query.where('c.reuse_level', filter.reuseLevel);
      if (filter?.collection) {
        query.whereRaw('exists (select 1 from esco_skill_collection m where m.skill_uri = c.uri and m.collection = ?)', [filter.collection]);
      }
      if (groupUri) {
        query.whereRaw('exists (select 1 from esco_broader_relation b where b.narrower_uri = c.uri and b.broader_uri = ?)', [groupUri]);
      }
    },
  });
}

/** One page of occupations: searched and ranked when `search` is given, otherwise by label. */
export function findOccupationsPage(
  em: SqlEntityManager,
  kind: DatabaseKind,
  args: { search?: string | null; first: number; after?: string | null },
): Promise<Page<Occupation>> {
  return conceptPage(em, kind, {
    entity: Occupation,
    table: 'esco_occupation',
    orderPrefix: 'OCCUPATION',
    search: args.search,
    first: args.first,
    after: args.after,
  });
}

/** Number of skills, skill groups and occupations, in one query. */
export async function countConcepts(em: SqlEntityManager): Promise<{ skills: number; skillGroups: number; occupations: number }> {
  const knex = em.getKnex();
  const row = (await knex
    .select(
      knex.raw(
        '(select count(*) from esco_skill) as skills, (select count(*) from esco_skill_group) as skill_groups, (select count(*) from esco_occupation) as occupations',
      ),
    )
    .first()) as { skills: number | string; skill_groups: number | string; occupations: number | string };
  return { skills: Number(row.skills), skillGroups: Number(row.skill_groups), occupations: Number(row.occupations) };
}

/** Skill groups by label: all of them, or only the roots of the hierarchy (no broader group). */
export async function findSkillGroups(em: SqlEntityManager, kind: DatabaseKind, topLevelOnly: boolean): Promise<SkillGroup[]> {
  const query = em.getKnex()('esco_skill_group as g').select('g.*');
  if (topLevelOnly) {
    query.whereRaw(
      'not exists (select 1 from esco_broader_relation b join esco_skill_group p on p.uri = b.broader_uri where b.narrower_uri = g.uri)',
    );
  }
  query.orderByRaw(`${byteOrder(kind, 'g.sort_label')}, ${byteOrder(kind, 'g.uri')}`);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((row) => em.map(SkillGroup, row));
}
