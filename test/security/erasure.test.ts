import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASURE_PATH } from '../../lib/erasure.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { everyone, passed } from '../issuance/demo-achievements.js';

/*
 * Issue 10 fix 9: a learner erases their alliance account. Through the
 * gateway: the register, grants and access log go; every member erases the
 * learner's records and issuance their wallet offers (revoking their
 * credentials on request, which stay verifiable); the receipt says what was
 * done where. A member that is down when the learner asks gets the erasure
 * when it is back (the durable outbox), and only the learners service's
 * service token opens the members' erasure route.
 */

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

// A learner with a passed achievement and accounts at two or more members; the member that goes down is not the awarding one.
const item = passed.find((candidate) => (everyone.find((learner) => learner.id === candidate.learnerId)?.accounts.length ?? 0) >= 2) as (typeof passed)[number];
const learner = everyone.find((candidate) => candidate.id === item.learnerId) as (typeof everyone)[number];
const downMember = learner.accounts.map((account) => account.memberId).find((memberId) => memberId !== item.memberId) as string;
const bystander = everyone.find((candidate) => candidate.id !== learner.id && candidate.accounts.some((account) => account.memberId === item.memberId)) as (typeof everyone)[number];
const VERIFIER = { id: 'https://hiring.erasure.example', name: 'Hiring Co' };

const ERASE = /* GraphQL */ `
  mutation ($confirm: ID!, $revoke: Boolean, $key: String) {
    eraseMyAccount(confirm: $confirm, revokeCredentials: $revoke, idempotencyKey: $key) { ...receipt }
  }
  fragment receipt on ErasureReceipt {
    id complete completedAt revokeCredentials register { kind count }
    targets { target status attempts problem nextAttemptAt counts { kind count } }
  }
`;
const RECEIPT = /* GraphQL */ `query ($id: ID!) { erasureReceipt(id: $id) { id complete completedAt targets { target status attempts problem counts { kind count } } } }`;

type Receipt = {
  id: string;
  complete: boolean;
  completedAt: string | null;
  register: { kind: string; count: number }[];
  targets: { target: string; status: string; attempts: number; problem: string | null; counts: { kind: string; count: number }[] }[];
};
const countsOf = (list: { kind: string; count: number }[]) => Object.fromEntries(list.map((entry) => [entry.kind, entry.count]));
const outcome = (receipt: Receipt, target: string) => receipt.targets.find((entry) => entry.target === target);

let credential: { id: string; vcJwt: string };
let receipt: Receipt;

beforeAll(async () => {
  hub = await startTestHub({ erasure: { retryBaseMs: 150, retryMaxMs: 400, pollMs: 100, timeoutMs: 2_000 } });
  const me = await asLearner(hub.hub, learner.id);
  const issued = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id, kind: MICRO_CREDENTIAL }) { credential { id vcJwt } } }`, { id: item.achievement.id }, me);
  credential = issued.body.data?.['issueCredential'].credential as { id: string; vcJwt: string };
  await hub.query(`mutation ($id: ID!) { createCredentialOffer(input: { credentialIds: [$id] }) { id } }`, { id: credential.id }, me);
  // And in their passport, so the passport service has something of theirs to erase.
  const added = await hub.query(`mutation ($c: String!) { addPassportCredential(credential: $c) { created } }`, { c: credential.vcJwt }, me);
  expect(added.body.data?.['addPassportCredential']).toEqual({ created: true });
  await hub.query(`mutation ($input: RegisterVerifierInput!) { registerVerifier(input: $input) { id } }`, { input: VERIFIER }, await bearer(hub.hub, { role: 'alliance-admin' }));
  const grant = await hub.query(`mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, { input: { verifier: VERIFIER, purpose: 'EMPLOYMENT', scopes: ['ACHIEVEMENTS'] } }, me);
  const grantId = grant.body.data?.['grantConsent'].id as string;
  // One look by the verifier, so the learner has an access log to erase.
  await hub.query(`query ($id: ID!) { grantToMe(id: $id) { learner { achievements { id } } } }`, { id: grantId }, await bearer(hub.hub, { role: 'verifier', verifierId: VERIFIER.id }));
  expect(credential?.id).toMatch(/^urn:uuid:/);
});
afterAll(async () => {
  await hub?.stop();
});

describe('erasing an alliance account', () => {
  it('is for the learner only, and only with their own id as confirmation', async () => {
    const anonymous = await hub.query(ERASE, { confirm: learner.id });
    expect(anonymous.status).toBe(401);
    for (const headers of [await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      expect(codes((await hub.query(ERASE, { confirm: learner.id }, headers)).body)).toEqual(['FORBIDDEN']);
    }
    const wrong = await hub.query(ERASE, { confirm: bystander.id }, await asLearner(hub.hub, learner.id));
    expect(wrong.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'confirm' });
    // Nothing happened: the learner is still there.
    const still = await hub.query(`query ($id: ID!) { learner(id: $id) { id } }`, { id: learner.id }, await asLearner(hub.hub, learner.id));
    expect(still.body.data?.['learner']).toEqual({ id: learner.id });
  });

  it('erases everywhere at once, with a receipt per member and service, while one member is down', async () => {
    await hub.hub.members.get(downMember)?.stop();
    const { body } = await hub.query(ERASE, { confirm: learner.id, revoke: true, key: 'erase-0001-key' }, await asLearner(hub.hub, learner.id));
    expect(body.errors).toBeUndefined();
    receipt = body.data?.['eraseMyAccount'] as Receipt;
    expect(receipt).toMatchObject({ complete: false, completedAt: null, revokeCredentials: true });
    expect(countsOf(receipt.register)).toMatchObject({ register: 1, accountLinks: learner.accounts.length, grants: 1, accessLog: 1 });
    // Every member is told (an account the register did not know of is erased too), issuance and the passport.
    expect(receipt.targets.map((entry) => entry.target).sort()).toEqual([...hub.hub.registry.members.map((member) => `member:${member.id}`), 'issuance', 'recognition', 'passport', 'analytics'].sort());
    expect(countsOf(outcome(receipt, 'passport')?.counts ?? [])).toMatchObject({ externalCredentials: 1 });
    for (const account of learner.accounts.filter((candidate) => candidate.memberId !== downMember)) {
      const done = outcome(receipt, `member:${account.memberId}`);
      expect(done?.status, account.memberId).toBe('DONE');
      expect(countsOf(done?.counts ?? [])).toMatchObject({ accounts: 1, enrolments: account.enrolments.length });
    }
    expect(countsOf(outcome(receipt, 'issuance')?.counts ?? [])).toMatchObject({ walletOffers: 1, credentialsRevoked: 1, credentialsUnlinked: 1 });
    const pending = outcome(receipt, `member:${downMember}`);
    expect(pending).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(pending?.problem).toMatch(new RegExp(`^member:${downMember.replaceAll('.', '\\.')} could not be reached`));
    expect(JSON.stringify(receipt)).not.toMatch(/127\.0\.0\.1|localhost|http:/);
  });

  it('answers a retry with the same receipt, and a reused key with another request as IDEMPOTENCY_KEY_REUSED', async () => {
    const me = await asLearner(hub.hub, learner.id);
    const replay = await hub.query(ERASE, { confirm: learner.id, revoke: true, key: 'erase-0001-key' }, me);
    expect(replay.body.data?.['eraseMyAccount'].id).toBe(receipt.id);
    const again = await hub.query(ERASE, { confirm: learner.id, revoke: true }, me);
    expect(again.body.data?.['eraseMyAccount'].id).toBe(receipt.id);
    const reused = await hub.query(ERASE, { confirm: learner.id, revoke: false, key: 'erase-0001-key' }, me);
    expect(codes(reused.body)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('leaves nothing of the learner in the register or at the members that answered, and nobody else is touched', async () => {
    const admin = await bearer(hub.hub, { role: 'alliance-admin' });
    expect((await hub.query(`query ($id: ID!) { learner(id: $id) { id } }`, { id: learner.id }, admin)).body.data?.['learner']).toBeNull();
    const account = learner.accounts.find((candidate) => candidate.memberId === item.memberId);
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId });
    const gone = await hub.query(`query ($a: ID!, $b: ID!) { learnerAccount(id: $a) { id } achievement(id: $b) { id } }`, { a: account?.id, b: item.achievement.id }, staff);
    expect(gone.body).toEqual({ data: { learnerAccount: null, achievement: null } });
    const other = await hub.query(`query ($id: ID!) { learner(id: $id) { id achievements { id } } }`, { id: bystander.id }, await asLearner(hub.hub, bystander.id));
    expect(other.body.errors).toBeUndefined();
    expect((other.body.data?.['learner'].achievements as unknown[]).length).toBeGreaterThan(0);
  });

  it('keeps the credential verifiable, as revoked, for the awarding member', async () => {
    const { body } = await hub.query(`query ($c: String!) { verifyCredential(credential: $c) { verified checks { check passed } } }`, { c: credential.vcJwt });
    const checks = Object.fromEntries((body.data?.['verifyCredential'].checks as { check: string; passed: boolean }[]).map((check) => [check.check, check.passed]));
    expect(checks).toMatchObject({ signature: true, trustedIssuer: true, revocation: false });
    expect(body.data?.['verifyCredential'].verified).toBe(false);
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId });
    const kept = await hub.query(`query ($id: ID!) { credential(id: $id) { status revocation { reason } learner { id } } }`, { id: credential.id }, staff);
    expect(kept.body.data?.['credential']).toMatchObject({ status: 'REVOKED', revocation: { reason: expect.stringMatching(/erased their alliance account/) }, learner: { id: 'erased' } });
  });

  it('gets the erasure to the member that was down when it comes back, and the receipt says so', async () => {
    await hub.hub.members.get(downMember)?.restart();
    const me = await asLearner(hub.hub, learner.id);
    let latest: Receipt | undefined;
    for (let round = 0; round < 100 && !latest?.complete; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = (await hub.query(RECEIPT, { id: receipt.id }, me)).body.data?.['erasureReceipt'] as Receipt;
    }
    expect(latest?.complete).toBe(true);
    expect(latest?.completedAt).not.toBeNull();
    const done = outcome(latest as Receipt, `member:${downMember}`);
    expect(done?.status).toBe('DONE');
    expect(done?.attempts).toBeGreaterThan(1);
    const account = learner.accounts.find((candidate) => candidate.memberId === downMember);
    expect(countsOf(done?.counts ?? [])).toMatchObject({ accounts: 1, enrolments: account?.enrolments.length });
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: downMember });
    expect((await hub.query(`query ($id: ID!) { learnerAccount(id: $id) { id } }`, { id: account?.id }, staff)).body).toEqual({ data: { learnerAccount: null } });
  });

  it('shows the receipt to the learner it erased and administrators only', async () => {
    const administrators = await hub.query(RECEIPT, { id: receipt.id }, await bearer(hub.hub, { role: 'alliance-admin' }));
    expect(administrators.body.data?.['erasureReceipt'].id).toBe(receipt.id);
    const someoneElse = await asLearner(hub.hub, bystander.id);
    const [theirs, unknown] = [await hub.query(RECEIPT, { id: receipt.id }, someoneElse), await hub.query(RECEIPT, { id: '00000000-0000-4000-8000-000000000000' }, someoneElse)];
    expect(codes(theirs.body)).toEqual(['FORBIDDEN']);
    expect(theirs.body).toEqual(unknown.body);
  });
});

describe("the members' erasure route", () => {
  const route = () => `${new URL(hub.hub.members.get(item.memberId)?.url as string).origin}${ERASURE_PATH}`;
  const post = (authorization: string | undefined, learnerId = bystander.id) =>
    fetch(route(), { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ learnerId }) });
  const stillThere = async () => {
    const { body } = await hub.query(`query ($id: ID!) { learner(id: $id) { achievements { id } } }`, { id: bystander.id }, await asLearner(hub.hub, bystander.id));
    return (body.data?.['learner'].achievements as { id: string }[]).some((achievement) => achievement.id.startsWith(`${item.memberId}:`));
  };

  it("answers only the learners service's service token, for this member, once", async () => {
    const refusals = [
      undefined,
      `Bearer ${await hub.hub.idp.issue({ role: 'learner', learnerId: bystander.id })}`,
      `Bearer ${await hub.hub.idp.issue({ role: 'alliance-admin' })}`,
      // A hub token as the gateway or router signs one for a user's call to this member.
      `Bearer ${await hub.hub.hubSigner.sign({ kind: 'user', subject: 'admin', roles: ['alliance-admin'] }, item.memberId)}`,
      `Bearer ${await hub.hub.hubSigner.signService('learners', 'another.example')}`,
      `Bearer ${await hub.hub.hubSigner.signService('issuance', item.memberId)}`,
    ];
    for (const authorization of refusals) {
      const response = await post(authorization);
      expect(response.status, authorization ?? 'no token').toBe(401);
      expect(((await response.json()) as GraphQLBody).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
    expect(await stillThere()).toBe(true);
    // The right token works once; replayed, it is refused. Asked for an erased learner, it finds nothing.
    const token = `Bearer ${await hub.hub.hubSigner.signService('learners', item.memberId)}`;
    const first = await post(token, learner.id);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ counts: { accounts: 0, enrolments: 0, achievements: 0, skills: 0, auditAnonymised: 0 } });
    expect((await post(token, learner.id)).status).toBe(401);
    const bad = await post(`Bearer ${await hub.hub.hubSigner.signService('learners', item.memberId)}`, "x' OR 1=1 --");
    expect(bad.status).toBe(400);
  });

  it('is not reachable through the gateway', async () => {
    const response = await fetch(`${new URL(hub.gatewayUrl).origin}${ERASURE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await hub.hub.hubSigner.signService('learners', item.memberId)}` },
      body: JSON.stringify({ learnerId: bystander.id }),
    });
    expect(response.status).toBe(404);
    expect(await stillThere()).toBe(true);
  });
});
