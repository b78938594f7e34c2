import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenRequest } from '../../hub/dev-idp.js';
import { ALLIANCE_MEMBERS } from '../../hub/alliance.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { everyone, passed } from '../issuance/demo-achievements.js';

/*
 * IDOR through every id kind (issue 10, fix 6 and point 10): for each kind of
 * id a caller can put in a request, someone else's id and an id that does not
 * exist get the same answer - same status, data, codes and words - from every
 * caller who may not see every object of that kind. Each scenario also shows
 * the rightful owner the object, so a scenario cannot pass by answering
 * nobody. Scenarios are data: a new id kind is one more entry.
 */

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const memberOf = (id: string) => id.slice(0, id.indexOf(':'));

// The victim: a learner with a passed achievement at a member; the intruders' member holds nothing of theirs.
const victimItem = passed[0] as (typeof passed)[number];
const victim = everyone.find((learner) => learner.id === victimItem.learnerId) as (typeof everyone)[number];
const victimMembers = new Set(victim.accounts.map((account) => account.memberId));
const intruder = everyone.find((learner) => learner.id !== victim.id) as (typeof everyone)[number];
const strangerMember = ALLIANCE_MEMBERS.map((member) => member.id).find((id) => !victimMembers.has(id)) as string;
const victimAccount = victim.accounts.find((account) => account.memberId === victimItem.memberId) as (typeof victim.accounts)[number];
const victimEnrolment = victimAccount.enrolments.find((enrolment) => enrolment.achievement?.id === victimItem.achievement.id) as (typeof victimAccount.enrolments)[number];
const VERIFIER = 'https://recruiting.example.com';
const OTHER_VERIFIER = 'https://other-employer.example.org';

const CALLERS = {
  'another learner': { role: 'learner', learnerId: intruder.id },
  "staff of a member holding nothing of the learner's": { role: 'member-staff', memberId: strangerMember },
  analyst: { role: 'analyst' },
  'alliance administrator': { role: 'alliance-admin' },
  'an unrelated verifier': { role: 'verifier', verifierId: OTHER_VERIFIER },
} satisfies Record<string, TokenRequest>;
type Caller = keyof typeof CALLERS;

/** What the setup made for the victim (and one verifier), filled in beforeAll. */
const made = { credentialId: '', grantId: '', jobId: '', offerId: '', presentationId: '' };
const NO_UUID = '00000000-0000-4000-8000-00000000dead';

interface Scenario {
  name: string;
  /** Takes the id as `$id`; the field it reads is `field`. */
  query: string;
  field: string;
  existing: () => string;
  missing: string;
  /** Who may see this one (the scenario checks they do). */
  owner?: TokenRequest;
  /** The callers who must not be able to tell the two ids apart (default: all but those who may see every object of the kind). */
  callers: Caller[];
}

const everyoneBut = (...excluded: Caller[]): Caller[] => (Object.keys(CALLERS) as Caller[]).filter((caller) => !excluded.includes(caller));

const SCENARIOS: Scenario[] = [
  {
    name: 'learner (register entry)',
    query: `query ($id: ID!) { learner(id: $id) { id createdAt memberAccountIds } }`,
    field: 'learner',
    existing: () => victim.id,
    missing: 'eciu-nobody-0000',
    owner: { role: 'learner', learnerId: victim.id },
    callers: everyoneBut('alliance administrator'),
  },
  {
    name: 'learner account',
    query: `query ($id: ID!) { learnerAccount(id: $id) { id givenName email } }`,
    field: 'learnerAccount',
    existing: () => victimAccount.id,
    missing: `${victimAccount.memberId}:account-that-does-not-exist`,
    owner: { role: 'learner', learnerId: victim.id },
    callers: everyoneBut(),
  },
  {
    name: 'enrolment',
    query: `query ($id: ID!) { enrolment(id: $id) { id status } }`,
    field: 'enrolment',
    existing: () => victimEnrolment.id,
    missing: `${victimAccount.memberId}:enrolment-that-does-not-exist`,
    owner: { role: 'learner', learnerId: victim.id },
    callers: everyoneBut(),
  },
  {
    name: 'achievement',
    query: `query ($id: ID!) { achievement(id: $id) { id grade } }`,
    field: 'achievement',
    existing: () => victimItem.achievement.id,
    missing: `${victimAccount.memberId}:achievement-that-does-not-exist`,
    owner: { role: 'learner', learnerId: victim.id },
    callers: everyoneBut(),
  },
  {
    name: 'credential',
    query: `query ($id: ID!) { credential(id: $id) { id status vcJwt } }`,
    field: 'credential',
    existing: () => made.credentialId,
    missing: `urn:uuid:${NO_UUID}`,
    owner: { role: 'learner', learnerId: victim.id },
    callers: everyoneBut(),
  },
  ...(['revokeCredential', 'suspendCredential', 'resumeCredential'] as const).map(
    (field): Scenario => ({
      name: `${field} (credential id)`,
      query: `mutation ($id: ID!) { ${field}(id: $id, reason: "Probing for ids.") { id status } }`,
      field,
      existing: () => made.credentialId,
      missing: `urn:uuid:${NO_UUID}`,
      // Administrators may change every credential: for them "no such id" is no news.
      callers: everyoneBut('alliance administrator'),
    }),
  ),
  {
    name: 'bulk issuance job',
    query: `query ($id: ID!) { issuanceJob(id: $id) { id status total } }`,
    field: 'issuanceJob',
    existing: () => made.jobId,
    missing: NO_UUID,
    owner: { role: 'member-staff', memberId: victimItem.memberId },
    callers: everyoneBut('alliance administrator'),
  },
  {
    name: 'wallet offer',
    query: `query ($id: ID!) { credentialOffer(id: $id) { id status transactionCode } }`,
    field: 'credentialOffer',
    existing: () => made.offerId,
    missing: NO_UUID,
    owner: { role: 'learner', learnerId: victim.id },
    callers: everyoneBut(),
  },
  {
    name: 'presentation request',
    query: `query ($id: ID!) { presentationRequest(id: $id) { id status nonce } }`,
    field: 'presentationRequest',
    existing: () => made.presentationId,
    missing: NO_UUID,
    owner: { role: 'verifier', verifierId: VERIFIER },
    callers: everyoneBut(),
  },
  {
    name: 'sharing grant (revokeConsent)',
    query: `mutation ($id: ID!) { revokeConsent(id: $id) { id status } }`,
    field: 'revokeConsent',
    existing: () => made.grantId,
    missing: NO_UUID,
    callers: everyoneBut(),
  },
  {
    name: "achievement to certify (issueCredential)",
    query: `mutation ($id: ID!) { issueCredential(input: { achievementId: $id, kind: MICRO_CREDENTIAL }) { created credential { id } } }`,
    field: 'issueCredential',
    existing: () => victimItem.achievement.id,
    missing: `${victimAccount.memberId}:achievement-that-does-not-exist`,
    callers: everyoneBut(),
  },
  {
    name: 'credential to send to a wallet (createCredentialOffer.credentialIds)',
    query: `mutation ($id: ID!) { createCredentialOffer(input: { credentialIds: [$id] }) { id } }`,
    field: 'createCredentialOffer',
    existing: () => made.credentialId,
    missing: `urn:uuid:${NO_UUID}`,
    callers: everyoneBut(),
  },
  {
    name: 'achievement to send to a wallet, already certified (createCredentialOffer.achievementIds)',
    query: `mutation ($id: ID!) { createCredentialOffer(input: { achievementIds: [$id] }) { id } }`,
    field: 'createCredentialOffer',
    existing: () => victimItem.achievement.id,
    missing: `${victimAccount.memberId}:achievement-that-does-not-exist`,
    callers: everyoneBut(),
  },
];

async function ask(scenario: Scenario, id: string, who: TokenRequest) {
  const { status, body } = await hub.query(scenario.query, { id }, await bearer(hub.hub, who));
  // The answer as the caller sees it, with the id itself taken out (a message may quote the caller's own input).
  const shown = JSON.parse(JSON.stringify({ status, data: body.data ?? null, errors: (body.errors ?? []).map((error) => ({ code: error.extensions?.['code'], message: error.message, path: error.path })) }).replaceAll(id, '<id>'));
  return shown as { status: number; data: Record<string, unknown> | null; errors: { code: unknown; message: string }[] };
}

beforeAll(async () => {
  hub = await startTestHub();
  const asVictim = await bearer(hub.hub, { role: 'learner', learnerId: victim.id });
  const issued = await hub.query(
    `mutation ($id: ID!) { issueCredential(input: { achievementId: $id, kind: MICRO_CREDENTIAL }) { credential { id } } }`,
    { id: victimItem.achievement.id },
    asVictim,
  );
  expect(issued.body.errors).toBeUndefined();
  made.credentialId = issued.body.data?.['issueCredential'].credential.id as string;
  const granted = await hub.query(
    `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`,
    { input: { verifier: { name: 'Recruiting Ltd', id: VERIFIER }, purpose: 'EMPLOYMENT', scopes: ['ACHIEVEMENTS'] } },
    asVictim,
  );
  made.grantId = granted.body.data?.['grantConsent'].id as string;
  const job = await hub.query(`mutation ($id: ID!) { issueCohort(offeringId: $id, kind: PARTICIPATION) { id } }`, { id: victimItem.offering.id }, await bearer(hub.hub, { role: 'member-staff', memberId: victimItem.memberId }));
  made.jobId = job.body.data?.['issueCohort'].id as string;
  const offer = await hub.query(`mutation ($id: ID!) { createCredentialOffer(input: { credentialIds: [$id] }) { id } }`, { id: made.credentialId }, asVictim);
  made.offerId = offer.body.data?.['createCredentialOffer'].id as string;
  const presentation = await hub.query(`mutation { createPresentationRequest(input: { purpose: "Checking an applicant." }) { id } }`, {}, await bearer(hub.hub, { role: 'verifier', verifierId: VERIFIER }));
  made.presentationId = presentation.body.data?.['createPresentationRequest'].id as string;
  for (const [what, id] of Object.entries(made)) expect(id, what).toMatch(/[0-9a-f]{8}-/);
});
afterAll(async () => {
  await hub?.stop();
});

describe('someone else’s id and an id that does not exist look the same', () => {
  it.each(SCENARIOS)('$name', async (scenario) => {
    if (scenario.owner) {
      const own = await ask(scenario, scenario.existing(), scenario.owner);
      expect(own.errors, `${scenario.name}: the owner`).toEqual([]);
      expect(own.data?.[scenario.field], `${scenario.name}: the owner`).toBeTruthy();
    }
    for (const caller of scenario.callers) {
      const who = CALLERS[caller];
      const [theirs, nothing] = [await ask(scenario, scenario.existing(), who), await ask(scenario, scenario.missing, who)];
      const label = `${scenario.name}, asked by ${caller}`;
      // Nothing of the object in the answer, and a refusal or a plain null.
      expect(theirs.data?.[scenario.field] ?? null, label).toBeNull();
      expect(theirs.errors.every((error) => ['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED'].includes(String(error.code))), `${label}: ${JSON.stringify(theirs.errors)}`).toBe(true);
      expect(nothing, label).toEqual(theirs);
    }
  });

  it('changed nothing of the victim’s: the credential is in force, the grant still active', async () => {
    const asVictim = await bearer(hub.hub, { role: 'learner', learnerId: victim.id });
    const { body } = await hub.query(`query ($id: ID!, $l: ID!) { credential(id: $id) { status } learner(id: $l) { consentGrants { id status } } }`, { id: made.credentialId, l: victim.id }, asVictim);
    expect(body.data?.['credential']).toEqual({ status: 'ACTIVE' });
    expect(body.data?.['learner'].consentGrants).toEqual([{ id: made.grantId, status: 'ACTIVE' }]);
  });
});

describe("which other members a learner studies at", () => {
  const LEARNER = /* GraphQL */ `query ($id: ID!) { learner(id: $id) { memberAccountIds members { id } memberAccounts { id } achievements { id } } }`;
  const showcase = everyone.filter((learner) => new Set(learner.accounts.map((account) => account.memberId)).size >= 3);
  const learner = showcase[0] as (typeof everyone)[number];
  const staffOf = learner.accounts[0]?.memberId as string;
  const others = [...new Set(learner.accounts.map((account) => account.memberId))].filter((id) => id !== staffOf);

  it("are not shown to a member's staff without a grant: no ids, no members, no errors naming them", async () => {
    const { body, text } = await hub.query(LEARNER, { id: learner.id }, await bearer(hub.hub, { role: 'member-staff', memberId: staffOf }));
    const seen = body.data?.['learner'] as { memberAccountIds: string[]; members: { id: string }[]; memberAccounts: { id: string }[]; achievements: { id: string }[] };
    expect(new Set(seen.memberAccountIds.map(memberOf))).toEqual(new Set([staffOf]));
    expect(seen.members).toEqual([{ id: staffOf }]);
    expect(new Set(seen.memberAccounts.map((account) => memberOf(account.id)))).toEqual(new Set([staffOf]));
    expect(new Set(seen.achievements.map((achievement) => memberOf(achievement.id)))).toEqual(new Set([staffOf]));
    expect(codes(body)).toEqual([]);
    for (const other of others) expect(text).not.toContain(other);
    // The learner sees all of them.
    const own = await hub.query(LEARNER, { id: learner.id }, await bearer(hub.hub, { role: 'learner', learnerId: learner.id }));
    expect(new Set((own.body.data?.['learner'].members as { id: string }[]).map((member) => member.id))).toEqual(new Set([staffOf, ...others]));
  });

  it('are shown under a grant, only those the grant names, and no longer once it is revoked', async () => {
    const asLearner = await bearer(hub.hub, { role: 'learner', learnerId: learner.id });
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: staffOf });
    const [shared, notShared] = others as [string, string];
    const granted = await hub.query(
      `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`,
      { input: { memberId: staffOf, purpose: 'RECOGNITION', scopes: ['ENROLMENTS'], sourceMemberIds: [shared] } },
      asLearner,
    );
    const grantId = granted.body.data?.['grantConsent'].id as string;
    const during = await hub.query(LEARNER, { id: learner.id }, staff);
    expect(new Set((during.body.data?.['learner'].members as { id: string }[]).map((member) => member.id))).toEqual(new Set([staffOf, shared]));
    expect(during.text).not.toContain(notShared);
    // Achievements were not shared: the member that holds them refuses, naming itself (the grant made it known).
    expect((during.body.errors ?? []).map((error) => [error.extensions?.['code'], error.extensions?.['member']])).toEqual([['FORBIDDEN', shared]]);
    await hub.query(`mutation ($id: ID!) { revokeConsent(id: $id) { id } }`, { id: grantId }, asLearner);
    const after = await hub.query(LEARNER, { id: learner.id }, staff);
    expect(after.body.data?.['learner'].members).toEqual([{ id: staffOf }]);
  });
});
