import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityOf } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { ANSWER, APPEAL, argumentsOf, candidates, codes, DECIDE, learner, slotInput, staff, SUBMIT, WITHDRAW } from './helpers.js';

/*
 * Recognition requests and decisions through the gateway, as the portal (a
 * learner) and a member's recognition office send them, with every bad input
 * and access case of issue 11.
 */

let hub: TestHub;
const [alice, bob, carol, dave, erin] = candidates;

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

async function submit(who: typeof alice, input: Record<string, unknown>, key?: string) {
  return hub.query(SUBMIT, { input, ...(key ? { key } : {}) }, await learner(hub, who!.learnerId));
}

async function countRequests(who: typeof alice): Promise<number> {
  const { body } = await hub.query(`query ($id: ID!) { learner(id: $id) { recognitionRequests { id } } }`, { id: who!.learnerId }, await learner(hub, who!.learnerId));
  return (body.data?.['learner']?.recognitionRequests as unknown[]).length;
}

describe('submitting a recognition request', () => {
  it('stores the evidence as read from its member, records the consent, and starts the history', async () => {
    const achievement = alice!.achievements[0]!;
    const { body } = await submit(alice, slotInput(alice!, [{ achievementId: achievement.achievement.id }], { statement: 'For my electives.' }));
    expect(body.errors).toBeUndefined();
    const { created, request } = body.data?.['submitRecognitionRequest'];
    expect(created).toBe(true);
    expect(request).toMatchObject({
      state: 'SUBMITTED',
      member: { id: alice!.home },
      learner: { id: alice!.learnerId },
      target: { kind: 'CREDIT_SLOT', title: 'Electives', ects: 10, eqfLevel: 6, offering: null },
      evidenceEcts: achievement.achievement.ectsAwarded,
      ectsRequested: achievement.achievement.ectsAwarded,
      decision: null,
      consent: { sharedWith: { id: alice!.home }, evidenceShared: 1 },
      appealable: false,
    });
    expect(request.evidence).toEqual([
      expect.objectContaining({
        kind: 'ACHIEVEMENT',
        achievementId: achievement.achievement.id,
        title: achievement.offering.title,
        issuer: { id: achievement.memberId },
        issuerAuthority: authorityOf(achievement.memberId),
        ects: achievement.achievement.ectsAwarded,
        eqfLevel: achievement.offering.eqfLevel,
        passed: true,
        grade: achievement.achievement.grade,
      }),
    ]);
    expect(request.history).toEqual([{ action: 'SUBMITTED', fromState: null, toState: 'SUBMITTED', actor: { role: 'LEARNER', member: null, subject: null }, message: 'For my electives.', decision: null }]);
  });

  it('returns the first request when the same one is submitted again, with or without a key, and refuses a key reused for another request', async () => {
    const evidence = [{ achievementId: bob!.achievements[0]!.achievement.id }];
    const first = await submit(bob, slotInput(bob!, evidence), 'bob-request-0001');
    const again = await submit(bob, slotInput(bob!, evidence), 'bob-request-0001');
    const plain = await submit(bob, slotInput(bob!, evidence));
    expect(first.body.data?.['submitRecognitionRequest'].created).toBe(true);
    for (const retry of [again, plain]) {
      expect(retry.body.errors).toBeUndefined();
      expect(retry.body.data?.['submitRecognitionRequest']).toMatchObject({ created: false, request: { id: first.body.data?.['submitRecognitionRequest'].request.id } });
    }
    const reused = await submit(bob, slotInput(bob!, evidence, { statement: 'different' }), 'bob-request-0001');
    expect(codes(reused.body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(await countRequests(bob)).toBe(1);
  });

  it("refuses someone else's achievement and an unknown one alike, and stores nothing", async () => {
    const before = await countRequests(carol);
    const others = await submit(carol, slotInput(carol!, [{ achievementId: dave!.achievements[0]!.achievement.id }]));
    const unknown = await submit(carol, slotInput(carol!, [{ achievementId: `${dave!.achievements[0]!.memberId}:ach-nope-1` }]));
    for (const { body } of [others, unknown]) {
      expect(codes(body)).toEqual(['FORBIDDEN']);
      expect(argumentsOf(body)).toEqual(['input.evidence[0].achievementId']);
      expect(body.errors?.[0]?.message).toMatch(/is not one of yours/);
    }
    expect(await countRequests(carol)).toBe(before);
  });

  it.each([
    ['no consent', { consent: false }, 'BAD_USER_INPUT', 'input.consent'],
    ['an unknown member', { memberId: 'nowhere.example' }, 'UNKNOWN_MEMBER', 'input.memberId'],
    ['two targets', { offeringId: 'dcu.ie:co-301' }, 'BAD_USER_INPUT', 'input.offeringId'],
    ['an offering of another member', { creditSlot: null, offeringId: 'nowhere.example:co-1' }, 'BAD_USER_INPUT', 'input.offeringId'],
    ['an EQF level out of range', { creditSlot: { ects: 5, eqfLevel: 9, area: 'Electives' } }, 'BAD_USER_INPUT', 'input.creditSlot.eqfLevel'],
    ['more ECTS than the target', { ectsRequested: 11 }, 'BAD_USER_INPUT', 'input.ectsRequested'],
    ['no evidence', { evidence: [] }, 'BAD_USER_INPUT', 'input.evidence'],
    ['evidence naming two things', { evidence: [{ achievementId: 'tuni.fi:a-1', credentialId: 'urn:uuid:00000000-0000-4000-8000-000000000000' }] }, 'BAD_USER_INPUT', 'input.evidence[0]'],
    ['a malformed credential id', { evidence: [{ credentialId: 'cred-1' }] }, 'BAD_USER_INPUT', 'input.evidence[0].credentialId'],
  ])('refuses %s with a clear code naming the input', async (_name, change, code, argument) => {
    const input = { ...slotInput(carol!, [{ achievementId: carol!.achievements[0]!.achievement.id }]), ...change };
    const { body } = await submit(carol, input);
    expect(codes(body)).toEqual([code]);
    expect(argumentsOf(body)).toEqual([argument]);
  });

  it('refuses more ECTS than the evidence carries', async () => {
    const item = carol!.achievements[0]!;
    const { body } = await submit(carol, slotInput(carol!, [{ achievementId: item.achievement.id }], { ectsRequested: item.achievement.ectsAwarded + 0.5 }));
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/the evidence carries/);
  });

  it("shows a member's queue and the named evidence to its staff, and nothing to another member's", async () => {
    const own = await hub.query(`query ($m: ID!) { recognitionRequests(memberId: $m, states: [SUBMITTED]) { totalCount nodes { id learner { id } evidence { achievementId } } } }`, { m: alice!.home }, await staff(hub, alice!.home));
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data?.['recognitionRequests'].nodes).toEqual(expect.arrayContaining([expect.objectContaining({ learner: { id: alice!.learnerId }, evidence: [{ achievementId: alice!.achievements[0]!.achievement.id }] })]));
    const other = alice!.home === 'dcu.ie' ? 'tuni.fi' : 'dcu.ie';
    const { body } = await hub.query(`query ($id: ID!) { learner(id: $id) { recognitionRequests { id } } }`, { id: alice!.learnerId }, await staff(hub, other));
    expect(body.data?.['learner']?.recognitionRequests ?? []).toEqual([]);
  });
});

describe('deciding, appealing, answering and withdrawing', () => {
  let requestId: string;
  const decide = async (memberId: string, input: Record<string, unknown>) => hub.query(DECIDE, { input: { requestId, ...input } }, await staff(hub, memberId));

  beforeAll(async () => {
    const { body } = await submit(dave, slotInput(dave!, [{ achievementId: dave!.achievements[0]!.achievement.id }]));
    requestId = body.data?.['submitRecognitionRequest'].request.id;
  });

  it("refuses staff of another member as if the request did not exist, and the learner's own decision", async () => {
    const other = ['tuni.fi', 'dcu.ie', 'utwente.nl'].find((id) => id !== dave!.home) as string;
    const foreign = await decide(other, { outcome: 'RECOGNISED', ectsRecognised: 1, explanation: 'Looks fine.' });
    expect(codes(foreign.body)).toEqual(['NOT_FOUND']);
    const unknown = await hub.query(DECIDE, { input: { requestId: '00000000-0000-4000-8000-000000000000', outcome: 'RECOGNISED', ectsRecognised: 1, explanation: 'Looks fine.' } }, await staff(hub, dave!.home));
    expect(codes(unknown.body)).toEqual(['NOT_FOUND']);
    const own = await hub.query(DECIDE, { input: { requestId, outcome: 'RECOGNISED', ectsRecognised: 1, explanation: 'I approve.' } }, await learner(hub, dave!.learnerId));
    expect(codes(own.body)).toEqual(['FORBIDDEN']);
  });

  it.each([
    ['more ECTS than the evidence carries', { outcome: 'RECOGNISED', ectsRecognised: 99, explanation: 'All of it.' }, 'input.ectsRecognised'],
    ['a recognition without ECTS', { outcome: 'RECOGNISED', explanation: 'All of it.' }, 'input.ectsRecognised'],
    ['a rejection without a reason', { outcome: 'REJECTED', explanation: 'The level differs substantially from EQF 7.' }, 'input.rejectionReason'],
    ['a rejection that does not explain the difference', { outcome: 'REJECTED', rejectionReason: 'SUBSTANTIAL_DIFFERENCE_LEVEL', explanation: 'No.' }, 'input.explanation'],
    ['a converted grade without its scale', { outcome: 'RECOGNISED', ectsRecognised: 1, convertedGrade: 'B', explanation: 'Fine.' }, 'input.gradingScheme'],
  ])('refuses %s and changes nothing', async (_name, input, argument) => {
    const { body } = await decide(dave!.home, input);
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(argumentsOf(body)).toEqual([argument]);
    const { body: read } = await hub.query(`query ($id: ID!) { recognitionRequest(id: $id) { state history { action } } }`, { id: requestId }, await learner(hub, dave!.learnerId));
    expect(read.data?.['recognitionRequest']).toEqual({ state: 'SUBMITTED', history: [{ action: 'SUBMITTED' }] });
  });

  it('records a recognition with who, when and why, then closes the request to further decisions', async () => {
    const ects = dave!.achievements[0]!.achievement.ectsAwarded;
    const { body } = await decide(dave!.home, { outcome: 'RECOGNISED', ectsRecognised: ects, convertedGrade: 'B+', gradingScheme: 'local', countsAs: 'Free electives', explanation: 'Matches our elective profile.' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.['decideRecognitionRequest']).toMatchObject({
      state: 'RECOGNISED',
      appealable: true,
      decision: { outcome: 'RECOGNISED', ectsRecognised: ects, convertedGrade: 'B+', countsAs: 'Free electives', decidedBy: { role: 'MEMBER_STAFF', member: { id: dave!.home }, subject: `officer@${dave!.home}` } },
    });
    const again = await decide(dave!.home, { outcome: 'REJECTED', rejectionReason: 'SUBSTANTIAL_DIFFERENCE_LEVEL', explanation: 'Second thoughts about the level of this module.' });
    expect(codes(again.body)).toEqual(['INVALID_STATE']);
    // The learner sees the decision and who decided (role and member), not the officer's identity.
    const { body: seen } = await hub.query(`query ($id: ID!) { recognitionRequest(id: $id) { decision { decidedBy { role member { id } subject } } } }`, { id: requestId }, await learner(hub, dave!.learnerId));
    expect(seen.data?.['recognitionRequest'].decision.decidedBy).toEqual({ role: 'MEMBER_STAFF', member: { id: dave!.home }, subject: null });
  });

  it('reopens once on appeal; the decision after it is final and the history keeps both', async () => {
    const appeal = await hub.query(APPEAL, { id: requestId, grounds: 'The module was at EQF 7, please review the grade.' }, await learner(hub, dave!.learnerId));
    expect(appeal.body.errors).toBeUndefined();
    expect(appeal.body.data?.['appealRecognitionDecision']).toMatchObject({ state: 'APPEALED', appealed: true, decision: { outcome: 'RECOGNISED' } });
    const final = await decide(dave!.home, { outcome: 'PARTIALLY_RECOGNISED', ectsRecognised: 0.5, rejectionReason: 'SUBSTANTIAL_DIFFERENCE_LEARNING_OUTCOMES', explanation: 'Only half of the learning outcomes match our elective.' });
    expect(final.body.errors).toBeUndefined();
    const request = final.body.data?.['decideRecognitionRequest'];
    expect(request).toMatchObject({ state: 'PARTIALLY_RECOGNISED', appealable: false, decision: { outcome: 'PARTIALLY_RECOGNISED', ectsRecognised: 0.5 } });
    expect(request.history.map((entry: { action: string; toState: string }) => [entry.action, entry.toState])).toEqual([
      ['SUBMITTED', 'SUBMITTED'],
      ['DECIDED', 'RECOGNISED'],
      ['APPEALED', 'APPEALED'],
      ['DECIDED', 'PARTIALLY_RECOGNISED'],
    ]);
    const twice = await hub.query(APPEAL, { id: requestId, grounds: 'Please review it once more.' }, await learner(hub, dave!.learnerId));
    expect(codes(twice.body)).toEqual(['INVALID_STATE']);
  });

  it('asks for more information and takes the answer back to the member', async () => {
    const { body } = await submit(erin, slotInput(erin!, [{ achievementId: erin!.achievements[0]!.achievement.id }]));
    const id = body.data?.['submitRecognitionRequest'].request.id as string;
    const asked = await hub.query(DECIDE, { input: { requestId: id, outcome: 'MORE_INFORMATION_NEEDED', explanation: 'Please describe the project you did.' } }, await staff(hub, erin!.home));
    expect(asked.body.data?.['decideRecognitionRequest']).toMatchObject({ state: 'MORE_INFORMATION_NEEDED', decision: { outcome: 'MORE_INFORMATION_NEEDED' } });
    const answered = await hub.query(ANSWER, { id, message: 'We designed a bike-sharing scheme for the city.' }, await learner(hub, erin!.learnerId));
    expect(answered.body.errors).toBeUndefined();
    expect(answered.body.data?.['provideRecognitionInformation']).toMatchObject({ state: 'SUBMITTED' });
    const twice = await hub.query(ANSWER, { id, message: 'Again.' }, await learner(hub, erin!.learnerId));
    expect(codes(twice.body)).toEqual(['INVALID_STATE']);
    const withdrawn = await hub.query(WITHDRAW, { id }, await learner(hub, erin!.learnerId));
    expect(withdrawn.body.data?.['withdrawRecognitionRequest']).toMatchObject({ state: 'WITHDRAWN' });
    const decided = await hub.query(DECIDE, { input: { requestId: id, outcome: 'RECOGNISED', ectsRecognised: 1, explanation: 'Too late.' } }, await staff(hub, erin!.home));
    expect(codes(decided.body)).toEqual(['INVALID_STATE']);
  });

  it("refuses another learner's steps on a request as if it did not exist", async () => {
    const { body } = await hub.query(APPEAL, { id: requestId, grounds: 'Not my request, but still.' }, await learner(hub, alice!.learnerId));
    expect(codes(body)).toEqual(['NOT_FOUND']);
  });
});
