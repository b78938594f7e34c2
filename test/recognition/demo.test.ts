import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecognitionDemo, SUSTAINABLE_CITIES } from '../../hub/recognition-demo.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { learner } from './helpers.js';

/*
 * The demo recognition data `npm start` seeds (issue 11, point 8): pathways,
 * rules, a request in every state, and a named learner whose stacked
 * credential can really be issued. Seeded through the gateway, so it is data
 * the graph accepts; seeding again changes nothing.
 */

let hub: TestHub;
beforeAll(async () => {
  // More learners than the other tests: the demo picks a different learner for each request state.
  hub = await startTestHub({ learners: 400 });
});
afterAll(async () => {
  await hub?.stop();
});

describe('the demo recognition data', () => {
  it('seeds pathways, rules and a request in every state, once, and names a learner who completed the alliance certificate', async () => {
    const target = { gatewayUrl: hub.hub.gatewayUrl, idp: hub.hub.idp };
    const showcase = await seedRecognitionDemo(target, { learners: hub.hub.demoLearners });
    expect(showcase.requests).toEqual({ SUBMITTED: 1, MORE_INFORMATION_NEEDED: 1, RECOGNISED: 2, PARTIALLY_RECOGNISED: 1, REJECTED: 1, APPEALED: 1, WITHDRAWN: 1 });
    expect(showcase.learnerId).toEqual(expect.any(String));

    const pathways = (await hub.query(`query { pathways { name owner { id } requirements { kind sdg } } }`)).body.data?.['pathways'];
    expect(pathways).toEqual(
      expect.arrayContaining([
        { name: SUSTAINABLE_CITIES, owner: null, requirements: [{ kind: 'CHALLENGE', sdg: 11 }] },
        expect.objectContaining({ owner: { id: 'tuni.fi' } }),
      ]),
    );
    const rules = await hub.query(`query { tuni: recognitionRules(memberId: "tuni.fi") { name } dcu: recognitionRules(memberId: "dcu.ie") { name } }`);
    expect(rules.body.data?.['tuni']).toHaveLength(1);
    expect(rules.body.data?.['dcu']).toHaveLength(1);

    // The named learner's stacked credential is issued for real.
    const me = await learner(hub, showcase.learnerId as string);
    const issued = await hub.query(
      `mutation ($p: ID!, $l: ID!) { issuePathwayCredential(input: { pathwayId: $p, learnerId: $l }) { created basis credential { kind pathway { name } } } }`,
      { p: showcase.pathwayId, l: showcase.learnerId },
      me,
    );
    expect(issued.body.errors).toBeUndefined();
    expect(issued.body.data?.['issuePathwayCredential']).toMatchObject({ created: true, basis: 'NOT_CREDIT_BEARING', credential: { kind: 'PATHWAY', pathway: { name: SUSTAINABLE_CITIES } } });

    // A second start finds the demo and leaves it as it is.
    const again = await seedRecognitionDemo(target, { learners: hub.hub.demoLearners });
    expect(again).toMatchObject({ requests: {}, pathwayId: showcase.pathwayId, learnerId: showcase.learnerId });
    const all = await hub.query(`query { pathways(includeInactive: true) { id } }`, {}, await bearer(hub.hub, { role: 'alliance-admin' }));
    expect(all.body.data?.['pathways']).toHaveLength(2);
  });
});
