import { badUserInput } from './errors.js';

/**
 * Keyset ("seek") pagination shared by every list in the hub.
 *
 * A cursor is `base64url(JSON.stringify([order, ...sortValues]))`, where the
 * last sort value is the item's globally unique id. Because the cursor holds
 * values rather than a position, the same cursor means the same thing at every
 * member: the member router forwards it unchanged to all members and merges
 * their pages by comparing the decoded values with `compareSortKeys`. This is
 * part of the member contract (see docs/routing.md).
 */
export type SortValue = string | number;

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(order: string, values: readonly SortValue[]): string {
  return Buffer.from(JSON.stringify([order, ...values]), 'utf8').toString('base64url');
}

/** The cursor of every list ordered by id alone (learner accounts, cohorts, the learner register). */
export const ID_CURSOR: { order: string; shape: CursorValueType[] } = { order: 'ID', shape: ['string'] };

/** What a cursor position must hold: a string, or an integer in a range (e.g. a relevance rank). */
export type CursorValueType = 'string' | { integerFrom: number; to: number };

/**
 * Decodes a cursor for `order` whose values have the given types, or throws
 * BAD_USER_INPUT. Checking each position's type keeps a tampered cursor from
 * ever reaching SQL as a value of the wrong type.
 */
export function decodeCursor(cursor: string, order: string, shape: readonly CursorValueType[], argument = 'after'): SortValue[] {
  const parsed = parseCursor(cursor);
  const fits = (value: SortValue, type: CursorValueType) =>
    type === 'string' ? typeof value === 'string' : Number.isInteger(value) && (value as number) >= type.integerFrom && (value as number) <= type.to;
  if (!parsed || parsed.order !== order || parsed.values.length !== shape.length || !parsed.values.every((value, i) => fits(value, shape[i] as CursorValueType))) {
    throw badUserInput(`The cursor in "${argument}" is not valid for this list; pass the cursor of an item of the same list and order.`, argument);
  }
  return parsed.values;
}

/** Reads any well-formed cursor (order name and sort values), or undefined when it is not one. */
export function parseCursor(cursor: string): { order: string; values: SortValue[] } | undefined {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]*$/.test(cursor)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length < 2 || typeof parsed[0] !== 'string') return undefined;
    const values = parsed.slice(1);
    if (!values.every((value) => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) return undefined;
    return { order: parsed[0], values: values as SortValue[] };
  } catch {
    return undefined;
  }
}

/** Orders two sort keys the way SQL does with byte-wise collation. */
export function compareSortKeys(a: readonly SortValue[], b: readonly SortValue[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a[i] as SortValue;
    const y = b[i] as SortValue;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    const xs = String(x);
    const ys = String(y);
    return compareBytes(xs, ys);
  }
  return a.length - b.length;
}

/**
 * Compares strings by their UTF-8 bytes, which is what PostgreSQL's "C"
 * collation and SQLite's BINARY collation do. UTF-8 byte order is code point
 * order, so this compares code points (JavaScript's `<` compares UTF-16 code
 * units, which differs for characters outside the BMP) without allocating.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(j) as number;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return (a.length - i) - (b.length - j);
}

/** Validates `first`; the error names the argument and the allowed range. */
export function pageSize(first: number | null | undefined, argument = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`"${argument}" must be an integer from 0 to ${MAX_PAGE_SIZE}; got ${first}.`, argument);
  }
  return first;
}

/**
 * SQL for "the row's sort key is after `values`" over `columns`, as
 * `(a > ?) or (a = ? and b > ?) or …` (portable; row-value comparison is not
 * available with the same semantics on every dialect).
 */
export function keysetCondition(columns: readonly string[], values: readonly SortValue[]): { sql: string; params: SortValue[] } {
  const parts: string[] = [];
  const params: SortValue[] = [];
  for (let i = 0; i < columns.length; i += 1) {
    const equalities = columns.slice(0, i).map((column) => `${column} = ?`);
    parts.push(`(${[...equalities, `${columns[i]} > ?`].join(' and ')})`);
    params.push(...values.slice(0, i + 1));
  }
  return { sql: `(${parts.join(' or ')})`, params };
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
}

/** Assembles a page from `limit + 1` fetched rows (the extra row tells whether more follow). */
export function buildPage<T>(rows: T[], limit: number, totalCount: number, cursorOf: (row: T) => string, after: string | null | undefined): Page<T> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    totalCount,
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
