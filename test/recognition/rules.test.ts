import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityOf, type PassedAchievement } from '../issuance/demo-achievements.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { argumentsOf, codes, CREATE_RULE, DRY_RUN, learner, pairs, slotInput, staff, SUBMIT, UPDATE_RULE, type Candidate } from './helpers.js';
import { RecognitionAudit } from '../../subgraphs/recognition/records.js';

/*
 * Recognition rules as data: published and edited through the graph by a
 * member's staff (or alliance administrators), deciding matching requests at
 * once, never more than the evidence carries, the accreditation rule obeyed.
 */

let hub: TestHub;
const used = new Set<string>();
const eligible = (item: PassedAchievement) => ['FULL', 'MICRO_CREDENTIALS_ONLY'].includes(authorityOf(item.memberId) ?? '') && item.offering.eqfLevel >= 6;

/** A learner not used yet, asking `home` (or any home) with achievements that fit. */
function pick(predicate: (item: PassedAchievement) => boolean, options: { home?: string; count?: number } = {}): Candidate & { chosen: PassedAchievement[] } {
  for (const pair of pairs) {
    if (used.has(pair.learnerId) || (options.home && pair.home !== options.home)) continue;
    const chosen = pair.achievements.filter(predicate);
    if (chosen.length >= (options.count ?? 1)) {
      used.add(pair.learnerId);
      return { ...pair, chosen };
    }
  }
  throw new Error('no demo learner fits');
}

const elective = (memberId: string, extra: Record<string, unknown> = {}) => ({
  memberId,
  name: 'Alliance micro-credentials as electives',
  description: 'Micro-credentials of members with authority FULL or MICRO_CREDENTIALS_ONLY, EQF 6 or higher, passed.',
  issuerAuthorities: ['FULL', 'MICRO_CREDENTIALS_ONLY'],
  eqfMin: 6,
  countsAs: 'Elective ECTS',
  ...extra,
});

async function submitWith(candidate: Candidate, achievements: PassedAchievement[]) {
  const { body } = await hub.query(SUBMIT, { input: slotInput(candidate, achievements.map((item) => ({ achievementId: item.achievement.id }))) }, await learner(hub, candidate.learnerId));
  expect(body.errors).toBeUndefined();
  return body.data?.['submitRecognitionRequest'].request;
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('recognition rules', () => {
  const capped = pick(eligible, { count: 2 });
  let ruleId: string;

  it("are published by the member's staff and read by anyone", async () => {
    const cap = capped.chosen[0]!.achievement.ectsAwarded;
    const { body } = await hub.query(CREATE_RULE, { input: elective(capped.home, { ectsCapPerYear: cap }) }, await staff(hub, capped.home));
    expect(body.errors).toBeUndefined();
    const rule = body.data?.['createRecognitionRule'];
    expect(rule).toMatchObject({ version: 1, active: true, scope: 'CREDIT_SLOTS', requirePassed: true, ectsCapPerYear: cap, member: { id: capped.home }, issuerAuthorities: ['FULL', 'MICRO_CREDENTIALS_ONLY'] });
    ruleId = rule.id;
    const published = await hub.query(`query ($m: ID!) { recognitionRules(memberId: $m) { id name } }`, { m: capped.home });
    expect(published.body.data?.['recognitionRules']).toEqual([{ id: ruleId, name: 'Alliance micro-credentials as electives' }]);
  });

  it("refuses another member's staff and learners, and lets alliance administrators publish", async () => {
    const other = ['tuni.fi', 'dcu.ie'].find((id) => id !== capped.home) as string;
    const foreign = await hub.query(CREATE_RULE, { input: elective(capped.home) }, await staff(hub, other));
    expect(codes(foreign.body)).toEqual(['FORBIDDEN']);
    const asLearner = await hub.query(CREATE_RULE, { input: elective(capped.home) }, await learner(hub, capped.learnerId));
    expect(codes(asLearner.body)).toEqual(['FORBIDDEN']);
    const admin = await hub.query(CREATE_RULE, { input: elective(other, { active: false, name: 'Drafted by the alliance' }) }, await bearer(hub.hub, { role: 'alliance-admin' }));
    expect(admin.body.errors).toBeUndefined();
    expect(admin.body.data?.['createRecognitionRule']).toMatchObject({ active: false, member: { id: other } });
  });

  it.each([
    ['an EQF level out of range', { eqfMin: 9 }, 'BAD_USER_INPUT', 'input.eqfMin'],
    ['offerings without scope OFFERINGS', { offeringIds: [`${capped.home}:co-301`] }, 'BAD_USER_INPUT', 'input.offeringIds'],
    ['scope OFFERINGS without offerings', { scope: 'OFFERINGS' }, 'BAD_USER_INPUT', 'input.offeringIds'],
    ['a fixed credit above its own cap', { fixedEcts: 5, ectsCapPerYear: 3 }, 'BAD_USER_INPUT', 'input.fixedEcts'],
    ['an awarding member outside the alliance', { issuerMemberIds: ['nowhere.example'] }, 'UNKNOWN_MEMBER', 'input.issuerMemberIds[0]'],
  ])('refuse %s', async (_name, change, code, argument) => {
    const { body } = await hub.query(CREATE_RULE, { input: elective(capped.home, change) }, await staff(hub, capped.home));
    expect(codes(body)).toEqual([code]);
    expect(argumentsOf(body)).toEqual([argument]);
  });

  it('decide a request they cover at once, citing the rule and its version', async () => {
    const request = await submitWith(capped, [capped.chosen[0]!]);
    expect(request).toMatchObject({
      state: 'RECOGNISED',
      rule: { id: ruleId },
      decision: { outcome: 'RECOGNISED', ectsRecognised: capped.chosen[0]!.achievement.ectsAwarded, countsAs: 'Elective ECTS', ruleVersion: 1, decidedBy: { role: 'RULE', member: { id: capped.home }, subject: null } },
    });
    expect(request.history.map((entry: { action: string }) => entry.action)).toEqual(['SUBMITTED', 'DECIDED_BY_RULE']);
  });

  it('leave to staff what would pass the yearly cap, and say so in a dry run', async () => {
    const request = await submitWith(capped, [capped.chosen[1]!]);
    expect(request).toMatchObject({ state: 'SUBMITTED', decision: null });
    const { body } = await hub.query(DRY_RUN, { request: request.id, rule: ruleId }, await staff(hub, capped.home));
    expect(body.errors).toBeUndefined();
    expect(body.data?.['recognitionRuleDryRun']).toMatchObject({ covers: false, outcome: null, ectsRecognised: null });
    expect(body.data?.['recognitionRuleDryRun'].reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^✗ the yearly cap/)]));
  });

  it('obey the accreditation rule: credit from a member without authority needs its external accreditation', async () => {
    const withRecord = pick((item) => authorityOf(item.memberId) === 'NONE' && item.offering.accreditationReference !== null);
    const { body } = await hub.query(CREATE_RULE, { input: { memberId: withRecord.home, name: 'Any alliance credit, accredited', countsAs: 'Elective ECTS' } }, await staff(hub, withRecord.home));
    expect(body.errors).toBeUndefined();
    expect(await submitWith(withRecord, [withRecord.chosen[0]!])).toMatchObject({ state: 'RECOGNISED' });
    const without = pick((item) => ['NONE', 'SEMI_PROGRAMMES'].includes(authorityOf(item.memberId) ?? '') && item.offering.accreditationReference === null, { home: withRecord.home });
    const refused = await submitWith(without, [without.chosen[0]!]);
    expect(refused).toMatchObject({ state: 'SUBMITTED', decision: null });
    const dry = await hub.query(DRY_RUN, { request: refused.id, rule: body.data?.['createRecognitionRule'].id }, await staff(hub, withRecord.home));
    expect(dry.body.data?.['recognitionRuleDryRun'].reasons).toEqual(expect.arrayContaining([expect.stringMatching(/accreditation rule: .*may not approve credit-bearing micro-credentials, and the offering has no external accreditation record/)]));
  });

  it('never recognise more ECTS than the evidence carries', async () => {
    const small = pick((item) => item.achievement.ectsAwarded < 5 && eligible(item));
    const { body } = await hub.query(CREATE_RULE, { input: elective(small.home, { name: 'A challenge counts as 5 ECTS', fixedEcts: 5 }) }, await staff(hub, small.home));
    expect(body.errors).toBeUndefined();
    const request = await submitWith(small, [small.chosen[0]!]);
    expect(request).toMatchObject({ state: 'SUBMITTED', decision: null });
    const dry = await hub.query(DRY_RUN, { request: request.id, rule: body.data?.['createRecognitionRule'].id }, await staff(hub, small.home));
    expect(dry.body.data?.['recognitionRuleDryRun'].covers).toBe(false);
    expect(dry.body.data?.['recognitionRuleDryRun'].reasons).toEqual(expect.arrayContaining([expect.stringMatching(/never recognises more than the evidence carries/)]));
    // A draft tried against the same request: without the fixed credit it would recognise what the evidence carries.
    const draft = await hub.query(DRY_RUN, { request: request.id, draft: elective(small.home) }, await staff(hub, small.home));
    expect(draft.body.data?.['recognitionRuleDryRun']).toMatchObject({ covers: true, outcome: 'RECOGNISED', ectsRecognised: small.chosen[0]!.achievement.ectsAwarded });
  });

  it('are edited with a new version and an audit trail of before and after; the dry run is for the deciding staff only', async () => {
    const { body } = await hub.query(UPDATE_RULE, { id: ruleId, input: elective(capped.home, { ectsCapPerYear: 20, name: 'Electives, up to 20 ECTS a year' }) }, await staff(hub, capped.home));
    expect(body.errors).toBeUndefined();
    expect(body.data?.['updateRecognitionRule']).toMatchObject({ version: 2, ectsCapPerYear: 20, name: 'Electives, up to 20 ECTS a year' });
    const audit = await hub.hub.recognitionService.orm.em.fork().find(RecognitionAudit, { entityType: 'RecognitionRule', entityId: ruleId }, { orderBy: { id: 'asc' } });
    expect(audit.map((row) => row.action)).toEqual(['createRecognitionRule', 'updateRecognitionRule']);
    expect(JSON.parse(audit[1]!.before ?? '{}')).toMatchObject({ version: 1, name: 'Alliance micro-credentials as electives' });
    expect(JSON.parse(audit[1]!.after ?? '{}')).toMatchObject({ version: 2, ectsCapPerYear: 20 });
    expect(audit[1]).toMatchObject({ actorSubject: `officer@${capped.home}`, actorMemberId: capped.home });
    const foreign = await hub.query(UPDATE_RULE, { id: ruleId, input: elective(capped.home) }, await staff(hub, 'tuni.fi' === capped.home ? 'dcu.ie' : 'tuni.fi'));
    expect(codes(foreign.body)).toEqual(['FORBIDDEN']);
    const unknown = await hub.query(UPDATE_RULE, { id: '00000000-0000-4000-8000-000000000000', input: elective(capped.home) }, await staff(hub, capped.home));
    expect(codes(unknown.body)).toEqual(['NOT_FOUND']);
    const requests = await hub.query(`query ($m: ID!) { recognitionRequests(memberId: $m) { nodes { id } } }`, { m: capped.home }, await staff(hub, capped.home));
    const someone = requests.body.data?.['recognitionRequests'].nodes[0].id;
    const dry = await hub.query(DRY_RUN, { request: someone, rule: ruleId }, await learner(hub, capped.learnerId));
    expect(codes(dry.body)).toEqual(['NOT_FOUND']);
  });
});
