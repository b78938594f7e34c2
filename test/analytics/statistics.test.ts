import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogues, everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * The alliance statistics (issue 13, points 1 and 2) through the gateway:
 * counts aggregated by each member and merged by the hub, equal to what the
 * demo data holds wherever published; nothing between 1 and k−1 published;
 * no line of any table with exactly one withheld entry (else subtraction
 * recovers it), across tables too; who may read them; a member that is down.
 */

const TABLE = /* GraphQL */ `
  query ($by: StatisticsDimension) {
    allianceStatistics(by: $by) {
      dimension k publishedAt columns
      rows { member { id } cells { key enrolments completions passed ectsAwarded passRate } total { enrolments completions passed ectsAwarded } }
      columnTotals { key enrolments completions passed }
      total { enrolments completions passed ectsAwarded }
      unavailableMembers { id }
    }
  }
`;

interface Cell {
  key?: string | null;
  enrolments: number | null;
  completions: number | null;
  passed: number | null;
  ectsAwarded?: number | null;
}
interface Table {
  dimension: string | null;
  k: number;
  publishedAt: string;
  columns: string[];
  rows: { member: { id: string }; cells: Cell[]; total: Cell }[];
  columnTotals: Cell[];
  total: Cell;
  unavailableMembers: { id: string }[];
}

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const analyst = () => bearer(hub.hub, { role: 'analyst', subject: 'analyst@eciu.eu' });
const MEASURES = ['enrolments', 'completions', 'passed'] as const;

/** The truth, from the generator that seeded the hub: enrolments per member and offering kind. */
const kindOf = new Map([...catalogues.values()].flat().map((offering) => [offering.id, offering.kind as string]));
const truth = new Map<string, { enrolments: number; completions: number; passed: number }>();
for (const learner of everyone) {
  for (const account of learner.accounts) {
    for (const enrolment of account.enrolments) {
      const key = `${account.memberId}|${kindOf.get(enrolment.opportunityId)}`;
      const counts = truth.get(key) ?? { enrolments: 0, completions: 0, passed: 0 };
      counts.enrolments += 1;
      if (enrolment.status === 'COMPLETED') counts.completions += 1;
      if (enrolment.achievement?.passed) counts.passed += 1;
      truth.set(key, counts);
    }
  }
}

/** Every line of the table (rows with their total, columns with their total, the totals line): the entries of one sum. */
function lines(table: Table, measure: (typeof MEASURES)[number]): (number | null)[][] {
  const value = (cell: Cell) => cell[measure];
  const rows = table.rows.map((row) => [...row.cells.map(value), value(row.total)]);
  const columns = table.columns.map((_, c) => [...table.rows.map((row) => value(row.cells[c] as Cell)), value(table.columnTotals[c] as Cell)]);
  const totals = [...table.columnTotals.map(value), value(table.total)];
  const memberTotals = [...table.rows.map((row) => value(row.total)), value(table.total)];
  return table.columns.length > 0 ? [...rows, ...columns, totals, memberTotals] : [memberTotals];
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('alliance statistics', () => {
  it('merge what each member counted: every published cell equals the demo data, and the sums hold', async () => {
    const answer = await hub.query(TABLE, { by: 'KIND' }, await analyst());
    expect(answer.body.errors).toBeUndefined();
    const table = answer.body.data?.['allianceStatistics'] as Table;
    expect(table.rows.map((row) => row.member.id).sort()).toEqual(hub.hub.registry.members.map((member) => member.id).sort());
    expect(table.unavailableMembers).toEqual([]);
    let compared = 0;
    for (const row of table.rows) {
      row.cells.forEach((cell, c) => {
        const expected = truth.get(`${row.member.id}|${table.columns[c]}`) ?? { enrolments: 0, completions: 0, passed: 0 };
        for (const measure of MEASURES) {
          if (cell[measure] === null) continue;
          expect(cell[measure], `${row.member.id} ${table.columns[c]} ${measure}`).toBe(expected[measure]);
          compared += 1;
        }
      });
    }
    expect(compared).toBeGreaterThan(20);
    const all = [...truth.values()].reduce((sum, counts) => sum + counts.enrolments, 0);
    expect(table.total.enrolments).toBe(all);
  });

  it('publish nothing from 1 to k−1, and no line of any table with a single withheld entry', async () => {
    const headers = await analyst();
    let withheld = 0;
    for (const by of [null, 'KIND', 'MODE', 'EQF_LEVEL', 'TERM', 'ISCED_F', 'MICRO_CREDENTIAL_TYPE']) {
      const table = (await hub.query(TABLE, { by }, headers)).body.data?.['allianceStatistics'] as Table;
      for (const measure of MEASURES) {
        for (const line of lines(table, measure)) {
          for (const value of line) if (value !== null) expect(value === 0 || value >= table.k, `${by} ${measure}: ${value}`).toBe(true);
          const hidden = line.filter((value) => value === null).length;
          withheld += hidden;
          expect(hidden, `${by} ${measure}: a line with one withheld entry gives it away by subtraction`).not.toBe(1);
        }
      }
    }
    // With 150 demo learners spread over 13 members many cells are small: suppression really happened.
    expect(withheld).toBeGreaterThan(10);
  });

  it('agree across tables: a member total is the same (or withheld) in every table', async () => {
    const headers = await analyst();
    const totals = new Map<string, string>();
    for (const by of [null, 'KIND', 'TERM']) {
      const table = (await hub.query(TABLE, { by }, headers)).body.data?.['allianceStatistics'] as Table;
      for (const row of table.rows) {
        const seen = JSON.stringify(row.total);
        expect(totals.get(row.member.id) ?? seen).toBe(seen);
        totals.set(row.member.id, seen);
      }
    }
  });

  it("show a member's staff their own row only, and refuse learners and anonymous callers", async () => {
    const memberId = 'tuni.fi';
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId });
    const table = (await hub.query(TABLE, { by: 'KIND' }, staff)).body.data?.['allianceStatistics'] as Table;
    expect(table.rows.map((row) => row.member.id)).toEqual([memberId]);
    expect(codes((await hub.query(TABLE, { by: 'KIND' }, await asLearner(hub.hub, (everyone[0] as { id: string }).id))).body)).toEqual(['FORBIDDEN']);
    expect((await hub.query(TABLE, { by: 'KIND' })).status).toBe(401);
    // The members' exact counts are not in the API.
    const raw = await hub.query(`{ memberStatistics(groupBy: [KIND]) { member enrolments } }`, {}, await analyst());
    expect(codes(raw.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('say which members are missing when one is down, and are rebuilt when the publication is old', async () => {
    const down = hub.hub.members.get('dcu.ie');
    await hub.hub.analyticsService.publication.read();
    hub.hub.analyticsService.statisticsTtlMs = 0;
    await down?.stop();
    try {
      // The standing publication answers at once, and being old it starts a rebuild behind it.
      const standing = (await hub.query(TABLE, {}, await analyst())).body.data?.['allianceStatistics'] as Table;
      expect(standing.unavailableMembers).toEqual([]);
      await hub.hub.analyticsService.publication.refresh();
      const table = (await hub.query(TABLE, {}, await analyst())).body.data?.['allianceStatistics'] as Table;
      expect(table.unavailableMembers).toEqual([{ id: 'dcu.ie' }]);
      expect(table.rows.map((row) => row.member.id)).not.toContain('dcu.ie');
      expect(Date.parse(table.publishedAt)).toBeGreaterThanOrEqual(Date.parse(standing.publishedAt));
    } finally {
      await down?.restart();
      hub.hub.analyticsService.statisticsTtlMs = 10 * 60_000;
    }
  });
});
