import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showcaseLearners } from '../../hub/seed.js';
import { startTestHub, TEST_LEARNERS, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * The recognition subgraph joined into the hub: through the gateway, a
 * learner's requests on `Learner`, a member's queue and its published rules.
 */

let hub: TestHub;
const learner = showcaseLearners({ learners: TEST_LEARNERS }, 1)[0] as { id: string; members: string[] };
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('the recognition subgraph in the hub', () => {
  it("adds a learner's recognition requests to Learner, resolved next to the learner register", async () => {
    const { body } = await hub.query(`query ($id: ID!) { learner(id: $id) { id memberAccountIds recognitionRequests { id state } } }`, { id: learner.id }, await asLearner(hub.hub, learner.id));
    expect(body.errors).toBeUndefined();
    expect(body.data?.['learner']).toMatchObject({ id: learner.id, recognitionRequests: [] });
  });

  it("serves a member's queue to its own staff only", async () => {
    const query = `query ($member: ID!) { recognitionRequests(memberId: $member) { totalCount nodes { id } } }`;
    const own = await hub.query(query, { member: 'tuni.fi' }, await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }));
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data?.['recognitionRequests']).toEqual({ totalCount: 0, nodes: [] });
    const other = await hub.query(query, { member: 'tuni.fi' }, await bearer(hub.hub, { role: 'member-staff', memberId: 'dcu.ie' }));
    expect(codes(other.body)).toEqual(['FORBIDDEN']);
    const unknown = await hub.query(query, { member: 'nowhere.example' }, await bearer(hub.hub, { role: 'member-staff', memberId: 'dcu.ie' }));
    expect(codes(unknown.body)).toEqual(['UNKNOWN_MEMBER']);
  });

  it("publishes a member's rules to anyone, and refuses a member that is not in the alliance", async () => {
    const { body } = await hub.query(`{ recognitionRules(memberId: "tuni.fi") { id name } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['recognitionRules']).toEqual([]);
    const unknown = await hub.query(`{ recognitionRules(memberId: "nowhere.example") { id } }`);
    expect(codes(unknown.body)).toEqual(['UNKNOWN_MEMBER']);
  });

  it('answers a request id that does not exist like one the caller may not see', async () => {
    const { body } = await hub.query(`{ a: recognitionRequest(id: "00000000-0000-4000-8000-000000000000") { id } b: recognitionRequest(id: "x") { id } }`, {}, await asLearner(hub.hub, learner.id));
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: null, b: null });
  });
});
