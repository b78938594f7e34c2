import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { all, authorityOf, everyone, type PassedAchievement } from './demo-achievements.js';

/*
 * Idempotency-Key on issueCredential (IETF Idempotency-Key draft, issue 10 fix 1
 * and issue 15 fix 4): a key belongs to one caller - the token subject *and*
 * its roles, learner and member - and a replay re-checks the access rule
 * before it hands over the stored credential; a key first used on a request
 * whose credential already existed is bound to it; a replay answers the same
 * basis as the first answer.
 */

let hub: TestHub;
const ISSUE = /* GraphQL */ `
  mutation ($input: IssueCredentialInput!, $key: String) {
    issueCredential(input: $input, idempotencyKey: $key) { created basis credential { id kind vcJwt } }
  }
`;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const credited = all((item) => authorityOf(item.memberId) === 'FULL' && item.offering.creditBearing);
const otherMember = (memberId: string) => ['tuni.fi', 'dcu.ie', 'uis.no'].find((id) => id !== memberId) as string;

async function issue(item: PassedAchievement, headers: Record<string, string>, key?: string, kind = 'MICRO_CREDENTIAL') {
  return hub.query(ISSUE, { input: { achievementId: item.achievement.id, kind }, ...(key ? { key } : {}) }, headers);
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('a replayed Idempotency-Key', () => {
  // The victim's token and every other token below share one subject: the identity provider may reuse a `sub` across roles.
  const subject = 'shared-subject-0001';
  const victim = credited[0] as PassedAchievement;
  const key = 'victim-key-0001';
  let first: { created: boolean; basis: string; credential: { id: string; vcJwt: string } };

  beforeAll(async () => {
    const { body } = await issue(victim, await bearer(hub.hub, { role: 'learner', learnerId: victim.learnerId, subject }), key);
    expect(body.errors).toBeUndefined();
    first = body.data?.['issueCredential'];
    expect(first).toMatchObject({ created: true, basis: 'MEMBER_AUTHORITY' });
  });

  it('gives the learner who sent it the same credential, with the same basis', async () => {
    const { body } = await issue(victim, await bearer(hub.hub, { role: 'learner', learnerId: victim.learnerId, subject }), key);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['issueCredential']).toEqual({ created: false, basis: 'MEMBER_AUTHORITY', credential: { id: first.credential.id, kind: 'MICRO_CREDENTIAL', vcJwt: first.credential.vcJwt } });
  });

  const refused: [string, () => Promise<Record<string, string>>][] = [
    ['another learner whose token shares the subject', () => bearer(hub.hub, { role: 'learner', learnerId: (everyone.find((learner) => learner.id !== victim.learnerId) as { id: string }).id, subject })],
    ['an analyst sharing the subject', () => bearer(hub.hub, { role: 'analyst', subject })],
    ["another member's staff sharing the subject", () => bearer(hub.hub, { role: 'member-staff', memberId: otherMember(victim.memberId), subject })],
    ['an alliance administrator sharing the subject', () => bearer(hub.hub, { role: 'alliance-admin', subject })],
  ];
  it.each(refused)('hands %s nothing: FORBIDDEN, no credential in the answer', async (_who, headers) => {
    const { body, text } = await issue(victim, await headers(), key);
    expect(codes(body)).toEqual(['FORBIDDEN']);
    expect(body.data?.['issueCredential'] ?? null).toBeNull();
    expect(text).not.toContain(first.credential.id);
    expect(text).not.toContain(first.credential.vcJwt.slice(0, 40));
  });

  it('is a new request for staff of the awarding member sharing the subject: they may have it, as the rule says, and the key is bound for them', async () => {
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: victim.memberId, subject });
    const { body } = await issue(victim, staff, key);
    expect(body.errors).toBeUndefined();
    expect(body.data?.['issueCredential']).toMatchObject({ created: false, basis: 'MEMBER_AUTHORITY', credential: { id: first.credential.id } });
    expect(codes((await issue(victim, staff, key, 'PARTICIPATION')).body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('gets an anonymous caller 401 and nothing else', async () => {
    const { status, body, text } = await issue(victim, { 'idempotency-key': key }, key);
    expect(status).toBe(401);
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(text).not.toContain(first.credential.id);
  });
});

describe('an Idempotency-Key first sent for a credential that existed already', () => {
  it('is bound to that credential: the same key with another request is refused, and the answer states its basis', async () => {
    const item = credited[1] as PassedAchievement;
    const learner = await asLearner(hub.hub, item.learnerId);
    const original = (await issue(item, learner)).body.data?.['issueCredential'];
    expect(original).toMatchObject({ created: true, basis: 'MEMBER_AUTHORITY' });
    const retry = await issue(item, learner, 'late-key-0001');
    expect(retry.body.data?.['issueCredential']).toMatchObject({ created: false, basis: 'MEMBER_AUTHORITY', credential: { id: original.credential.id } });
    // Without the binding this would have issued a second credential (a certificate of participation) under the same key.
    const reused = await issue(item, learner, 'late-key-0001', 'PARTICIPATION');
    expect(codes(reused.body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const again = await issue(item, learner, 'late-key-0001');
    expect(again.body.data?.['issueCredential']).toMatchObject({ created: false, basis: 'MEMBER_AUTHORITY', credential: { id: original.credential.id } });
  });

  it('binds once when two requests with the key race for it', async () => {
    const item = credited[2] as PassedAchievement;
    const learner = await asLearner(hub.hub, item.learnerId);
    await issue(item, learner);
    const answers = await Promise.all(Array.from({ length: 4 }, () => issue(item, learner, 'racing-key-0001')));
    expect(new Set(answers.map((answer) => answer.body.data?.['issueCredential']?.credential.id)).size).toBe(1);
    expect(answers.flatMap((answer) => codes(answer.body))).toEqual([]);
  });
});
