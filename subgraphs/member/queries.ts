import type { Knex } from '@mikro-orm/knex';
import { byteOrder, pageInIdOrder, type DatabaseKind, type SqlEntityManager } from '../../lib/orm.js';
import { buildPage, decodeCursor, type CursorValueType, encodeCursor, ID_CURSOR, keysetCondition, type Page, type SortValue } from '../../lib/pagination.js';
import { containsPattern, foldText, LIKE_ESCAPE, prefixPattern } from '../../lib/text.js';
import { OfferingOrder } from './enums.js';
import { validateOfferingFilter, type OfferingFilter } from './inputs.js';
import { Achievement, LearnerAccount, LearningOpportunity } from './model.js';

/** Start dates sort with this stand-in when missing, so undated offerings come last. */
export const NO_START_DATE = '9999-12-31';

export interface OfferingPageArgs {
  filter?: OfferingFilter | null;
  orderBy?: OfferingOrder | null;
  first: number;
  after?: string | null;
}

/** The order actually used: RELEVANCE needs a text to rank by. */
export function effectiveOfferingOrder(filter: OfferingFilter | null | undefined, orderBy: OfferingOrder | null | undefined): OfferingOrder {
  const hasText = Boolean(filter?.text && filter.text.trim());
  if (!orderBy) return hasText ? OfferingOrder.RELEVANCE : OfferingOrder.TITLE;
  return orderBy === OfferingOrder.RELEVANCE && !hasText ? OfferingOrder.TITLE : orderBy;
}

/**
 * What an offerings cursor holds for each order (part of the member contract:
 * the router checks a client's cursor against it before forwarding).
 */
export const OFFERING_CURSOR_SHAPES: Record<OfferingOrder, CursorValueType[]> = {
  [OfferingOrder.RELEVANCE]: [{ integerFrom: 0, to: 2 }, 'string', 'string'],
  [OfferingOrder.TITLE]: ['string', 'string'],
  [OfferingOrder.START_DATE]: ['string', 'string'],
};

/** Learner-account cursors: ordered by id alone. */
/** Learner accounts are ordered by id; the router checks `after` against this. */
export const ACCOUNT_CURSOR = ID_CURSOR;

interface OrderPlan {
  /** SQL expressions of the sort key, in order; the last one is the id. */
  expressions: string[];
  /** What each position of the cursor holds. */
  shape: CursorValueType[];
  params: SortValue[];
  /** The sort key of a loaded row (must equal what the SQL computes). */
  keyOf: (row: LearningOpportunity) => SortValue[];
}

function relevanceRank(row: LearningOpportunity, folded: string): number {
  if (row.sortTitle.startsWith(folded)) return 0;
  if (row.sortTitle.includes(folded)) return 1;
  return 2;
}

function orderPlan(kind: DatabaseKind, order: OfferingOrder, folded: string | undefined): OrderPlan {
  const id = byteOrder(kind, 'o.id');
  const title = byteOrder(kind, 'o.sort_title');
  switch (order) {
    case OfferingOrder.RELEVANCE: {
      const text = folded ?? '';
      return {
        expressions: [`(case when o.sort_title like ? ${LIKE_ESCAPE} then 0 when o.sort_title like ? ${LIKE_ESCAPE} then 1 else 2 end)`, title, id],
        shape: OFFERING_CURSOR_SHAPES[OfferingOrder.RELEVANCE],
        params: [prefixPattern(text), containsPattern(text)],
        keyOf: (row) => [relevanceRank(row, text), row.sortTitle, row.id],
      };
    }
    case OfferingOrder.START_DATE:
      return {
        expressions: [byteOrder(kind, `coalesce(o.start_date, '${NO_START_DATE}')`), id],
        shape: OFFERING_CURSOR_SHAPES[OfferingOrder.START_DATE],
        params: [],
        keyOf: (row) => [row.startDate ?? NO_START_DATE, row.id],
      };
    case OfferingOrder.TITLE:
      return { expressions: [title, id], shape: OFFERING_CURSOR_SHAPES[OfferingOrder.TITLE], params: [], keyOf: (row) => [row.sortTitle, row.id] };
  }
}

function applyFilter(query: Knex.QueryBuilder, filter: OfferingFilter | null | undefined, folded: string | undefined): void {
  if (!filter) return;
  if (folded) query.whereRaw(`o.search_text like ? ${LIKE_ESCAPE}`, [containsPattern(folded)]);
  if (filter.kinds?.length) query.whereIn('o.kind', filter.kinds);
  if (filter.microCredentialTypes?.length) query.whereIn('o.micro_credential_type', filter.microCredentialTypes);
  if (filter.eqfLevels?.length) query.whereIn('o.eqf_level', filter.eqfLevels);
  if (filter.modes?.length) query.whereIn('o.mode', filter.modes);
  if (filter.creditBearing !== null && filter.creditBearing !== undefined) query.where('o.credit_bearing', filter.creditBearing);
  // Lists are stored comma-separated; wrapping both sides in commas makes "1" not match "11".
  if (filter.sdg) query.whereRaw(`(',' || o.sdg_list || ',') like ?`, [`%,${filter.sdg},%`]);
  if (filter.language) query.whereRaw(`(',' || o.language_list || ',') like ?`, [`%,${filter.language},%`]);
  if (filter.skillUri) {
    query.whereExists(function skillOutcome(this: Knex.QueryBuilder) {
      this.select(this.client.raw('1')).from('learning_outcome as lo').whereRaw('lo.opportunity_id = o.id').andWhere('lo.skill_uri', filter.skillUri as string);
    });
  }
  if (filter.startsOnOrAfter) query.where('o.start_date', '>=', filter.startsOnOrAfter);
  if (filter.startsOnOrBefore) query.where('o.start_date', '<=', filter.startsOnOrBefore);
}

/**
 * One page of this member's offerings: one query for the rows and one for
 * the total, both filtered in SQL, ordered by a total key ending in the id.
 */
export async function findOfferingsPage(
  em: SqlEntityManager,
  kind: DatabaseKind,
  memberId: string,
  args: OfferingPageArgs,
): Promise<Page<LearningOpportunity>> {
  const { filter, first, after } = args;
  validateOfferingFilter(filter);
  const order = effectiveOfferingOrder(filter, args.orderBy);
  const folded = filter?.text ? foldText(filter.text) : undefined;
  const plan = orderPlan(kind, order, folded);
  const afterKey = after ? decodeCursor(after, order, plan.shape) : undefined;
  const cursorOf = (row: LearningOpportunity) => encodeCursor(order, plan.keyOf(row));
  if (filter?.institutionIds && !filter.institutionIds.includes(memberId)) {
    return buildPage([], first, 0, cursorOf, after);
  }

  const knex = em.getKnex();
  // The catalogue lists what is offered: a withdrawn offering stays readable by id (its records refer to it), not listed.
  const base = knex('learning_opportunity as o').whereNull('o.withdrawn_at');
  applyFilter(base, filter, folded);
  const countRow = (await base.clone().count({ count: '*' }).first()) as { count: number | string } | undefined;
  const totalCount = Number(countRow?.count ?? 0);

  const rowsQuery = base.clone().select('o.*');
  if (afterKey) {
    rowsQuery.whereRaw(keysetCondition(plan.expressions, afterKey).sql, bindKeyset(plan, afterKey));
  }
  for (const expression of plan.expressions) {
    rowsQuery.orderByRaw(`${expression} asc`, expression.includes('?') ? plan.params : []);
  }
  rowsQuery.limit(first + 1);
  const rows = (await rowsQuery) as Record<string, unknown>[];
  const entities = rows.map((row) => em.map(LearningOpportunity, row));
  return buildPage(entities, first, totalCount, cursorOf, after);
}

/**
 * Binds the parameters of `keysetCondition(plan.expressions, afterKey)`: the
 * rank expression carries its own parameters, repeated wherever it appears.
 */
function bindKeyset(plan: OrderPlan, afterKey: SortValue[]): SortValue[] {
  const params: SortValue[] = [];
  for (let i = 0; i < plan.expressions.length; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      if ((plan.expressions[j] as string).includes('?')) params.push(...plan.params);
      params.push(afterKey[j] as SortValue);
    }
  }
  return params;
}

/**
 * One page of this member's learner accounts, ordered by id: all of them, or
 * only those of the given alliance learners (what the caller may see).
 */
export function findAccountsPage(
  em: SqlEntityManager,
  kind: DatabaseKind,
  args: { first: number; after?: string | null; learners: 'all' | readonly string[] },
): Promise<Page<LearnerAccount>> {
  const base = em.getKnex()('learner_account as a');
  if (args.learners !== 'all') base.whereIn('a.alliance_learner_id', [...args.learners]);
  return pageInIdOrder(em, kind, base, { alias: 'a', entity: LearnerAccount, first: args.first, after: args.after ?? null });
}

/**
 * One page of the achievements of one offering (a cohort), ordered by id:
 * for issuing its credentials in bulk.
 */
export function findCohortPage(
  em: SqlEntityManager,
  kind: DatabaseKind,
  args: { opportunityId: string; passed: boolean | null; first: number; after?: string | null },
): Promise<Page<Achievement>> {
  const base = em.getKnex()('achievement as a').where('a.opportunity_id', args.opportunityId);
  if (args.passed !== null) base.andWhere('a.passed', args.passed);
  return pageInIdOrder(em, kind, base, { alias: 'a', entity: Achievement, first: args.first, after: args.after ?? null });
}
