import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityOf, passed } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { readUnverified } from '../../subgraphs/issuance/seal.js';
import { argumentsOf, codes, learner, learnerAtTwoMembers, staff } from './helpers.js';

/*
 * The stacked credential of a completed pathway (issue 11, point 7): issued
 * through the issuance subgraph from the progress recognition computes, its
 * achievement `hasPart` every counted part, sealed like the others, awarding
 * credit only when the owner's accreditation authority allows, at most once.
 */

const CREATE = /* GraphQL */ `mutation ($input: PathwayInput!) { createPathway(input: $input) { id } }`;
const ISSUE = /* GraphQL */ `
  mutation ($pathway: ID!, $learner: ID!, $key: String) {
    issuePathwayCredential(input: { pathwayId: $pathway, learnerId: $learner }, idempotencyKey: $key) {
      created basis
      credential { id kind title status vcJwt pathway { id name } achievement { id } awardingBody { id } learner { id } }
    }
  }
`;
const PROGRESS = /* GraphQL */ `
  query ($learner: ID!, $pathway: ID!) { learner(id: $learner) { pathwayProgress(pathwayId: $pathway) { complete ectsCounted components { achievementId counts } } } }
`;
const VERIFY = /* GraphQL */ `query ($credential: String!) { verifyCredential(credential: $credential) { verified checks { check passed reason } } }`;

let hub: TestHub;
const used = new Set<string>();
const admin = () => bearer(hub.hub, { role: 'alliance-admin', subject: 'admin@eciu.eu' });
const spec = (extra: Record<string, unknown>) => ({ name: 'Stack (test)', ectsMin: 5, minMembers: 1, requirements: [], ...extra });
const MAY_APPROVE = ['FULL', 'SEMI_PREQUALIFIED', 'MICRO_CREDENTIALS_ONLY'];

type Node = Record<string, unknown>;
const claimOf = (jwt: string) => ((readUnverified(jwt).credential?.['credentialSubject'] as Node)['hasClaim'] as Node);
const notations = (node: Node) => ([node['identifier']].flat() as Node[]).map((identifier) => identifier['notation']);

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('the stacked credential of an alliance pathway', () => {
  it("is issued to the learner once, names every counted part, awards no credit of its own and verifies", async () => {
    const { learnerId, items } = learnerAtTwoMembers(used);
    const me = await learner(hub, learnerId);
    const created = await hub.query(CREATE, { input: spec({ name: 'ECIU certificate (stack test)', ectsMin: items[0].achievement.ectsAwarded + items[1].achievement.ectsAwarded, minMembers: 2 }) }, await admin());
    const pathwayId = created.body.data?.['createPathway'].id;
    const progress = (await hub.query(PROGRESS, { learner: learnerId, pathway: pathwayId }, me)).body.data?.['learner'].pathwayProgress;
    expect(progress.complete).toBe(true);
    const counted = progress.components.filter((component: { counts: boolean }) => component.counts).map((component: { achievementId: string }) => component.achievementId);

    const { body } = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId, key: 'stack-key-1' }, me);
    expect(body.errors).toBeUndefined();
    const payload = body.data?.['issuePathwayCredential'];
    expect(payload).toMatchObject({
      created: true,
      basis: 'NOT_CREDIT_BEARING',
      credential: { kind: 'PATHWAY', title: 'ECIU certificate (stack test)', status: 'ACTIVE', pathway: { id: pathwayId, name: 'ECIU certificate (stack test)' }, achievement: null, awardingBody: null, learner: { id: learnerId } },
    });
    const claim = claimOf(payload.credential.vcJwt);
    expect(notations(claim)).toEqual([pathwayId]);
    expect(claim['creditReceived']).toBeUndefined();
    const parts = claim['hasPart'] as Node[];
    expect(parts.map((part) => notations(part)[0]).sort()).toEqual([...counted].sort());
    // Each part carries the credit its member awarded.
    for (const item of items) {
      const part = parts.find((node) => notations(node)[0] === item.achievement.id) as Node;
      expect((part['creditReceived'] as Node)['point']).toBe(String(item.achievement.ectsAwarded));
    }

    const verified = await hub.query(VERIFY, { credential: payload.credential.vcJwt });
    expect(verified.body.data?.['verifyCredential'].checks.filter((check: { passed: boolean }) => !check.passed)).toEqual([]);

    // A retry (the same key, or none): the same credential, not a second one.
    for (const key of ['stack-key-1', null]) {
      const again = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId, key }, me);
      expect(again.body.data?.['issuePathwayCredential']).toMatchObject({ created: false, basis: 'NOT_CREDIT_BEARING', credential: { id: payload.credential.id } });
    }
    // The key belongs to that request.
    const other = await hub.query(CREATE, { input: spec({ ectsMin: items[0].achievement.ectsAwarded }) }, await admin());
    const reused = await hub.query(ISSUE, { pathway: other.body.data?.['createPathway'].id, learner: learnerId, key: 'stack-key-1' }, me);
    expect(codes(reused.body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // The credential shows in the learner's wallet; alliance administrators read it; member staff do not.
    const wallet = await hub.query(`query ($id: ID!) { learner(id: $id) { credentials { id kind } } }`, { id: learnerId }, me);
    expect(wallet.body.data?.['learner'].credentials).toContainEqual({ id: payload.credential.id, kind: 'PATHWAY' });
    const asAdmin = await hub.query(`query ($id: ID!) { credential(id: $id) { id } }`, { id: payload.credential.id }, await admin());
    expect(asAdmin.body.data?.['credential']).toEqual({ id: payload.credential.id });
    const asStaff = await hub.query(`query ($id: ID!) { credential(id: $id) { id } }`, { id: payload.credential.id }, await staff(hub, items[0].memberId));
    expect(codes(asStaff.body)).toEqual(['FORBIDDEN']);
  });

  it('is refused while the pathway is not complete, saying what is missing', async () => {
    const { learnerId } = learnerAtTwoMembers(used);
    const created = await hub.query(CREATE, { input: spec({ ectsMin: 200 }) }, await admin());
    const { body } = await hub.query(ISSUE, { pathway: created.body.data?.['createPathway'].id, learner: learnerId }, await learner(hub, learnerId));
    expect(codes(body)).toEqual(['NOT_ISSUABLE']);
    expect(body.errors?.[0]?.message).toMatch(/is not complete \(\d+(\.\d+)? ECTS missing/);
  });

  it('refuses bad ids, unknown pathways, other callers and kind PATHWAY on issueCredential, issuing nothing', async () => {
    const { learnerId, items } = learnerAtTwoMembers(used);
    const me = await learner(hub, learnerId);
    const created = await hub.query(CREATE, { input: spec({ ectsMin: items[0].achievement.ectsAwarded }) }, await admin());
    const pathwayId = created.body.data?.['createPathway'].id;
    const cases: [Record<string, unknown>, Record<string, string>, string, string?][] = [
      [{ pathway: 'not-a-pathway', learner: learnerId }, me, 'BAD_USER_INPUT', 'pathwayId'],
      [{ pathway: pathwayId, learner: 'not a learner!' }, me, 'BAD_USER_INPUT', 'learnerId'],
      [{ pathway: '00000000-0000-4000-8000-000000000000', learner: learnerId }, me, 'NOT_FOUND', 'pathwayId'],
      [{ pathway: pathwayId, learner: learnerId }, await learner(hub, passed.find((item) => item.learnerId !== learnerId)!.learnerId), 'FORBIDDEN'],
      [{ pathway: pathwayId, learner: learnerId }, await staff(hub, items[0].memberId), 'FORBIDDEN'],
      [{ pathway: pathwayId, learner: learnerId }, await bearer(hub.hub, { role: 'analyst' }), 'FORBIDDEN'],
      [{ pathway: pathwayId, learner: learnerId }, {}, 'UNAUTHENTICATED'],
    ];
    for (const [variables, headers, code, argument] of cases) {
      const { body } = await hub.query(ISSUE, variables, headers);
      expect(codes(body), JSON.stringify(variables)).toEqual([code]);
      if (argument) expect(argumentsOf(body)).toEqual([argument]);
    }
    const wrongKind = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id, kind: PATHWAY }) { created } }`, { id: items[0].achievement.id }, me);
    expect(codes(wrongKind.body)).toEqual(['BAD_USER_INPUT']);
    expect(argumentsOf(wrongKind.body)).toEqual(['kind']);
    const wallet = await hub.query(`query ($id: ID!) { learner(id: $id) { credentials { kind } } }`, { id: learnerId }, me);
    expect(wallet.body.data?.['learner'].credentials.filter((credential: { kind: string }) => credential.kind === 'PATHWAY')).toEqual([]);
  });
});

describe("the stacked credential of a member's pathway", () => {
  it("awards the stack's credit in the owner's name when its authority allows, and verifies with that authority", async () => {
    const { learnerId, items } = learnerAtTwoMembers(used, (item) => MAY_APPROVE.includes(authorityOf(item.memberId) ?? ''));
    const owner = items[0].memberId;
    const created = await hub.query(CREATE, { input: spec({ ownerMemberId: owner, ectsMin: items[0].achievement.ectsAwarded, memberIds: [owner] }) }, await staff(hub, owner));
    const pathwayId = created.body.data?.['createPathway'].id;
    const { body } = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId }, await learner(hub, learnerId));
    expect(body.errors).toBeUndefined();
    const payload = body.data?.['issuePathwayCredential'];
    expect(payload).toMatchObject({ created: true, basis: 'MEMBER_AUTHORITY', credential: { awardingBody: { id: owner } } });
    const claim = claimOf(payload.credential.vcJwt);
    const counted = (await hub.query(PROGRESS, { learner: learnerId, pathway: pathwayId }, await learner(hub, learnerId))).body.data?.['learner'].pathwayProgress.ectsCounted;
    expect((claim['creditReceived'] as Node)['point']).toBe(String(counted));
    const verified = await hub.query(VERIFY, { credential: payload.credential.vcJwt });
    const authority = verified.body.data?.['verifyCredential'].checks.find((check: { check: string }) => check.check === 'authority');
    expect(authority).toMatchObject({ passed: true, reason: expect.stringContaining("may award the stack's credit") });
    expect(verified.body.data?.['verifyCredential'].verified).toBe(true);
  });

  it('awards no credit of its own when the owner may not approve credit', async () => {
    const { learnerId, items } = learnerAtTwoMembers(used, (item) => item.memberId !== undefined && !MAY_APPROVE.includes(authorityOf(item.memberId) ?? ''));
    const owner = items[0].memberId;
    const created = await hub.query(CREATE, { input: spec({ ownerMemberId: owner, ectsMin: items[0].achievement.ectsAwarded, memberIds: [owner] }) }, await staff(hub, owner));
    const { body } = await hub.query(ISSUE, { pathway: created.body.data?.['createPathway'].id, learner: learnerId }, await learner(hub, learnerId));
    const payload = body.data?.['issuePathwayCredential'];
    expect(payload).toMatchObject({ created: true, basis: 'NOT_CREDIT_BEARING', credential: { awardingBody: { id: owner } } });
    expect(claimOf(payload.credential.vcJwt)['creditReceived']).toBeUndefined();
    const verified = await hub.query(VERIFY, { credential: payload.credential.vcJwt });
    expect(verified.body.data?.['verifyCredential'].verified).toBe(true);
  });

  it("is issued by the owner's staff for a learner who follows it, and refused to them for one who does not", async () => {
    const { learnerId, items } = learnerAtTwoMembers(used);
    const owner = items[0].memberId;
    const created = await hub.query(CREATE, { input: spec({ ownerMemberId: owner, ectsMin: items[0].achievement.ectsAwarded, memberIds: [owner] }) }, await staff(hub, owner));
    const pathwayId = created.body.data?.['createPathway'].id;
    const notFollowing = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId }, await staff(hub, owner));
    expect(codes(notFollowing.body)).toEqual(['FORBIDDEN']);
    // Alliance administrators issue alliance pathways' credentials, not a member's.
    const asAdmin = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId }, await admin());
    expect(codes(asAdmin.body)).toEqual(['FORBIDDEN']);

    await hub.query(`mutation ($id: ID!) { followPathway(pathwayId: $id) { id } }`, { id: pathwayId }, await learner(hub, learnerId));
    // Another member's staff still may not.
    const stranger = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId }, await staff(hub, items[1].memberId));
    expect(codes(stranger.body)).toEqual(['FORBIDDEN']);
    const { body } = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId }, await staff(hub, owner));
    expect(body.errors).toBeUndefined();
    expect(body.data?.['issuePathwayCredential']).toMatchObject({ created: true, credential: { kind: 'PATHWAY', learner: { id: learnerId } } });
  });

  // Last in this file: it stops a member.
  it('says which members did not answer, and issues nothing while they are missing', async () => {
    const { learnerId, items } = learnerAtTwoMembers(used);
    const me = await learner(hub, learnerId);
    const down = items[1].memberId;
    const created = await hub.query(CREATE, { input: spec({ ectsMin: items[1].achievement.ectsAwarded, memberIds: [down] }) }, await admin());
    const pathwayId = created.body.data?.['createPathway'].id;
    const before = await hub.query(`query ($l: ID!, $p: ID!) { learner(id: $l) { pathwayProgress(pathwayId: $p) { complete } } }`, { l: learnerId, p: pathwayId }, me);
    expect(before.body.data?.['learner'].pathwayProgress.complete).toBe(true);
    await hub.hub.members.get(down)?.stop();
    const { body } = await hub.query(`query ($l: ID!, $p: ID!) { learner(id: $l) { pathwayProgress(pathwayId: $p) { complete unavailableMembers { id } } } }`, { l: learnerId, p: pathwayId }, me);
    expect(body.data?.['learner'].pathwayProgress).toEqual({ complete: false, unavailableMembers: [{ id: down }] });
    const issued = await hub.query(ISSUE, { pathway: pathwayId, learner: learnerId }, me);
    expect(codes(issued.body)).toEqual(['NOT_ISSUABLE']);
    expect(issued.body.errors?.[0]?.message).toContain(`${down} did not answer`);
  });
});
