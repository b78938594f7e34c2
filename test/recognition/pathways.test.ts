import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityOf, catalogues, passed, type PassedAchievement } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { argumentsOf, candidates, codes, DECIDE, learner, learnerAtTwoMembers, slotInput, staff, SUBMIT } from './helpers.js';
import { RecognitionAudit } from '../../subgraphs/recognition/records.js';

/*
 * Stackable pathways (issue 11, points 5 and 6): specifications published as
 * data by their owner, and a learner's progress along them in one query
 * across members, with a revoked credential no longer counting.
 */

const CREATE = /* GraphQL */ `
  mutation ($input: PathwayInput!, $key: String) { createPathway(input: $input, clientKey: $key) { id version name owner { id } ectsMin minMembers requirements { kind title count offerings { id } } } }
`;
const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $input: PathwayInput!) { updatePathway(id: $id, input: $input) { id version name } }
`;
const PROGRESS = /* GraphQL */ `
  query ($learner: ID!, $pathway: ID!) {
    learner(id: $learner) {
      pathwayProgress(pathwayId: $pathway) {
        complete following ectsCounted ectsMissing membersCounted { id }
        requirements { requirement { kind } satisfied status satisfiedBy suggestions { id title } }
        components { achievementId credentialId counts reason ects institution { id } recognition { id state } }
      }
    }
  }
`;
const PATHWAYS = /* GraphQL */ `query ($learner: ID!) { learner(id: $learner) { pathways { pathway { id name } following complete } } }`;

let hub: TestHub;
const admin = () => bearer(hub.hub, { role: 'alliance-admin', subject: 'admin@eciu.eu' });

const spec = (extra: Record<string, unknown> = {}) => ({ name: 'ECIU certificate (test)', ectsMin: 5, minMembers: 1, requirements: [], ...extra });
const used = new Set<string>();

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('pathway specifications', () => {
  it("are published by the owner's staff or alliance administrators, read by anyone, and edited with a version and an audit trail", async () => {
    const created = await hub.query(CREATE, { input: spec({ ownerMemberId: 'tuni.fi' }), key: 'pathway-1' }, await staff(hub, 'tuni.fi'));
    expect(created.body.errors).toBeUndefined();
    const pathway = created.body.data?.['createPathway'];
    expect(pathway).toMatchObject({ version: 1, owner: { id: 'tuni.fi' }, ectsMin: 5, minMembers: 1 });
    // The same key again: the same pathway, not a second one.
    const again = await hub.query(CREATE, { input: spec({ ownerMemberId: 'tuni.fi' }), key: 'pathway-1' }, await staff(hub, 'tuni.fi'));
    expect(again.body.data?.['createPathway'].id).toBe(pathway.id);
    const listed = await hub.query(`query { pathways(ownerMemberId: "tuni.fi") { id } }`);
    expect(listed.body.data?.['pathways']).toEqual([{ id: pathway.id }]);

    const edited = await hub.query(UPDATE, { id: pathway.id, input: spec({ ownerMemberId: 'tuni.fi', name: 'Renamed stack' }) }, await staff(hub, 'tuni.fi'));
    expect(edited.body.data?.['updatePathway']).toMatchObject({ version: 2, name: 'Renamed stack' });
    const trail = await hub.hub.recognitionService.orm.em.fork().find(RecognitionAudit, { entityType: 'Pathway', entityId: pathway.id }, { orderBy: { id: 'asc' } });
    expect(trail.map((row) => row.action)).toEqual(['createPathway', 'updatePathway']);
    expect(JSON.parse(trail[1]?.before ?? '{}')).toMatchObject({ name: 'ECIU certificate (test)', version: 1 });
  });

  it("refuse other members' staff, learners and alliance pathways from member staff, changing nothing", async () => {
    const before = (await hub.query(`query { pathways(includeInactive: true) { id } }`)).body.data?.['pathways'].length;
    for (const [input, headers] of [
      [spec({ ownerMemberId: 'tuni.fi' }), await staff(hub, 'dcu.ie')],
      [spec(), await staff(hub, 'tuni.fi')],
      [spec(), await learner(hub, passed[0]!.learnerId)],
    ] as const) {
      const { body } = await hub.query(CREATE, { input }, headers);
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    expect((await hub.query(`query { pathways(includeInactive: true) { id } }`)).body.data?.['pathways'].length).toBe(before);
    const [own] = (await hub.query(`query { pathways(ownerMemberId: "tuni.fi") { id } }`)).body.data?.['pathways'];
    const edit = await hub.query(UPDATE, { id: own.id, input: spec({ ownerMemberId: 'tuni.fi', name: 'Taken over' }) }, await staff(hub, 'dcu.ie'));
    expect(codes(edit.body)).toEqual(['FORBIDDEN']);
    const both = await hub.query(`query { pathways(ownerMemberId: "tuni.fi", allianceOnly: true) { id } }`);
    expect(argumentsOf(both.body)).toEqual(['allianceOnly']);
  });

  it('refuse bad specifications, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [spec({ ectsMin: 10, ectsMax: 5 }), 'input.ectsMax'],
      [spec({ ectsMin: 0 }), 'input.ectsMin'],
      [spec({ ownerMemberId: 'nowhere.example' }), 'input.ownerMemberId'],
      [spec({ minMembers: 40 }), 'input.minMembers'],
      [spec({ validFrom: '2026-13-01' }), 'input.validFrom'],
      [spec({ requirements: [{ kind: 'ANY_OF', title: 'Two of', offeringIds: ['tuni.fi:a', 'tuni.fi:b'], count: 3 }] }), 'input.requirements[0].count'],
      [spec({ requirements: [{ kind: 'SKILL', title: 'A skill', skillUri: 'https://example.org/skill' }] }), 'input.requirements[0].skillUri'],
      [spec({ requirements: [{ kind: 'ECTS_TOTAL', title: 'Total' }] }), 'input.requirements[0].kind'],
      [spec({ requirements: [{ kind: 'CHALLENGE', title: 'A challenge', offeringIds: ['tuni.fi:a'] }] }), 'input.requirements[0].offeringIds'],
    ];
    for (const [input, argument] of cases) {
      const { body } = await hub.query(CREATE, { input }, await admin());
      expect(codes(body), argument).toEqual([expect.stringMatching(/BAD_USER_INPUT|UNKNOWN_MEMBER/)]);
      expect(argumentsOf(body)).toEqual([argument]);
    }
  });
});

describe("a learner's progress along a pathway", () => {
  it('counts achievements at every member and says what is missing, with the offerings that would satisfy it', async () => {
    const { learnerId, items } = learnerAtTwoMembers(used);
    const ects = items[0].achievement.ectsAwarded + items[1].achievement.ectsAwarded;
    const missing = passed.find((item) => item.learnerId !== learnerId && !passed.some((own) => own.learnerId === learnerId && own.offering.id === item.offering.id)) as PassedAchievement;
    const complete = await hub.query(CREATE, { input: spec({ ectsMin: ects, minMembers: 2, requirements: [{ kind: 'ALL_OF', title: 'The first', offeringIds: [items[0].offering.id] }] }) }, await admin());
    const open = await hub.query(CREATE, { input: spec({ ectsMin: ects + 1, minMembers: 2, requirements: [{ kind: 'ALL_OF', title: 'Another', offeringIds: [missing.offering.id] }] }) }, await admin());
    const me = await learner(hub, learnerId);

    const calls: string[] = [];
    hub.hub.recognitionService.observe = (call) => calls.push(call.service);
    const done = await hub.query(PROGRESS, { learner: learnerId, pathway: complete.body.data?.['createPathway'].id }, me);
    hub.hub.recognitionService.observe = undefined;
    expect(done.body.errors).toBeUndefined();
    // The stated cost: one call each to the learners subgraph, issuance and the member router.
    expect(calls.sort()).toEqual(['issuance', 'learners', 'members']);
    const progress = done.body.data?.['learner'].pathwayProgress;
    expect(progress).toMatchObject({ complete: true, ectsMissing: 0 });
    expect(progress.ectsCounted).toBeGreaterThanOrEqual(ects);
    expect(progress.membersCounted.length).toBeGreaterThanOrEqual(2);
    expect(progress.requirements.map((item: { requirement: { kind: string } }) => item.requirement.kind)).toEqual(['ECTS_TOTAL', 'MIN_MEMBERS', 'ALL_OF']);
    expect(progress.requirements[2].satisfiedBy).toEqual([items[0].achievement.id]);

    const notYet = await hub.query(PROGRESS, { learner: learnerId, pathway: open.body.data?.['createPathway'].id }, me);
    const openProgress = notYet.body.data?.['learner'].pathwayProgress;
    expect(openProgress.complete).toBe(false);
    expect(openProgress.requirements[2]).toMatchObject({ satisfied: false, status: '0 of 1 offerings done', suggestions: [{ id: missing.offering.id, title: missing.offering.title }] });

    // Another learner, an analyst, member staff: no one else reads it.
    for (const headers of [await learner(hub, missing.learnerId), await bearer(hub.hub, { role: 'analyst' }), await staff(hub, items[0].memberId)]) {
      const { body } = await hub.query(PROGRESS, { learner: learnerId, pathway: complete.body.data?.['createPathway'].id }, headers);
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    const unknown = await hub.query(PROGRESS, { learner: learnerId, pathway: '00000000-0000-4000-8000-000000000000' }, me);
    expect(codes(unknown.body)).toEqual(['NOT_FOUND']);
  });

  it('suggests challenges on the SDG an open CHALLENGE requirement names, from the catalogue, in one more call', async () => {
    const { learnerId } = learnerAtTwoMembers(used);
    const me = await learner(hub, learnerId);
    const challenges = [...catalogues.values()].flat().filter((offering) => offering.kind === 'CHALLENGE' && offering.sdgList);
    const sdgsOf = (offering: { sdgList: string }) => offering.sdgList.split(',').map(Number);
    // An SDG none of the learner's passed challenges is on, so the requirement is open.
    const doneSdgs = new Set(passed.filter((item) => item.learnerId === learnerId && item.offering.kind === 'CHALLENGE').flatMap((item) => sdgsOf(item.offering)));
    const sdg = challenges.flatMap(sdgsOf).find((value) => !doneSdgs.has(value)) as number;
    const onSdg = new Set(challenges.filter((offering) => sdgsOf(offering).includes(sdg)).map((offering) => offering.id));
    expect(onSdg.size).toBeGreaterThan(0);
    // 200 ECTS: the requirement stays open whatever the learner did.
    const created = await hub.query(CREATE, { input: spec({ ectsMin: 200, requirements: [{ kind: 'CHALLENGE', title: `A challenge on SDG ${sdg}`, sdg }] }) }, await admin());
    const calls: string[] = [];
    hub.hub.recognitionService.observe = (call) => calls.push(call.service);
    const { body } = await hub.query(PROGRESS, { learner: learnerId, pathway: created.body.data?.['createPathway'].id }, me);
    hub.hub.recognitionService.observe = undefined;
    expect(body.errors).toBeUndefined();
    const requirement = body.data?.['learner'].pathwayProgress.requirements[2];
    expect(requirement.satisfied).toBe(false);
    expect(requirement.suggestions.length).toBeGreaterThan(0);
    expect(requirement.suggestions.length).toBeLessThanOrEqual(5);
    for (const suggestion of requirement.suggestions) expect(onSdg.has(suggestion.id), suggestion.id).toBe(true);
    expect(calls.sort()).toEqual(['issuance', 'learners', 'members', 'members']);
  });

  it('stops counting an achievement whose credential is revoked', async () => {
    // A member whose authority lets the hub issue its credit-bearing micro-credentials.
    const { learnerId, items } = learnerAtTwoMembers(used, (item) => ['FULL', 'MICRO_CREDENTIALS_ONLY'].includes(authorityOf(item.memberId) ?? ''));
    const me = await learner(hub, learnerId);
    const created = await hub.query(CREATE, { input: spec({ ectsMin: items[0].achievement.ectsAwarded, memberIds: [items[0].memberId] }) }, await admin());
    const pathwayId = created.body.data?.['createPathway'].id;
    const before = await hub.query(PROGRESS, { learner: learnerId, pathway: pathwayId }, me);
    expect(before.body.data?.['learner'].pathwayProgress.complete).toBe(true);

    const issued = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id } } }`, { id: items[0].achievement.id }, me);
    const credentialId = issued.body.data?.['issueCredential'].credential.id;
    const revoked = await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Assessment fraud established") { id } }`, { id: credentialId }, await staff(hub, items[0].memberId));
    expect(revoked.body.errors).toBeUndefined();

    const after = await hub.query(PROGRESS, { learner: learnerId, pathway: pathwayId }, me);
    const progress = after.body.data?.['learner'].pathwayProgress;
    const component = progress.components.find((item: { achievementId: string }) => item.achievementId === items[0].achievement.id);
    expect(component).toMatchObject({ credentialId, counts: false, reason: `its credential ${credentialId} is revoked` });
    expect(progress.complete).toBe(false);
  });

  it('counts credit a member recognised in place of its evidence', async () => {
    const candidate = candidates.find((item) => !used.has(item.learnerId)) as (typeof candidates)[number];
    used.add(candidate.learnerId);
    const evidence = candidate.achievements[0] as PassedAchievement;
    const me = await learner(hub, candidate.learnerId);
    const submitted = await hub.query(SUBMIT, { input: slotInput(candidate, [{ achievementId: evidence.achievement.id }]) }, me);
    expect(submitted.body.errors).toBeUndefined();
    const requestId = submitted.body.data?.['submitRecognitionRequest'].request.id;
    const decided = await hub.query(DECIDE, { input: { requestId, outcome: 'RECOGNISED', ectsRecognised: 1, explanation: 'Matches our elective outcomes.' } }, await staff(hub, candidate.home));
    expect(decided.body.errors).toBeUndefined();

    const created = await hub.query(CREATE, { input: spec({ ectsMin: 1, memberIds: [candidate.home] }) }, await admin());
    const { body } = await hub.query(PROGRESS, { learner: candidate.learnerId, pathway: created.body.data?.['createPathway'].id }, me);
    expect(body.errors).toBeUndefined();
    const progress = body.data?.['learner'].pathwayProgress;
    const recognition = progress.components.find((item: { recognition: { id: string } | null }) => item.recognition?.id === requestId);
    expect(recognition).toMatchObject({ counts: true, ects: 1, institution: { id: candidate.home }, recognition: { id: requestId, state: 'RECOGNISED' } });
    const own = progress.components.find((item: { achievementId: string }) => item.achievementId === evidence.achievement.id);
    expect(own).toMatchObject({ counts: false, reason: `counted through recognition request ${requestId}` });
    expect(progress.complete).toBe(true);
    // Alliance administrators read progress too.
    const asAdmin = await hub.query(PROGRESS, { learner: candidate.learnerId, pathway: created.body.data?.['createPathway'].id }, await admin());
    expect(asAdmin.body.data?.['learner'].pathwayProgress.complete).toBe(true);
  });

  it('lists the pathways a learner follows, and following twice changes nothing', async () => {
    const { learnerId } = learnerAtTwoMembers(used);
    const me = await learner(hub, learnerId);
    const created = await hub.query(CREATE, { input: spec({ name: 'A pathway to follow', ectsMin: 200, memberIds: ['tuni.fi'] }) }, await admin());
    const pathwayId = created.body.data?.['createPathway'].id;
    for (let i = 0; i < 2; i += 1) {
      const { body } = await hub.query(`mutation ($id: ID!) { followPathway(pathwayId: $id) { id } }`, { id: pathwayId }, me);
      expect(body.data?.['followPathway']).toEqual({ id: pathwayId });
    }
    const listed = await hub.query(PATHWAYS, { learner: learnerId }, me);
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data?.['learner'].pathways).toContainEqual({ pathway: { id: pathwayId, name: 'A pathway to follow' }, following: true, complete: false });
    const follows = await hub.hub.recognitionService.orm.em.fork().find(RecognitionAudit, { entityType: 'Pathway', entityId: pathwayId, action: 'followPathway' });
    expect(follows).toHaveLength(1);
    const staffFollow = await hub.query(`mutation ($id: ID!) { followPathway(pathwayId: $id) { id } }`, { id: pathwayId }, await staff(hub, 'tuni.fi'));
    expect(codes(staffFollow.body)).toEqual(['FORBIDDEN']);
    await hub.query(`mutation ($id: ID!) { unfollowPathway(pathwayId: $id) { id } }`, { id: pathwayId }, me);
    const after = await hub.query(PATHWAYS, { learner: learnerId }, me);
    expect(after.body.data?.['learner'].pathways.map((item: { pathway: { id: string } }) => item.pathway.id)).not.toContain(pathwayId);
  });
});
