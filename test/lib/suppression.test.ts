import { describe, expect, it } from 'vitest';
import { addTwoWayTable, determinedCells, suppress, type SumConstraint, type TwoWayTable } from '../../lib/suppression.js';

/*
 * Cell suppression, checked by an attacker that shares no code with it: for
 * small tables it enumerates every non-negative integer filling of the
 * hidden cells that agrees with everything published, and a hidden cell is
 * recovered when all fillings agree on it.
 */

/** Every value each hidden variable takes over all consistent fillings (brute force, with pruning). */
function attack(values: readonly number[], constraints: readonly SumConstraint[], hidden: readonly boolean[], bound: number): Map<number, Set<number>> {
  const unknown = values.flatMap((_, index) => (hidden[index] ? [index] : []));
  const seen = new Map(unknown.map((index) => [index, new Set<number>()]));
  const guess = new Map<number, number>();
  const value = (index: number) => (hidden[index] ? guess.get(index) : values[index]);
  // A constraint fails once all its variables are known and the sum is off, or a partial sum already exceeds the total.
  const consistent = () =>
    constraints.every((constraint) => {
      const total = value(constraint.total);
      const parts = constraint.parts.map(value);
      const known = parts.filter((part): part is number => part !== undefined);
      const sum = known.reduce((a, b) => a + b, 0);
      if (total === undefined) return true;
      if (known.length === parts.length) return sum === total;
      return sum <= total;
    });
  const fill = (position: number) => {
    if (position === unknown.length) {
      for (const index of unknown) seen.get(index)?.add(guess.get(index) as number);
      return;
    }
    const index = unknown[position] as number;
    for (let candidate = 0; candidate <= bound; candidate += 1) {
      guess.set(index, candidate);
      if (consistent()) fill(position + 1);
    }
    guess.delete(index);
  };
  fill(0);
  return seen;
}

function twoWay(cells: number[][]): TwoWayTable {
  const rowTotals = cells.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = (cells[0] ?? []).map((_, c) => cells.reduce((sum, row) => sum + (row[c] as number), 0));
  return { cells, rowTotals, columnTotals, total: rowTotals.reduce((a, b) => a + b, 0) };
}

function expectProtected(values: number[], constraints: SumConstraint[], suppressed: boolean[], k: number) {
  const bound = Math.max(...values);
  const ranges = attack(values, constraints, suppressed, bound);
  for (const [index, taken] of ranges) {
    expect(taken.has(values[index] as number), `variable ${index}: the truth is among the fillings`).toBe(true);
    expect(taken.size, `variable ${index} (value ${values[index]}) is recovered`).toBeGreaterThan(1);
  }
  for (const [index, value] of values.entries()) if (value > 0 && value < k) expect(suppressed[index], `variable ${index} below k is published`).toBe(true);
}

describe('cell suppression', () => {
  it('hides a count below k and, in a list with a total, the smallest other count that keeps it hidden', () => {
    // Learners per member, and the total.
    const values = [12, 3, 40, 7, 0, 62];
    const constraints = [{ total: 5, parts: [0, 1, 2, 3, 4] }];
    const result = suppress(values, constraints, 5);
    expect(result.primary).toEqual([1]);
    expect(result.secondary).toEqual([3]);
    expect(result.suppressed[4]).toBe(false);
    // Without the complement, the attacker subtracts: 62 − 12 − 40 − 7 − 0 = 3.
    const naive = values.map((value) => value > 0 && value < 5);
    expect([...attack(values, constraints, naive, 62).get(1) ?? []]).toEqual([3]);
    expectProtected(values, constraints, result.suppressed, 5);
  });

  it('hides a rectangle in a two-way table with margins, so no row, column or total gives a hidden cell away', () => {
    const system = { values: [] as number[], constraints: [] as SumConstraint[] };
    const table = addTwoWayTable(system, twoWay([[9, 2, 14], [11, 8, 6], [7, 12, 10]]));
    const result = suppress(system.values, system.constraints, 5);
    expect(result.primary).toEqual([table.cell(0, 1)]);
    expect(result.secondary.length).toBeGreaterThanOrEqual(3);
    expect(determinedCells(system.values.length, system.constraints, result.suppressed)).toEqual([]);
    expectProtected(system.values, system.constraints, result.suppressed, 5);
  });

  it('breaks a chain where every line has two hidden cells but one cell still follows from the others', () => {
    // Two 2×2 blocks of small counts joined by one small cell: each row and column has two hidden cells,
    // yet the joining cell is a bridge and follows from the margins.
    const cells = [
      [1, 1, 0, 0, 9],
      [1, 1, 2, 0, 9],
      [0, 0, 1, 1, 9],
      [0, 0, 1, 1, 9],
      [9, 9, 9, 9, 9],
    ];
    const system = { values: [] as number[], constraints: [] as SumConstraint[] };
    const table = addTwoWayTable(system, twoWay(cells));
    const primaryOnly = system.values.map((value) => value > 0 && value < 3);
    expect(determinedCells(system.values.length, system.constraints, primaryOnly)).toContain(table.cell(1, 2));
    const result = suppress(system.values, system.constraints, 3);
    expect(determinedCells(system.values.length, system.constraints, result.suppressed)).toEqual([]);
  });

  it('protects tables published together against differencing: a total with and without one filter value', () => {
    // Enrolments by member, and by member × kind (courses, challenges): the attacker subtracts one from the other.
    const byMemberAndKind = [
      [20, 4],
      [15, 9],
      [30, 11],
    ];
    const system = { values: [] as number[], constraints: [] as SumConstraint[] };
    const twoDimensional = addTwoWayTable(system, twoWay(byMemberAndKind));
    // The one-way table "by member" is published too: its cells are the two-way table's row totals again.
    const oneWayBase = system.values.length;
    system.values.push(24, 24, 41, 89);
    for (let member = 0; member < 3; member += 1) system.constraints.push({ total: oneWayBase + member, parts: [twoDimensional.rowTotal(member)] });
    system.constraints.push({ total: oneWayBase + 3, parts: [oneWayBase, oneWayBase + 1, oneWayBase + 2] }, { total: twoDimensional.total, parts: [oneWayBase + 3] });
    const result = suppress(system.values, system.constraints, 5);
    expect(result.suppressed[twoDimensional.cell(0, 1)]).toBe(true);
    expectProtected(system.values, system.constraints, result.suppressed, 5);
  });

  it('keeps every random small table safe against the attacker, and is deterministic', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let attacked = 0;
    for (let round = 0; round < 30; round += 1) {
      const rows = 2 + Math.floor(random() * 2);
      const columns = 2 + Math.floor(random() * 2);
      const cells = Array.from({ length: rows }, () => Array.from({ length: columns }, () => (random() < 0.25 ? Math.floor(random() * 4) : 4 + Math.floor(random() * 6))));
      const system = { values: [] as number[], constraints: [] as SumConstraint[] };
      addTwoWayTable(system, twoWay(cells));
      const result = suppress(system.values, system.constraints, 4);
      expect(suppress(system.values, system.constraints, 4)).toEqual(result);
      // The attacker's search is exponential in the hidden cells: check the tables it can finish.
      if (result.suppressed.filter(Boolean).length <= 6) {
        expectProtected(system.values, system.constraints, result.suppressed, 4);
        attacked += 1;
      }
      expect(determinedCells(system.values.length, system.constraints, result.suppressed)).toEqual([]);
    }
    expect(attacked).toBeGreaterThanOrEqual(10);
  });

  it('refuses k below the floor of 3', () => {
    expect(() => suppress([1, 2, 3], [{ total: 2, parts: [0, 1] }], 2)).toThrow(/at least 3/);
    expect(() => suppress([1, 2, 3], [{ total: 2, parts: [0, 1] }], 4.5)).toThrow(RangeError);
  });
});
