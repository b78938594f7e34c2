import { suppress, type SumConstraint } from '../../lib/suppression.js';
import { StatisticsDimension } from '../member/statistics.js';
import type { MemberCountRow, PublishedCounts, PublishedTable } from './publication.js';

/*
 * The table by UN Sustainable Development Goal (docs/analytics.md, "SDGs").
 * An offering has several SDGs and counts under each, so a member's cells
 * overlap: they do not add up to its total, and the table gets equations of
 * its own - each SDG's column total is the sum of the members' cells. Where
 * a member's cells do add up to its total (every offering with enrolments
 * there has at most one SDG, which the public catalogue shows), that row
 * equation holds too and ties the table to the member total the main
 * publication already published: the total then takes part as a fixed
 * value, never hidden here, so complements fall on SDG cells.
 */

type SdgRow = MemberCountRow;

type Measure = 'enrolments' | 'completions' | 'passed';
const MEASURES: Measure[] = ['enrolments', 'completions', 'passed'];

/** "1" … "17" in number order, then "none". */
function sdgOrder(a: string, b: string): number {
  const n = (value: string) => (value === 'none' ? 99 : Number(value));
  return n(a) - n(b);
}

export interface MainTotals {
  /** A member's exact total of a measure (the value the main publication suppressed). */
  raw: (measure: Measure, member: string) => number;
  /** Whether the main publication withheld that total. */
  hidden: (measure: Measure, member: string) => boolean;
  memberTotals: PublishedCounts[];
  total: PublishedCounts;
}

export function buildSdgTable(rows: readonly SdgRow[], members: readonly string[], k: number, main: MainTotals): PublishedTable {
  const columns = [...new Set(rows.map((row) => row.keys[0] ?? 'none'))].sort(sdgOrder);
  const raw = (measure: Measure | 'ectsAwarded', member: string, column: string) =>
    rows.filter((row) => row.member === member && (row.keys[0] ?? 'none') === column).reduce((sum, row) => sum + row[measure], 0);

  const hiddenOf = new Map<Measure, boolean[]>();
  const cellOf = (r: number, c: number) => r * columns.length + c;
  const columnTotalOf = (c: number) => members.length * columns.length + c;
  for (const measure of MEASURES) {
    const values: number[] = [];
    const constraints: SumConstraint[] = [];
    for (const member of members) for (const column of columns) values.push(raw(measure, member, column));
    for (const column of columns) values.push(members.reduce((sum, member) => sum + raw(measure, member, column), 0));
    columns.forEach((_, c) => constraints.push({ total: columnTotalOf(c), parts: members.map((_, r) => cellOf(r, c)) }));
    const initially: boolean[] = values.map(() => false);
    const fixed: boolean[] = values.map(() => false);
    members.forEach((member, r) => {
      const rowSum = columns.reduce((sum, _, c) => sum + (values[cellOf(r, c)] as number), 0);
      if (rowSum !== main.raw(measure, member)) return;
      // Additive row: its sum is the member's total, published (or withheld) by the main publication.
      const total = values.push(rowSum) - 1;
      constraints.push({ total, parts: columns.map((_, c) => cellOf(r, c)) });
      initially[total] = main.hidden(measure, member);
      fixed[total] = !main.hidden(measure, member);
    });
    hiddenOf.set(measure, suppress(values, constraints, k, initially, fixed).suppressed);
  }

  const countsAt = (variable: number, ects: number, value: (measure: Measure) => number): PublishedCounts => {
    const at = (measure: Measure) => ((hiddenOf.get(measure) as boolean[])[variable] ? null : value(measure));
    const passed = at('passed');
    return { enrolments: at('enrolments'), completions: at('completions'), passed, ectsAwarded: passed === null ? null : Math.round(ects * 10) / 10 };
  };
  return {
    dimension: StatisticsDimension.SDG,
    columns,
    members: [...members],
    cells: members.map((member, r) => columns.map((column, c) => countsAt(cellOf(r, c), raw('ectsAwarded', member, column), (measure) => raw(measure, member, column)))),
    // Each member's total and the alliance total are those of the main publication: not sums of this table.
    memberTotals: main.memberTotals,
    columnTotals: columns.map((column, c) =>
      countsAt(
        columnTotalOf(c),
        members.reduce((sum, member) => sum + raw('ectsAwarded', member, column), 0),
        (measure) => members.reduce((sum, member) => sum + raw(measure, member, column), 0),
      ),
    ),
    total: main.total,
  };
}
