import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Mobility (issue 13, point 1) through the gateway: counted by the learner
 * register, equal to the demo data wherever published, suppressed like every
 * other table, for analysts and administrators only.
 */

const MOBILITY = /* GraphQL */ `{ mobility { k flows { home { id } host { id } learners } byMemberCount { members learners } multiMemberLearners learners } }`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

/** The truth from the generator: home = the member of the first account (ties by member id). */
const flows = new Map<string, number>();
const buckets = new Map<number, number>();
for (const learner of everyone) {
  const accounts = [...learner.accounts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.memberId.localeCompare(b.memberId));
  buckets.set(accounts.length, (buckets.get(accounts.length) ?? 0) + 1);
  const home = accounts[0]?.memberId;
  for (const account of accounts.slice(1)) flows.set(`${home}>${account.memberId}`, (flows.get(`${home}>${account.memberId}`) ?? 0) + 1);
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('mobility', () => {
  it('counts learners by members and the flows from their home member, published only at k or more', async () => {
    const answer = await hub.query(MOBILITY, {}, await bearer(hub.hub, { role: 'analyst' }));
    expect(answer.body.errors).toBeUndefined();
    const mobility = answer.body.data?.['mobility'] as {
      k: number;
      flows: { home: { id: string }; host: { id: string }; learners: number | null }[];
      byMemberCount: { members: number; learners: number | null }[];
      multiMemberLearners: number | null;
      learners: number | null;
    };
    expect(mobility.learners).toBe(everyone.length);
    for (const bucket of mobility.byMemberCount) {
      if (bucket.learners !== null) expect(bucket.learners).toBe(buckets.get(bucket.members));
    }
    let published = 0;
    let withheld = 0;
    for (const flow of mobility.flows) {
      const truth = flows.get(`${flow.home.id}>${flow.host.id}`) ?? 0;
      if (flow.learners === null) {
        withheld += 1;
        continue;
      }
      published += 1;
      expect(flow.learners, `${flow.home.id} → ${flow.host.id}`).toBe(truth);
      expect(flow.learners).toBeGreaterThanOrEqual(mobility.k);
    }
    // Every pair with learners is listed, published or withheld.
    expect(mobility.flows.length).toBe(flows.size);
    expect(published + withheld).toBe(flows.size);
    // No home row and no host column with a single withheld flow: the row and column sums would give it away.
    for (const side of ['home', 'host'] as const) {
      const perMember = new Map<string, number>();
      for (const flow of mobility.flows) if (flow.learners === null) perMember.set(flow[side].id, (perMember.get(flow[side].id) ?? 0) + 1);
      for (const [member, count] of perMember) expect(count, `${side} ${member}`).not.toBe(1);
    }
  });

  it('is for analysts and administrators only, and the register\'s exact counts are not in the API', async () => {
    for (const headers of [await asLearner(hub.hub, (everyone[0] as { id: string }).id), await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' })]) {
      expect(codes((await hub.query(MOBILITY, {}, headers)).body)).toEqual(['FORBIDDEN']);
    }
    expect((await hub.query(MOBILITY)).status).toBe(401);
    expect((await hub.query(MOBILITY, {}, await bearer(hub.hub, { role: 'alliance-admin' }))).body.errors).toBeUndefined();
    const raw = await hub.query(`{ mobilityCounts { flows { home } } }`, {}, await bearer(hub.hub, { role: 'analyst' }));
    expect(codes(raw.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});
