import { describe, expect, it } from 'vitest';
import { createUptakeCache, SMALLEST_SHOWN, withheldCounts } from '../../subgraphs/member/uptake.js';

/*
 * The small-cell rules behind the analysts' figures, on hand-made tables:
 * no withheld count can be recovered from the shown ones.
 */

type Counts = Parameters<typeof withheldCounts>[1];
const counts = (values: Partial<Counts>): Counts => ({ learners: 0, enrolments: 0, completed: 0, withdrawn: 0, assessed: 0, passed: 0, ectsAwarded: 0, ...values });
const sum = (table: Map<string, Counts>): Counts => {
  const total = counts({});
  for (const row of table.values()) for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += row[key];
  return total;
};

describe('withheld counts', () => {
  it(`withholds counts from 1 to ${SMALLEST_SHOWN - 1} and shows 0 and larger ones`, () => {
    const table = new Map([
      ['a', counts({ enrolments: 0 })],
      ['b', counts({ enrolments: 3 })],
      ['c', counts({ enrolments: 3 })],
      ['d', counts({ enrolments: 40 })],
    ]);
    const withheld = withheldCounts(table, sum(table));
    expect(withheld.get('a')?.has('enrolments')).toBe(false);
    expect(withheld.get('b')?.has('enrolments')).toBe(true);
    expect(withheld.get('c')?.has('enrolments')).toBe(true);
    expect(withheld.get('d')?.has('enrolments')).toBe(false);
    expect(withheld.get('*')?.has('enrolments')).toBe(false);
  });

  it('withholds a second count when only one is withheld, so the total does not give it away', () => {
    const table = new Map([
      ['small', counts({ enrolments: 2 })],
      ['mid', counts({ enrolments: 12 })],
      ['big', counts({ enrolments: 90 })],
    ]);
    const withheld = withheldCounts(table, sum(table));
    expect(withheld.get('small')?.has('enrolments')).toBe(true);
    expect(withheld.get('mid')?.has('enrolments')).toBe(true);
    expect(withheld.get('big')?.has('enrolments')).toBe(false);
  });

  it('withholds the total when the one withheld count is the only one', () => {
    const table = new Map([['only', counts({ enrolments: 4 })]]);
    expect(withheldCounts(table, sum(table)).get('*')?.has('enrolments')).toBe(true);
  });

  it('withholds passed when it would reveal a small number of failures', () => {
    const table = new Map([
      ['a', counts({ assessed: 50, passed: 47 })],
      ['b', counts({ assessed: 50, passed: 30 })],
      ['c', counts({ assessed: 50, passed: 35 })],
    ]);
    const withheld = withheldCounts(table, sum(table));
    expect(withheld.get('a')?.has('passed')).toBe(true);
    expect(withheld.get('a')?.has('assessed')).toBe(false);
    // …and, complementing it, the next smallest passed count.
    expect(withheld.get('b')?.has('passed')).toBe(true);
    expect(withheld.get('c')?.has('passed')).toBe(false);
  });

  it('withholds the total ECTS whenever an offering withholds passed, so credit values cannot solve for it', () => {
    const table = new Map([
      ['a', counts({ assessed: 50, passed: 47, ectsAwarded: 47 * 5 })],
      ['b', counts({ assessed: 40, passed: 30, ectsAwarded: 30 * 6 })],
      ['c', counts({ assessed: 40, passed: 40, ectsAwarded: 40 * 3 })],
    ]);
    const withheld = withheldCounts(table, sum(table));
    expect(withheld.get('*')?.has('passed')).toBe(false);
    expect(withheld.get('*')?.has('ectsAwarded')).toBe(true);
    expect(withheld.get('c')?.has('passed')).toBe(false);
  });
});

describe('the uptake table kept across requests', () => {
  it('is computed once within its time to live, again after it, and not kept when it failed', async () => {
    let clock = 0;
    let computed = 0;
    const cache = createUptakeCache(10_000, () => clock);
    const table = () => {
      computed += 1;
      return Promise.resolve({ perOffering: new Map(), total: { learners: computed, enrolments: 0, completed: 0, withdrawn: 0, assessed: 0, passed: 0, ectsAwarded: 0 }, withheld: new Map() });
    };
    expect((await cache.get(table)).total.learners).toBe(1);
    clock += 9_999;
    expect((await cache.get(table)).total.learners).toBe(1);
    clock += 1;
    expect((await cache.get(table)).total.learners).toBe(2);
    clock += 10_000;
    await expect(cache.get(() => Promise.reject(new Error('the database is away')))).rejects.toThrow('the database is away');
    expect((await cache.get(table)).total.learners).toBe(3);
  });
});
