import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecognitionDemo } from '../../hub/recognition-demo.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../lib/postgres-admin.js';
import { TEST_POSTGRES_URL } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { learner } from '../recognition/helpers.js';

/*
 * Recognition, issuance and the passport on the real PostgreSQL server (their committed
 * PostgreSQL migrations, not SQLite's): the demo's requests in every state,
 * rules and pathways written through the graph, progress read, a pathway
 * edited and followed, and a stacked credential issued once.
 */

let hub: TestHub;
const databases = new Map<string, TemporaryDatabase>();

beforeAll(async () => {
  for (const service of ['recognition', 'issuance', 'passport']) databases.set(service, await createTemporaryDatabase(TEST_POSTGRES_URL, 'hub_recognition'));
  hub = await startTestHub({ learners: 400, databaseUrl: (service) => databases.get(service)?.url });
});
afterAll(async () => {
  await hub?.stop();
  for (const database of databases.values()) await database.drop();
});

describe('recognition and pathways on PostgreSQL', () => {
  it('stores requests in every state, rules, pathways and follows, and issues the stacked credential once', async () => {
    expect(hub.hub.recognitionService.databaseKind).toBe('postgresql');
    const showcase = await seedRecognitionDemo({ gatewayUrl: hub.hub.gatewayUrl, idp: hub.hub.idp }, { learners: hub.hub.demoLearners });
    expect(Object.keys(showcase.requests).sort()).toEqual(['APPEALED', 'MORE_INFORMATION_NEEDED', 'PARTIALLY_RECOGNISED', 'RECOGNISED', 'REJECTED', 'SUBMITTED', 'WITHDRAWN']);
    const learnerId = showcase.learnerId as string;
    const me = await learner(hub, learnerId);

    const followed = await hub.query(`mutation ($id: ID!) { followPathway(pathwayId: $id) { id } }`, { id: showcase.pathwayId }, me);
    expect(followed.body.errors).toBeUndefined();
    const admin = await bearer(hub.hub, { role: 'alliance-admin' });
    const edited = await hub.query(
      `mutation ($id: ID!) { updatePathway(id: $id, input: { name: "ECIU certificate in Sustainable Cities", ectsMin: 15, minMembers: 2, requirements: [{ kind: CHALLENGE, title: "One challenge on SDG 11", sdg: 11 }] }) { version } }`,
      { id: showcase.pathwayId },
      admin,
    );
    expect(edited.body.data?.['updatePathway']).toEqual({ version: 2 });

    const progress = await hub.query(`query ($id: ID!) { learner(id: $id) { pathways { pathway { id } following complete ectsCounted } } }`, { id: learnerId }, me);
    expect(progress.body.data?.['learner'].pathways).toContainEqual({ pathway: { id: showcase.pathwayId }, following: true, complete: true, ectsCounted: expect.any(Number) });

    const issue = `mutation ($p: ID!, $l: ID!) { issuePathwayCredential(input: { pathwayId: $p, learnerId: $l }, idempotencyKey: "pg-stack-0001") { created credential { id kind } } }`;
    const first = await hub.query(issue, { p: showcase.pathwayId, l: learnerId }, me);
    expect(first.body.data?.['issuePathwayCredential']).toMatchObject({ created: true, credential: { kind: 'PATHWAY' } });
    const again = await hub.query(issue, { p: showcase.pathwayId, l: learnerId }, me);
    expect(again.body.data?.['issuePathwayCredential']).toEqual({ created: false, credential: first.body.data?.['issuePathwayCredential'].credential });

    // The stacked credential goes into the learner's passport, stored in PostgreSQL.
    const jwt = (await hub.query(`query ($id: ID!) { credential(id: $id) { vcJwt } }`, { id: first.body.data?.['issuePathwayCredential'].credential.id }, me)).body.data?.['credential'].vcJwt;
    const added = await hub.query(`mutation ($c: String!) { addPassportCredential(credential: $c) { created credential { title } } }`, { c: jwt }, me);
    expect(added.body.data?.['addPassportCredential']).toEqual({ created: true, credential: { title: 'ECIU certificate in Sustainable Cities' } });
    const passport = await hub.query(`query ($id: ID!) { learner(id: $id) { passport { skillCount externalCredentials { title } } } }`, { id: learnerId }, me);
    expect(passport.body.data?.['learner'].passport).toMatchObject({ externalCredentials: [{ title: 'ECIU certificate in Sustainable Cities' }] });
    expect(passport.body.data?.['learner'].passport.skillCount).toBeGreaterThan(0);
    expect(hub.hub.passportService.databaseKind).toBe('postgresql');

    const queue = await hub.query(`{ recognitionRequests(memberId: "tuni.fi") { totalCount nodes { state rule { name } } } }`, {}, await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }));
    expect(queue.body.data?.['recognitionRequests'].nodes).toContainEqual({ state: 'RECOGNISED', rule: { name: 'Alliance micro-credentials as electives' } });
  });
});
