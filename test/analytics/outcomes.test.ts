import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecognitionDemo } from '../../hub/recognition-demo.js';
import { passed } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Credentials issued/revoked and recognition outcomes (issue 13, point 1):
 * counted by the issuance and recognition services, published by analytics
 * with k-anonymity and complementary suppression, through the gateway.
 */

type Table = { columns: string[]; rows: { member: { id: string }; cells: (number | null)[]; total: number | null }[]; columnTotals: (number | null)[]; total: number | null };
const TABLE = 'columns rows { member { id } cells total } columnTotals total';
const CREDENTIALS = `{ credentialStatistics { k unavailable issuedByMonth { ${TABLE} } issuedByKind { ${TABLE} } revokedByMonth { ${TABLE} } } }`;
const RECOGNITION = `{ recognitionStatistics { k unavailable byOutcome { ${TABLE} } decisionTimes { member { id } medianDays } } }`;
const K = 5;

let hub: TestHub;
const truth = new Map<string, { issued: Map<string, number>; revoked: number }>();

/** Nothing from 1 to k−1 is published, and no line of the table has exactly one withheld entry (it would be its total minus the rest). */
function expectProtected(table: Table) {
  const lines = [...table.rows.map((row) => [...row.cells, row.total]), [...table.columnTotals, table.total], ...table.columns.map((_, c) => [...table.rows.map((row) => row.cells[c] ?? null), table.columnTotals[c] ?? null])];
  for (const line of lines) {
    for (const value of line) if (value !== null) expect(value === 0 || value >= K).toBe(true);
    expect(line.filter((value) => value === null).length).not.toBe(1);
  }
}

beforeAll(async () => {
  hub = await startTestHub();
  // Credentials for 60 passed achievements, by their learners: the members get different numbers of them.
  for (const item of passed.slice(0, 60)) {
    const { body } = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id kind } } }`, { id: item.achievement.id }, await asLearner(hub.hub, item.learnerId));
    const credential = body.data?.['issueCredential']?.credential as { id: string; kind: string } | undefined;
    if (!credential) continue;
    const entry = truth.get(item.memberId) ?? { issued: new Map(), revoked: 0 };
    entry.issued.set(credential.kind, (entry.issued.get(credential.kind) ?? 0) + 1);
    truth.set(item.memberId, entry);
    if (truth.size === 1 && entry.revoked < 2) {
      const revoked = await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Issued in error.") { status } }`, { id: credential.id }, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));
      expect(revoked.body.errors).toBeUndefined();
      entry.revoked += 1;
    }
  }
  await seedRecognitionDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.hub.idp }, { learners: hub.hub.demoLearners });
});
afterAll(async () => {
  await hub?.stop();
});

describe('credential statistics', () => {
  it('publishes what the issuance service counted, member by member, withholding small counts and their complements', async () => {
    const { body } = await hub.query(CREDENTIALS, {}, await bearer(hub.hub, { role: 'analyst' }));
    expect(body.errors).toBeUndefined();
    const statistics = body.data!['credentialStatistics'] as { k: number; unavailable: boolean; issuedByMonth: Table; issuedByKind: Table; revokedByMonth: Table };
    expect(statistics.unavailable).toBe(false);
    expect(statistics.k).toBe(K);
    const issued = [...truth.values()].reduce((sum, entry) => sum + [...entry.issued.values()].reduce((a, b) => a + b, 0), 0);
    expect(issued).toBeGreaterThan(20);
    expect(statistics.issuedByMonth.total).toBe(issued);
    expect(statistics.issuedByMonth.columns).toEqual([new Date().toISOString().slice(0, 7)]);
    for (const row of statistics.issuedByKind.rows) {
      const entry = truth.get(row.member.id)!;
      const total = [...entry.issued.values()].reduce((a, b) => a + b, 0);
      if (row.total !== null) expect(row.total).toBe(total);
      row.cells.forEach((cell, c) => {
        if (cell !== null) expect(cell).toBe(entry.issued.get(statistics.issuedByKind.columns[c]!) ?? 0);
      });
    }
    // Some members had fewer than k: their figures are withheld, in both tables alike (one member total).
    expect(statistics.issuedByMonth.rows.some((row) => row.total === null)).toBe(true);
    for (const row of statistics.issuedByMonth.rows) {
      expect(statistics.issuedByKind.rows.find((other) => other.member.id === row.member.id)!.total).toBe(row.total);
    }
    expectProtected(statistics.issuedByMonth);
    expectProtected(statistics.issuedByKind);
    expectProtected(statistics.revokedByMonth);
    // Two revocations: under k, so never shown as 2.
    expect(JSON.stringify(statistics.revokedByMonth)).not.toMatch(/[^0-9]2[^0-9]/);
  });

  it("gives a member's staff their own row and the alliance totals, and refuses learners and anonymous callers", async () => {
    const member = [...truth.keys()][0]!;
    const staff = await hub.query(CREDENTIALS, {}, await bearer(hub.hub, { role: 'member-staff', memberId: member }));
    const tables = staff.body.data!['credentialStatistics'] as { issuedByMonth: Table };
    expect(tables.issuedByMonth.rows.map((row) => row.member.id)).toEqual([member]);
    const learner = await hub.query(CREDENTIALS, {}, await asLearner(hub.hub, passed[0]!.learnerId));
    expect(learner.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(learner.body.data?.['credentialStatistics'] ?? null).toBeNull();
    const anonymous = await hub.query(CREDENTIALS);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('keeps the exact counts inside the hub: the services\' counting fields are not in the graph', async () => {
    for (const field of ['credentialCounts { member }', 'recognitionCounts { outcomes { member } }']) {
      const { body } = await hub.query(`{ ${field} }`, {}, await bearer(hub.hub, { role: 'analyst' }));
      expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it("refuses the counting fields at each service to anyone but analysts and administrators, whatever reaches it", async () => {
    // The fields are hidden from the gateway's clients; a caller with a hub token of its own (another
    // subgraph, a mis-routed request) still meets the services' own role check.
    const calls = [
      { service: 'issuance', url: hub.hub.urls.issuance, query: '{ credentialCounts { member issued } }' },
      { service: 'recognition', url: hub.hub.urls.recognition, query: '{ recognitionCounts { outcomes { member requests } } }' },
      { service: 'learners', url: hub.hub.urls.learners, query: '{ mobilityCounts { flows { learners } } }' },
    ] as const;
    const post = async (url: string, query: string, token?: string) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) });
      return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: Record<string, unknown> }[] } };
    };
    for (const { service, url, query } of calls) {
      for (const principal of [
        { kind: 'user', subject: 'learner', roles: ['learner'], learnerId: (passed[0] as { learnerId: string }).learnerId },
        { kind: 'user', subject: 'staff@tuni.fi', roles: ['member-staff'], memberId: 'tuni.fi' },
      ] as const) {
        const answer = await post(url, query, await hub.hub.hubSigner.sign(principal as never, service));
        expect(answer.body.errors?.[0]?.extensions?.['code'], `${service} as ${principal.roles[0]}`).toBe('FORBIDDEN');
      }
      const analystAnswer = await post(url, query, await hub.hub.hubSigner.sign({ kind: 'user', subject: 'analyst', roles: ['analyst'] }, service));
      expect(analystAnswer.body.errors, service).toBeUndefined();
      // Without a hub token the service does not answer at all.
      expect((await post(url, query)).status, service).toBe(401);
    }
  });
});

describe('recognition statistics', () => {
  it('publishes requests by outcome and the median days to decision only where k or more were decided', async () => {
    const { body } = await hub.query(RECOGNITION, {}, await bearer(hub.hub, { role: 'analyst' }));
    expect(body.errors).toBeUndefined();
    const statistics = body.data!['recognitionStatistics'] as { unavailable: boolean; byOutcome: Table; decisionTimes: { member: { id: string } | null; medianDays: number | null }[] };
    expect(statistics.unavailable).toBe(false);
    expect(statistics.byOutcome.columns).toEqual(['RECOGNISED', 'PARTIALLY_RECOGNISED', 'REJECTED', 'APPEALED', 'OPEN', 'WITHDRAWN']);
    expect(statistics.byOutcome.rows.length).toBeGreaterThan(0);
    expectProtected(statistics.byOutcome);
    // The alliance figure is last; a member with fewer than k decided requests has no median.
    expect(statistics.decisionTimes.at(-1)!.member).toBeNull();
    for (const time of statistics.decisionTimes) if (time.medianDays !== null) expect(time.medianDays).toBeGreaterThanOrEqual(0);
    const staff = await hub.query(RECOGNITION, {}, await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }));
    const own = staff.body.data!['recognitionStatistics'] as { byOutcome: Table; decisionTimes: { member: { id: string } | null }[] };
    expect(own.byOutcome.rows.every((row) => row.member.id === 'tuni.fi')).toBe(true);
    expect(own.decisionTimes.every((time) => time.member === null || time.member.id === 'tuni.fi')).toBe(true);
  });
});
