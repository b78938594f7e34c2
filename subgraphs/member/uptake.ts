// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import DataLoader from 'dataloader';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { MAX_BATCH } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { READ_IN_PROCESS, type HeavyReads } from '../../lib/sqlite-reads.js';

/*
 * Uptake: what analysts see. Counts only, never a person, with the
 * small-cell rules of official statistics (FIELD-NOTES, "Privacy thresholds"):
 * - a count from 1 to SMALLEST_SHOWN - 1 is withheld (null);
 * - `passed` is withheld when the failures it implies (assessed - passed)
 *   are such a small count;
 * - complementary suppression: when only one offering's count of a kind is
 *   withheld, the next smallest is withheld too, and when the member has a
 *   single offering with that kind of count the member total is withheld,
 *   so no total minus the shown counts reveals a withheld one.
 * The whole member's pattern is computed at once (one grouped query per
 * table), so every offering and the total are answered consistently.
 */

/** Counts from 1 to this minus one are withheld (null). */
export const SMALLEST_SHOWN = 10;
/** How long a member keeps its uptake table across requests by default: the bound on how late a change shows. */
export const UPTAKE_TTL_MS = 10_000;

@ObjectType({
  description: `How much an offering (or a member's whole catalogue) was taken up. Counts from 1 to ${SMALLEST_SHOWN - 1}, and counts that would reveal one by difference, are withheld (null); 0 is shown.`,
})
export class Uptake {
  @Field(() => Int, { nullable: true, description: 'Learners (accounts) with at least one enrolment.' })
  learners!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments, whatever their status.' })
  enrolments!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments completed.' })
  completed!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments withdrawn.' })
  withdrawn!: number | null;

  @Field(() => Int, { nullable: true, description: 'Assessed achievements.' })
  assessed!: number | null;

  @Field(() => Int, { nullable: true, description: 'Passed assessments.' })
  passed!: number | null;

  @Field(() => Float, { nullable: true, description: 'ECTS credits awarded (withheld with `passed`).' })
  ectsAwarded!: number | null;
}

const KINDS = ['learners', 'enrolments', 'completed', 'withdrawn', 'assessed', 'passed'] as const;
type Kind = (typeof KINDS)[number] | 'ectsAwarded';
type Counts = Record<Kind, number> & { ectsAwarded: number };
const EMPTY: Counts = { learners: 0, enrolments: 0, completed: 0, withdrawn: 0, assessed: 0, passed: 0, ectsAwarded: 0 };
const TOTAL = '*';

const small = (count: number) => count > 0 && count < SMALLEST_SHOWN;

/**
 * Which counts to withhold, for every offering and the total (TOTAL), from
 * the member's full table of counts. Exported for its unit test.
 */
export function withheldCounts(perOffering: ReadonlyMap<string, Counts>, total: Counts): Map<string, Set<Kind>> {
  const withheld = new Map<string, Set<Kind>>([...perOffering.keys(), TOTAL].map((key) => [key, new Set<Kind>()]));
  const cells = new Map<string, Counts>([...perOffering, [TOTAL, total]]);
  for (const [key, counts] of cells) {
    const hidden = withheld.get(key) as Set<Kind>;
    for (const kind of KINDS) if (small(counts[kind])) hidden.add(kind);
    if (small(counts.assessed - counts.passed)) hidden.add('passed');
  }
  // ECTS awarded is withheld with `passed`, and the member's total ECTS whenever any offering's
  // `passed` is: otherwise the total and the offerings' (public) credit values give two equations
  // that solve the withheld counts exactly.
  if ([...perOffering.keys()].some((key) => withheld.get(key)?.has('passed'))) withheld.get(TOTAL)?.add('ectsAwarded');
  for (const kind of KINDS) {
    const nonZero = [...perOffering].filter(([, counts]) => counts[kind] > 0);
    const hidden = nonZero.filter(([key]) => withheld.get(key)?.has(kind));
    if (hidden.length === 1) {
      const next = nonZero.filter(([key]) => !withheld.get(key)?.has(kind)).sort((a, b) => a[1][kind] - b[1][kind])[0];
      if (next) withheld.get(next[0])?.add(kind);
      else withheld.get(TOTAL)?.add(kind);
    }
  }
  return withheld;
}

function toUptake(counts: Counts, hidden: ReadonlySet<Kind>): Uptake {
  const show = (kind: Kind) => (hidden.has(kind) ? null : counts[kind]);
  const passed = show('passed');
  return {
    learners: show('learners'),
    enrolments: show('enrolments'),
    completed: show('completed'),
    withdrawn: show('withdrawn'),
    assessed: show('assessed'),
    passed,
    ectsAwarded: passed === null || hidden.has('ectsAwarded') ? null : Math.round(counts.ectsAwarded * 10) / 10,
  };
}

/**
 * Uptake per offering id (TOTAL, '*', for the member's whole catalogue). The
 * first load of a request reads the member's whole table in three grouped
 * queries; the suppression pattern depends on all of it.
 */
type UptakeTable = { perOffering: Map<string, Counts>; total: Counts; withheld: Map<string, Set<Kind>> };

/**
 * The member's uptake table, kept for `ttlMs` across requests. Computing it
 * reads every enrolment and achievement (three grouped queries): at 300,000
 * learners some 100,000 rows a member, and the analysts' quality page asks
 * every member for it on every load. Uptake is an aggregate with small counts
 * withheld, for analysts and the member's staff; a change shows within ttlMs.
 */
export interface UptakeCache {
  get(compute: () => Promise<UptakeTable>): Promise<UptakeTable>;
}

export function createUptakeCache(ttlMs: number, now: () => number = Date.now): UptakeCache {
  let kept: { at: number; table: Promise<UptakeTable> } | undefined;
  return {
    get(compute) {
      if (kept && now() - kept.at < ttlMs) return kept.table;
      const table = compute();
      const entry = { at: now(), table };
      kept = entry;
      // A failed computation is not kept: the next request tries again.
      table.catch(() => {
        if (kept === entry) kept = undefined;
      });
      return table;
    },
  };
}

/** No keeping: every request computes its own table (tests, and a member configured so). */
export const UNCACHED_UPTAKE: UptakeCache = { get: (compute) => compute() };

export function uptakeLoader(em: SqlEntityManager, reads: HeavyReads = READ_IN_PROCESS, cache: UptakeCache = UNCACHED_UPTAKE): DataLoader<string, Uptake> {
  let table: Promise<UptakeTable> | undefined;
  const load = async (): Promise<UptakeTable> => {
    const knex = em.getKnex();
    type Row = Record<string, string | number | null>;
    const number = (value: string | number | null | undefined) => Number(value ?? 0);
    const perOffering = new Map<string, Counts>();
    const merge = (key: string, values: Partial<Counts>) => perOffering.set(key, { ...(perOffering.get(key) ?? EMPTY), ...values });
    const enrolments = (await reads.rows<Row>(knex('enrolment')
      .select(
        'opportunity_id',
        knex.raw('count(*) as enrolments'),
        knex.raw('count(distinct account_id) as learners'),
        knex.raw("sum(case when status = 'COMPLETED' then 1 else 0 end) as completed"),
        knex.raw("sum(case when status = 'WITHDRAWN' then 1 else 0 end) as withdrawn"),
      )
      .groupBy('opportunity_id'))) as Row[];
    for (const row of enrolments) {
      merge(String(row['opportunity_id']), { enrolments: number(row['enrolments']), learners: number(row['learners']), completed: number(row['completed']), withdrawn: number(row['withdrawn']) });
    }
    const achievements = (await reads.rows<Row>(knex('achievement')
      .select(
        'opportunity_id',
        knex.raw('count(*) as assessed'),
        knex.raw('sum(case when passed then 1 else 0 end) as passed'),
        knex.raw('sum(case when passed then ects_awarded else 0 end) as ects'),
      )
      .groupBy('opportunity_id'))) as Row[];
    for (const row of achievements) merge(String(row['opportunity_id']), { assessed: number(row['assessed']), passed: number(row['passed']), ectsAwarded: number(row['ects']) });
    // Learners are counted once across offerings, so their total is not a sum.
    const [distinct] = (await reads.rows<Row>(knex('enrolment').select(knex.raw('count(distinct account_id) as learners')))) as Row[];
    const total: Counts = { ...EMPTY, learners: number(distinct?.['learners']) };
    for (const counts of perOffering.values()) {
      for (const kind of KINDS) if (kind !== 'learners') total[kind] += counts[kind];
      total.ectsAwarded += counts.ectsAwarded;
    }
    return { perOffering, total, withheld: withheldCounts(perOffering, total) };
  };
  return new DataLoader<string, Uptake>(
    async (keys) => {
      table ??= cache.get(load);
      const { perOffering, total, withheld } = await table;
      return keys.map((key) => toUptake(key === TOTAL ? total : (perOffering.get(key) ?? EMPTY), withheld.get(key) ?? new Set()));
    },
    { maxBatchSize: MAX_BATCH },
  );
}
