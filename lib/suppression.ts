/*
 * Cell suppression for published count tables (docs/analytics.md, "Privacy").
 *
 * A set of tables is published together: every cell, row and column total
 * and grand total is a variable with a known value, and the tables' sums are
 * linear equations among them ("this total is the sum of these cells"),
 * within one table and across tables that share counts (the same learners
 * broken down two ways). An analyst who sees the published values can solve
 * those equations; a suppressed cell is *recovered* when the equations fix
 * its value.
 *
 * Primary suppression hides every value 1 … k−1 (zeros are published: they
 * describe nobody). Secondary (complementary) suppression then hides more
 * cells until no hidden value is determined by the published ones: a hidden
 * cell is determined exactly when the unit vector of its variable lies in the
 * row space of the equations restricted to hidden variables. Complements are
 * chosen among non-zero cells, so every hidden value is at least 1 and each
 * direction in which a hidden cell can move keeps all hidden values
 * non-negative for a small step: no hidden cell is pinned by non-negativity
 * either. Each complement is the smallest value that works (least
 * information lost), ties broken by the variable's order, so the result is
 * deterministic.
 */

/** The smallest k the hub accepts: below it, suppression protects almost nothing. */
export const MIN_K = 3;
export const DEFAULT_K = 5;

/** One equation: `total` equals the sum of `parts` (variables by index). */
export interface SumConstraint {
  total: number;
  parts: readonly number[];
}

export interface SuppressionResult {
  /** Per variable: suppressed (not to be published). */
  suppressed: boolean[];
  /** The variables suppressed because they are below k. */
  primary: number[];
  /** The variables suppressed so that the primary ones cannot be recovered. */
  secondary: number[];
}

export function checkK(k: number): number {
  if (!Number.isInteger(k) || k < MIN_K) throw new RangeError(`k must be an integer of at least ${MIN_K}; got ${k}.`);
  return k;
}

const EPSILON = 1e-9;

/**
 * Which hidden variables the published values determine. Gaussian elimination
 * of the equations over the hidden variables (published ones move to the
 * right-hand side and do not matter here): a hidden variable is determined
 * when some combination of the equations involves it alone, i.e. when its
 * unit vector is in the row space.
 */
export function determinedCells(variableCount: number, constraints: readonly SumConstraint[], hidden: readonly boolean[]): number[] {
  const columns = [...Array(variableCount).keys()].filter((index) => hidden[index]);
  if (columns.length === 0) return [];
  const position = new Map(columns.map((variable, index) => [variable, index]));
  // Each equation as a row over the hidden variables: total − Σ parts = 0.
  const rows: number[][] = [];
  for (const constraint of constraints) {
    const row = new Array<number>(columns.length).fill(0);
    let any = false;
    const add = (variable: number, coefficient: number) => {
      const at = position.get(variable);
      if (at === undefined) return;
      row[at] = (row[at] ?? 0) + coefficient;
      any = true;
    };
    add(constraint.total, 1);
    for (const part of constraint.parts) add(part, -1);
    if (any) rows.push(row);
  }
  // Reduced row echelon form.
  const pivots: number[] = [];
  let rank = 0;
  for (let column = 0; column < columns.length && rank < rows.length; column += 1) {
    let best = rank;
    for (let r = rank + 1; r < rows.length; r += 1) if (Math.abs((rows[r] as number[])[column] as number) > Math.abs((rows[best] as number[])[column] as number)) best = r;
    if (Math.abs((rows[best] as number[])[column] as number) < EPSILON) continue;
    [rows[rank], rows[best]] = [rows[best] as number[], rows[rank] as number[]];
    const pivotRow = rows[rank] as number[];
    const pivot = pivotRow[column] as number;
    for (let c = 0; c < columns.length; c += 1) pivotRow[c] = (pivotRow[c] as number) / pivot;
    for (let r = 0; r < rows.length; r += 1) {
      if (r === rank) continue;
      const row = rows[r] as number[];
      const factor = row[column] as number;
      if (Math.abs(factor) < EPSILON) continue;
      for (let c = 0; c < columns.length; c += 1) row[c] = (row[c] as number) - factor * (pivotRow[c] as number);
    }
    pivots.push(column);
    rank += 1;
  }
  // In RREF the row space contains a unit vector e_j exactly when some row is e_j (a pivot row with no free entries).
  const determined: number[] = [];
  for (let r = 0; r < rank; r += 1) {
    const row = rows[r] as number[];
    const nonZero = row.reduce((count, value) => count + (Math.abs(value) > EPSILON ? 1 : 0), 0);
    if (nonZero === 1) determined.push(columns[pivots[r] as number] as number);
  }
  return determined.sort((a, b) => a - b);
}

/**
 * The published variables closest to `target` in the equations' graph that
 * could hide it: non-zero ones at the smallest distance that has any; only
 * when none is left anywhere, the nearest zeros (hiding a zero tells
 * nothing, but it breaks an equation).
 */
function nearestCandidates(target: number, neighbours: readonly Set<number>[], hidden: readonly boolean[], values: readonly number[], fixed?: readonly boolean[]): number[] {
  const seen = new Set([target]);
  let frontier = [target];
  let zeros: number[] = [];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const at of frontier) {
      for (const neighbour of neighbours[at] ?? []) {
        if (seen.has(neighbour)) continue;
        seen.add(neighbour);
        next.push(neighbour);
      }
    }
    const open = next.filter((index) => !hidden[index] && !fixed?.[index]);
    const nonZero = open.filter((index) => (values[index] as number) > 0);
    if (nonZero.length > 0) return nonZero;
    if (zeros.length === 0) zeros = open;
    frontier = next;
  }
  return zeros;
}

/**
 * Primary and complementary suppression of `values` (counts ≥ 0) under
 * `constraints`, with threshold k. `initiallyHidden` cells are hidden from
 * the start (they count as secondary only if they are not below k).
 * `fixed` variables are published already (by another publication that
 * shares them, e.g. a member's total): they take part in the equations but
 * are never chosen to hide, so complements fall on this system's own cells.
 */
export function suppress(values: readonly number[], constraints: readonly SumConstraint[], k: number, initiallyHidden?: readonly boolean[], fixed?: readonly boolean[]): SuppressionResult {
  checkK(k);
  const primaryHidden = values.map((value, index) => value > 0 && value < k && !fixed?.[index]);
  const primary = values.flatMap((_, index) => (primaryHidden[index] ? [index] : []));
  // Cells hidden already (e.g. shared margins hidden by another table of the same publication) stay hidden.
  const hidden = primaryHidden.map((value, index) => value || Boolean(initiallyHidden?.[index]));
  const secondary: number[] = [];
  // The variables that share an equation with each variable: where a complement can help.
  const neighbours = values.map(() => new Set<number>());
  for (const constraint of constraints) {
    const members = [constraint.total, ...constraint.parts];
    for (const a of members) for (const b of members) if (a !== b) neighbours[a]?.add(b);
  }
  const byValue = (a: number, b: number) => (values[a] as number) - (values[b] as number) || a - b;
  for (;;) {
    const determined = determinedCells(values.length, constraints, hidden);
    if (determined.length === 0) break;
    const target = determined[0] as number;
    const candidates = nearestCandidates(target, neighbours, hidden, values, fixed).sort(byValue);
    if (candidates.length === 0) throw new Error(`suppression cannot protect variable ${target}: nothing published is linked to it`);
    // The smallest single complement that frees the target; otherwise the smallest one, and look again.
    const freeing = candidates.find((candidate) => {
      hidden[candidate] = true;
      const still = determinedCells(values.length, constraints, hidden).includes(target);
      hidden[candidate] = false;
      return !still;
    });
    const chosen = freeing ?? (candidates[0] as number);
    hidden[chosen] = true;
    secondary.push(chosen);
  }
  const alsoHidden = hidden.flatMap((value, index) => (value && !primaryHidden[index] && !secondary.includes(index) ? [index] : []));
  return { suppressed: hidden, primary, secondary: [...secondary, ...alsoHidden].sort((a, b) => a - b) };
}

/** A two-way table with its margins, as published: cells[r][c], row totals, column totals and the grand total. */
export interface TwoWayTable {
  cells: number[][];
  rowTotals: number[];
  columnTotals: number[];
  total: number;
}

/** The variables and equations of a two-way table with margins, appended to `into` (several tables share one system). */
export function addTwoWayTable(into: { values: number[]; constraints: SumConstraint[] }, table: TwoWayTable): { cell: (row: number, column: number) => number; rowTotal: (row: number) => number; columnTotal: (column: number) => number; total: number } {
  const base = into.values.length;
  const rows = table.cells.length;
  const columns = table.columnTotals.length;
  for (const row of table.cells) into.values.push(...row);
  const rowTotalBase = into.values.length;
  into.values.push(...table.rowTotals);
  const columnTotalBase = into.values.length;
  into.values.push(...table.columnTotals);
  const total = into.values.length;
  into.values.push(table.total);
  const cell = (row: number, column: number) => base + row * columns + column;
  for (let r = 0; r < rows; r += 1) into.constraints.push({ total: rowTotalBase + r, parts: [...Array(columns).keys()].map((c) => cell(r, c)) });
  for (let c = 0; c < columns; c += 1) into.constraints.push({ total: columnTotalBase + c, parts: [...Array(rows).keys()].map((r) => cell(r, c)) });
  into.constraints.push({ total, parts: [...Array(rows).keys()].map((r) => rowTotalBase + r) });
  into.constraints.push({ total, parts: [...Array(columns).keys()].map((c) => columnTotalBase + c) });
  return { cell, rowTotal: (row) => rowTotalBase + row, columnTotal: (column) => columnTotalBase + column, total };
}
