import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passed } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { PassportAudit } from '../../subgraphs/passport/records.js';

/*
 * The motivation scan (issue 12, point 2): versioned questions as data,
 * answers the learner's own - saved, changed, deleted, audited, never shown to
 * anyone else - and every bad answer refused naming its field.
 */

const SCAN_FIELDS = /* GraphQL */ `
  questionnaireVersion revision
  goals { skills { uri } skillGroups { uri } occupation { uri } pathway { id } }
  interests { sdgs iscedFields }
  constraints { languages modes hoursPerWeek ectsBudget startAfter endBefore }
  motivation { item value }
  roles { role score }
`;
const SAVE = /* GraphQL */ `mutation ($input: MotivationScanInput!, $key: String) { saveMotivationScan(input: $input, clientKey: $key) { ${SCAN_FIELDS} } }`;
const READ = /* GraphQL */ `query ($id: ID!) { learner(id: $id) { motivationScan { ${SCAN_FIELDS} } } }`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const argumentsOf = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['argument']);
const learners = [...new Set(passed.map((item) => item.learnerId))];
// Skills the demo catalogue uses, so ESCO knows them.
const skills = [...new Set(passed.flatMap((item) => item.achievement.skills.map((skill) => skill.skillUri)))];

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('the motivation scan', () => {
  it('publishes its versioned questionnaire to anyone', async () => {
    const { body } = await hub.query(`{ motivationQuestionnaire { version title items { id role text } likertMin likertMax } }`);
    expect(body.data?.['motivationQuestionnaire']).toMatchObject({ version: 1, likertMin: 1, likertMax: 5 });
    expect(new Set(body.data?.['motivationQuestionnaire'].items.map((item: { role: string }) => item.role))).toEqual(new Set(['THRIVING_EARNER', 'EMPOWERED_LEARNER', 'ACTIVE_CITIZEN']));
    const unknown = await hub.query(`{ motivationQuestionnaire(version: 7) { version } }`);
    expect(argumentsOf(unknown.body)).toEqual(['version']);
  });

  it('is saved, changed and deleted by its learner, audited, with role scores', async () => {
    const learnerId = learners[0] as string;
    const me = await asLearner(hub.hub, learnerId);
    expect((await hub.query(READ, { id: learnerId }, me)).body.data?.['learner'].motivationScan).toBeNull();
    const pathway = await hub.query(`mutation { createPathway(input: { name: "Scan goal pathway", ectsMin: 10, minMembers: 1, requirements: [] }) { id } }`, {}, await bearer(hub.hub, { role: 'alliance-admin' }));
    const pathwayId = pathway.body.data?.['createPathway'].id;
    const input = {
      skillUris: skills.slice(0, 2),
      pathwayId,
      sdgs: [13, 11],
      iscedFields: ['0731'],
      languages: ['en'],
      modes: ['ONLINE', 'BLENDED'],
      hoursPerWeek: 6,
      ectsBudget: 10,
      startAfter: '2027-01-01',
      endBefore: '2027-06-30',
      motivation: [
        { item: 'career-advance', value: 4 },
        { item: 'career-skills', value: 5 },
        { item: 'civic-sdgs', value: 2 },
      ],
    };
    const saved = await hub.query(SAVE, { input, key: 'scan-save-0001' }, me);
    expect(saved.body.errors).toBeUndefined();
    expect(saved.body.data?.['saveMotivationScan']).toMatchObject({
      questionnaireVersion: 1,
      revision: 1,
      goals: { skills: skills.slice(0, 2).map((uri) => ({ uri })), pathway: { id: pathwayId }, occupation: null },
      interests: { sdgs: [11, 13], iscedFields: ['0731'] },
      constraints: { languages: ['en'], modes: ['ONLINE', 'BLENDED'], hoursPerWeek: 6, ectsBudget: 10, startAfter: '2027-01-01', endBefore: '2027-06-30' },
      roles: [
        { role: 'THRIVING_EARNER', score: 4.5 },
        { role: 'EMPOWERED_LEARNER', score: null },
        { role: 'ACTIVE_CITIZEN', score: 2 },
      ],
    });
    // A retry with the same key: the same scan, not a second revision.
    const retry = await hub.query(SAVE, { input, key: 'scan-save-0001' }, me);
    expect(retry.body.data?.['saveMotivationScan'].revision).toBe(1);
    const changed = await hub.query(SAVE, { input: { ...input, sdgs: [4] } }, me);
    expect(changed.body.data?.['saveMotivationScan']).toMatchObject({ revision: 2, interests: { sdgs: [4] } });
    expect((await hub.query(READ, { id: learnerId }, me)).body.data?.['learner'].motivationScan).toEqual(changed.body.data?.['saveMotivationScan']);

    expect((await hub.query(`mutation { deleteMotivationScan }`, {}, me)).body.data).toEqual({ deleteMotivationScan: true });
    expect((await hub.query(`mutation { deleteMotivationScan }`, {}, me)).body.data).toEqual({ deleteMotivationScan: false });
    expect((await hub.query(READ, { id: learnerId }, me)).body.data?.['learner'].motivationScan).toBeNull();
    const trail = await hub.hub.passportService.orm.em.fork().find(PassportAudit, { entityType: 'MotivationScan', entityId: learnerId }, { orderBy: { id: 'asc' } });
    expect(trail.map((row) => row.action)).toEqual(['saveMotivationScan', 'saveMotivationScan', 'deleteMotivationScan']);
  });

  it('is nobody else\'s: another learner, member staff, an analyst and an administrator are refused', async () => {
    const learnerId = learners[1] as string;
    await hub.query(SAVE, { input: { sdgs: [1] } }, await asLearner(hub.hub, learnerId));
    for (const headers of [await asLearner(hub.hub, learners[2] as string), await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }), await bearer(hub.hub, { role: 'analyst' }), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      const { body } = await hub.query(READ, { id: learnerId }, headers);
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    const staffSave = await hub.query(SAVE, { input: { sdgs: [2] } }, await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }));
    expect(codes(staffSave.body)).toEqual(['FORBIDDEN']);
  });

  it('refuses out-of-range and unknown answers, naming the field, and keeps what was saved', async () => {
    const learnerId = learners[3] as string;
    const me = await asLearner(hub.hub, learnerId);
    await hub.query(SAVE, { input: { sdgs: [5] } }, me);
    const cases: [Record<string, unknown>, string][] = [
      [{ ectsBudget: 0 }, 'input.ectsBudget'],
      [{ ectsBudget: 10_000 }, 'input.ectsBudget'],
      [{ hoursPerWeek: 100 }, 'input.hoursPerWeek'],
      [{ sdgs: [18] }, 'input.sdgs[0]'],
      [{ motivation: [{ item: 'career-advance', value: 6 }] }, 'input.motivation[0].value'],
      [{ motivation: [{ item: 'no-such-question', value: 3 }] }, 'input.motivation[0].item'],
      [{ skillUris: ['https://example.org/skill/1'] }, 'input.skillUris[0]'],
      [{ skillUris: ['http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000'] }, 'input.skillUris[0]'],
      [{ occupationUri: 'http://data.europa.eu/esco/occupation/00000000-0000-4000-8000-000000000000' }, 'input.occupationUri'],
      [{ pathwayId: '00000000-0000-4000-8000-000000000000' }, 'input.pathwayId'],
      [{ startAfter: '2027-06-01', endBefore: '2027-01-01' }, 'input.endBefore'],
      [{ startAfter: '2027-02-30' }, 'input.startAfter'],
      [{ languages: ['english'] }, 'input.languages[0]'],
    ];
    for (const [input, argument] of cases) {
      const { body } = await hub.query(SAVE, { input }, me);
      expect(codes(body), argument).toEqual(['BAD_USER_INPUT']);
      expect(argumentsOf(body)).toEqual([argument]);
    }
    expect((await hub.query(READ, { id: learnerId }, me)).body.data?.['learner'].motivationScan).toMatchObject({ revision: 1, interests: { sdgs: [5] } });
  });
});
