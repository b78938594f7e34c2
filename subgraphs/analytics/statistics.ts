import { callService } from '../../lib/subgraph-calls.js';
import { addTwoWayTable, determinedCells, suppress, type SumConstraint } from '../../lib/suppression.js';
import { StatisticsDimension } from '../member/statistics.js';
import type { AnalyticsService } from './context.js';
import { readMobility } from './mobility.js';
import { buildSdgTable } from './sdg.js';
import { publishSkills, type SkillAwardRow } from './skills.js';
import { STATISTICS_READER, type Publication, type PublishedCounts, type PublishedMobility, type PublishedSkills, type PublishedTable, type MemberCountRow } from './publication.js';

/*
 * The alliance statistics as one publication (docs/analytics.md, "Alliance
 * statistics"). Members aggregate locally (member contract 1.7.0,
 * `memberStatistics`); the hub reads every member's counts by each dimension
 * in one call to the router, merges them into tables (member × dimension,
 * with member totals, dimension totals and the alliance total) and
 * suppresses every measure over all tables together, so the same count is
 * hidden the same way wherever it appears and no table can be subtracted
 * from another to recover it. Analysts read only these tables; the
 * publication stands while the next is built, at most every `statisticsTtlMs`
 * (standing.ts).
 */

export const MEASURES = ['enrolments', 'completions', 'passed'] as const;
export type Measure = (typeof MEASURES)[number];
/** Attributes of the offering: one grouped query ("the cube") answers all of them. */
const CUBE_DIMENSIONS = [
  StatisticsDimension.KIND,
  StatisticsDimension.MICRO_CREDENTIAL_TYPE,
  StatisticsDimension.EQF_LEVEL,
  StatisticsDimension.ISCED_F,
  StatisticsDimension.MODE,
  StatisticsDimension.TERM,
  StatisticsDimension.SDG_CHALLENGE,
];
/** Of the enrolment and of the learner: a query each. */
const OWN_DIMENSIONS = [StatisticsDimension.MONTH, StatisticsDimension.HOME_MEMBER];
/** The additive dimensions: every table's rows add up to the member totals (SDG, which does not, is sdg.ts). */
export const DIMENSIONS = [...CUBE_DIMENSIONS, ...OWN_DIMENSIONS];


type RawRow = MemberCountRow;

const ROW = 'member keys enrolments completions passed ectsAwarded';

/** Sums rows into groups by the values `keyOf` picks. */
function regroup(rows: readonly RawRow[], keyOf: (row: RawRow) => string[]): RawRow[] {
  const groups = new Map<string, RawRow>();
  for (const row of rows) {
    const keys = keyOf(row);
    const id = JSON.stringify([row.member, ...keys]);
    const group = groups.get(id) ?? { member: row.member, keys, enrolments: 0, completions: 0, passed: 0, ectsAwarded: 0 };
    group.enrolments += row.enrolments;
    group.completions += row.completions;
    group.passed += row.passed;
    group.ectsAwarded += row.ectsAwarded;
    groups.set(id, group);
  }
  return [...groups.values()];
}

export interface MemberCounts {
  totals: RawRow[];
  byDimension: Map<StatisticsDimension, RawRow[]>;
  /** By SDG (overlapping: an offering counts under each of its SDGs). */
  bySdg: RawRow[];
  /** Passed assessments per member and ESCO skill. */
  skills: SkillAwardRow[];
  unavailable: string[];
}

const ALIAS: Partial<Record<StatisticsDimension, string>> = { MONTH: 'month', HOME_MEMBER: 'home', SDG: 'sdg' };

/**
 * Every member's counts: by all offering dimensions at once, by month, by
 * home member, by SDG and per skill - through the router, which asks each
 * member. A member that failed any part is left out of all of them, so
 * every table of the publication counts the same members.
 */
async function readCounts(service: AnalyticsService): Promise<MemberCounts> {
  // Three rounds, one after the other, each one request to every member: a member answers each within its
  // deadline, where asking everything at once would make it count everything before the deadline (and in
  // the embedded hub, where 13 members share one process, the last member would answer after it).
  const rounds = [
    `cube: memberStatistics(groupBy: [${CUBE_DIMENSIONS.join(', ')}]) { ${ROW} } sdg: memberStatistics(groupBy: [SDG]) { ${ROW} } skills: memberSkillCounts { member skillUri awards }`,
    `month: memberStatistics(groupBy: [MONTH]) { ${ROW} }`,
    `home: memberStatistics(groupBy: [HOME_MEMBER]) { ${ROW} }`,
  ];
  const data: Record<string, unknown[] | null> = {};
  const failed = new Set<string>();
  for (const [index, selection] of rounds.entries()) {
    const body = await callService(service.sources, 'members', STATISTICS_READER, `query AllianceStatistics${index + 1} { ${selection} }`, {}, 'no statistics were published');
    Object.assign(data, (body.data ?? {}) as Record<string, unknown[] | null>);
    for (const error of body.errors ?? []) if (typeof error.extensions?.['member'] === 'string') failed.add(error.extensions['member']);
  }
  const unavailable = [...failed].sort();
  const answered = <T extends { member: string }>(alias: string) => ((data[alias] ?? []) as T[]).filter((row) => !failed.has(row.member));
  const cube = answered<RawRow>('cube');
  const byDimension = new Map<StatisticsDimension, RawRow[]>(CUBE_DIMENSIONS.map((dimension, index) => [dimension, regroup(cube, (row) => [row.keys[index] ?? 'unknown'])]));
  for (const dimension of OWN_DIMENSIONS) byDimension.set(dimension, regroup(answered<RawRow>(ALIAS[dimension] as string), (row) => [row.keys[0] ?? 'unknown']));
  return { totals: regroup(cube, () => []), byDimension, bySdg: answered<RawRow>('sdg'), skills: answered<SkillAwardRow>('skills'), unavailable };
}

/** Builds the publication from the members' counts: tables, then suppression per measure over all of them. */
export function buildPublication(counts: MemberCounts, mobility: PublishedMobility, skills: PublishedSkills, k: number, at: Date): Publication {
  // Members that answered, in a fixed order; a member with no enrolments still has its (zero) row.
  const members = [...new Set(counts.totals.map((row) => row.member))].sort();
  const totalOf = (member: string) => counts.totals.find((row) => row.member === member);
  const columnsOf = new Map(DIMENSIONS.map((dimension) => [dimension, [...new Set((counts.byDimension.get(dimension) ?? []).map((row) => row.keys[0] ?? 'unknown'))].sort()]));
  const raw = (measure: Measure | 'ectsAwarded', dimension: StatisticsDimension, member: string, column: string) =>
    (counts.byDimension.get(dimension) ?? []).filter((row) => row.member === member && (row.keys[0] ?? 'unknown') === column).reduce((sum, row) => sum + row[measure], 0);

  // One linear system per measure: the member totals and the grand total shared by every table.
  const hiddenByMeasure = new Map<Measure, boolean[]>();
  const systemFor = (measure: Measure) => {
    const values: number[] = [];
    const constraints: SumConstraint[] = [];
    const memberTotal = new Map(members.map((member) => [member, values.push(totalOf(member)?.[measure] ?? 0) - 1]));
    const grand = values.push(members.reduce((sum, member) => sum + (totalOf(member)?.[measure] ?? 0), 0)) - 1;
    constraints.push({ total: grand, parts: members.map((member) => memberTotal.get(member) as number) });
    const tables = new Map<StatisticsDimension, ReturnType<typeof addTwoWayTable>>();
    for (const dimension of DIMENSIONS) {
      const columns = columnsOf.get(dimension) as string[];
      const cells = members.map((member) => columns.map((column) => raw(measure, dimension, member, column)));
      const system = { values, constraints };
      const table = addTwoWayTable(system, {
        cells,
        rowTotals: members.map((_, r) => (cells[r] as number[]).reduce((a, b) => a + b, 0)),
        columnTotals: columns.map((_, c) => cells.reduce((sum, row) => sum + (row[c] as number), 0)),
        total: cells.flat().reduce((a, b) => a + b, 0),
      });
      // The table's margins are the shared member totals and grand total again.
      members.forEach((member, r) => constraints.push({ total: memberTotal.get(member) as number, parts: [table.rowTotal(r)] }));
      constraints.push({ total: grand, parts: [table.total] });
      tables.set(dimension, table);
    }
    return { values, constraints, memberTotal, grand, tables };
  };

  const systems = new Map(MEASURES.map((measure) => [measure, systemFor(measure)] as const));
  for (const measure of MEASURES) {
    const { values, constraints } = systems.get(measure) as ReturnType<typeof systemFor>;
    hiddenByMeasure.set(measure, suppressInParts(values, constraints, k, systems.get(measure) as ReturnType<typeof systemFor>, members, columnsOf));
  }

  const published = (measure: Measure, variable: number): number | null => ((hiddenByMeasure.get(measure) as boolean[])[variable] ? null : ((systems.get(measure) as ReturnType<typeof systemFor>).values[variable] as number));
  const countsAt = (variableOf: (system: ReturnType<typeof systemFor>) => number, ects: () => number): PublishedCounts => {
    const at = (measure: Measure) => published(measure, variableOf(systems.get(measure) as ReturnType<typeof systemFor>));
    const passed = at('passed');
    return { enrolments: at('enrolments'), completions: at('completions'), passed, ectsAwarded: passed === null ? null : Math.round(ects() * 10) / 10 };
  };
  const memberEcts = (member: string) => totalOf(member)?.ectsAwarded ?? 0;
  const byMember: PublishedTable = {
    dimension: null,
    columns: [],
    members,
    cells: [],
    memberTotals: members.map((member) => countsAt((system) => system.memberTotal.get(member) as number, () => memberEcts(member))),
    columnTotals: [],
    total: countsAt((system) => system.grand, () => members.reduce((sum, member) => sum + memberEcts(member), 0)),
  };
  const byDimension = new Map<StatisticsDimension, PublishedTable>();
  for (const dimension of DIMENSIONS) {
    const columns = columnsOf.get(dimension) as string[];
    const tableOf = (system: ReturnType<typeof systemFor>) => system.tables.get(dimension) as ReturnType<typeof addTwoWayTable>;
    byDimension.set(dimension, {
      dimension,
      columns,
      members,
      cells: members.map((member, r) => columns.map((column, c) => countsAt((system) => tableOf(system).cell(r, c), () => raw('ectsAwarded', dimension, member, column)))),
      memberTotals: byMember.memberTotals,
      columnTotals: columns.map((column, c) => countsAt((system) => tableOf(system).columnTotal(c), () => members.reduce((sum, member) => sum + raw('ectsAwarded', dimension, member, column), 0))),
      total: byMember.total,
    });
  }
  byDimension.set(
    StatisticsDimension.SDG,
    buildSdgTable(counts.bySdg, members, k, {
      raw: (measure, member) => totalOf(member)?.[measure] ?? 0,
      hidden: (measure, member) => Boolean((hiddenByMeasure.get(measure) as boolean[])[(systems.get(measure) as ReturnType<typeof systemFor>).memberTotal.get(member) as number]),
      memberTotals: byMember.memberTotals,
      total: byMember.total,
    }),
  );
  return { at, k, byMember, byDimension, unavailable: counts.unavailable, mobility, skills };
}

/**
 * Suppression of one measure's whole system, table by table first (each
 * small, so fast), with the hidden shared margins carried from table to table
 * until none changes, then checked on the whole system and completed there if
 * a combination of tables still gives a cell away.
 */
function suppressInParts(
  values: readonly number[],
  constraints: readonly SumConstraint[],
  k: number,
  system: { memberTotal: Map<string, number>; grand: number; tables: Map<StatisticsDimension, ReturnType<typeof addTwoWayTable>> },
  members: readonly string[],
  columnsOf: Map<StatisticsDimension, string[]>,
): boolean[] {
  const hidden = values.map((value) => value > 0 && value < k);
  const shared = [...system.memberTotal.values(), system.grand];
  for (let round = 0; round < 10; round += 1) {
    const before = shared.map((variable) => hidden[variable]).join();
    for (const dimension of DIMENSIONS) {
      const table = system.tables.get(dimension) as ReturnType<typeof addTwoWayTable>;
      const columns = (columnsOf.get(dimension) as string[]).length;
      // This table alone: its cells and margins, the margins tied to the shared totals.
      const local: number[] = [];
      members.forEach((_, r) => {
        for (let c = 0; c < columns; c += 1) local.push(table.cell(r, c));
      });
      members.forEach((_, r) => local.push(table.rowTotal(r)));
      for (let c = 0; c < columns; c += 1) local.push(table.columnTotal(c));
      local.push(table.total);
      const position = new Map(local.map((variable, i) => [variable, i]));
      const localConstraints = constraints.flatMap((constraint) => {
        const ids = [constraint.total, ...constraint.parts];
        if (!ids.every((variable) => position.has(variable))) return [];
        return [{ total: position.get(constraint.total) as number, parts: constraint.parts.map((part) => position.get(part) as number) }];
      });
      // A shared margin hidden anywhere is hidden here too (its copy in this table).
      const initially = local.map((variable, i) => {
        if (hidden[variable]) return true;
        const r = i - members.length * columns;
        if (r >= 0 && r < members.length) return Boolean(hidden[system.memberTotal.get(members[r] as string) as number]);
        if (variable === table.total) return Boolean(hidden[system.grand]);
        return false;
      });
      const result = suppress(local.map((variable) => values[variable] as number), localConstraints, k, initially);
      result.suppressed.forEach((value, i) => {
        if (!value) return;
        const variable = local[i] as number;
        hidden[variable] = true;
        const r = i - members.length * columns;
        if (r >= 0 && r < members.length) hidden[system.memberTotal.get(members[r] as string) as number] = true;
        if (variable === table.total) hidden[system.grand] = true;
      });
      // And the other way: the copies of hidden shared totals in every table.
      members.forEach((member, r) => {
        if (hidden[system.memberTotal.get(member) as number]) hidden[table.rowTotal(r)] = true;
      });
      if (hidden[system.grand]) hidden[table.total] = true;
    }
    if (shared.map((variable) => hidden[variable]).join() === before) break;
  }
  if (determinedCells(values.length, constraints, hidden).length === 0) return hidden;
  return suppress(values, constraints, k, hidden).suppressed;
}

/** Builds the alliance statistics: every member's counts, mobility and skills, merged and suppressed. */
export async function buildStatistics(service: AnalyticsService, at: Date): Promise<Publication> {
  const [counts, mobility] = await Promise.all([readCounts(service), readMobility(service, service.k)]);
  const members = [...new Set(counts.totals.map((row) => row.member))].sort();
  const skills = await publishSkills(service, counts.skills, members, service.k);
  return buildPublication(counts, mobility, skills, service.k, at);
}

/** The standing publication (rebuilt behind it when older than `statisticsTtlMs`; standing.ts). */
export function currentPublication(service: AnalyticsService): Promise<Publication> {
  return service.publication.read();
}
