import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogues, everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { LearnerAccount, MemberAudit } from '../../subgraphs/member/model.js';
import type { DemoOffering } from '../../hub/demo.js';

/*
 * Enrolment from the portal (issue 12, point 6) through the gateway: a
 * learner applies for an offering at any member, the member checks its rules
 * and creates the account if there is none, the learner register links it,
 * the member's staff admit or decline, the learner cancels; the application
 * shows in the learner's enrolments and pathway progress at once. The
 * members' clock is fixed to a day on which the demo data's next term is open.
 */

const TODAY = '2026-12-07';
const APPLY = /* GraphQL */ `
  mutation ($input: EnrolmentApplicationInput!) {
    applyForOffering(input: $input) {
      created accountCreated accountLinked
      account { id institution { id } }
      enrolment { id status language prerequisitesDeclared opportunity { id } learnerAccount { id givenName } }
    }
  }
`;
const DECIDE = /* GraphQL */ `
  mutation ($id: ID!, $input: EnrolmentDecisionInput!) { decideEnrolment(id: $id, input: $input) { id status declineReason statusNote statusChangedAt } }
`;
const CANCEL = /* GraphQL */ `mutation ($id: ID!, $reason: String) { cancelEnrolment(id: $id, reason: $reason) { id status statusNote } }`;
const MY_ENROLMENTS = /* GraphQL */ `query ($id: ID!) { learner(id: $id) { memberAccountIds enrolments { id status opportunity { id } } } }`;
const STAFF_LIST = /* GraphQL */ `
  query ($member: ID!, $status: EnrolmentStatus, $offering: ID) {
    institution(id: $member) { enrolments(status: $status, opportunityId: $offering, first: 100) { totalCount nodes { id status language learnerAccount { id } opportunity { id } } } }
  }
`;
const PLACES = /* GraphQL */ `query ($id: ID!) { offering(id: $id) { id capacity placesLeft } }`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const staff = (memberId: string) => bearer(hub.hub, { role: 'member-staff', memberId, subject: `admissions@${memberId}` });
const applicant = { givenName: 'Aino', familyName: 'Tester', email: 'aino.tester@example.org' };

const offerings = [...catalogues.values()].flat();
const open = (fits: (offering: DemoOffering) => boolean) => offerings.filter((offering) => offering.enrolmentDeadline >= TODAY && fits(offering));
/** Demo learners with no account at `memberId`, in a fixed order; each test takes its own. */
const taken = new Set<string>();
const newcomer = (memberId: string) => {
  const found = everyone.find((learner) => !taken.has(learner.id) && !learner.accounts.some((account) => account.memberId === memberId));
  if (!found) throw new Error(`no demo learner without an account at ${memberId}`);
  taken.add(found.id);
  return found.id;
};
const openFree = open((offering) => !offering.prerequisites && offering.capacity === null)[0] ?? open((offering) => !offering.prerequisites)[0];
const withPrerequisites = open((offering) => Boolean(offering.prerequisites))[0];
const closed = offerings.find((offering) => offering.enrolmentDeadline < TODAY) as DemoOffering;

beforeAll(async () => {
  hub = await startTestHub({ memberClock: () => new Date(`${TODAY}T12:00:00Z`) });
});
afterAll(async () => {
  await hub?.stop();
});

describe('applying for an offering from the portal', () => {
  it('creates and links the account at a member where the learner had none, and the application shows at once', async () => {
    const offering = openFree as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const learnerId = newcomer(memberId);
    const me = await asLearner(hub.hub, learnerId);
    const language = offering.languageList.split(',')[0] as string;

    const without = await hub.query(APPLY, { input: { opportunityId: offering.id, language } }, me);
    expect(codes(without.body)).toEqual(['BAD_USER_INPUT']);
    expect(without.body.errors?.[0]?.extensions?.['argument']).toBe('input.applicant');

    hub.resetRequests();
    const applied = await hub.query(APPLY, { input: { opportunityId: offering.id, language, applicant } }, me);
    expect(applied.body.errors).toBeUndefined();
    const result = applied.body.data?.['applyForOffering'];
    // The application went to the offering's member only, once, as a mutation.
    const submissions = hub.requests.filter((request) => request.query.includes('submitEnrolmentApplication'));
    expect(submissions.map((request) => request.member)).toEqual([memberId]);
    expect(submissions[0]?.query).toMatch(/^mutation/);
    expect(result).toMatchObject({ created: true, accountCreated: true, accountLinked: true, account: { institution: { id: memberId } } });
    expect(result.enrolment).toMatchObject({ status: 'APPLIED', language, prerequisitesDeclared: false, opportunity: { id: offering.id }, learnerAccount: { id: result.account.id, givenName: 'Aino' } });

    // The register links the new account: the learner's enrolments include the application right away.
    const mine = await hub.query(MY_ENROLMENTS, { id: learnerId }, me);
    expect(mine.body.data?.['learner'].memberAccountIds).toContain(result.account.id);
    expect(mine.body.data?.['learner'].enrolments).toContainEqual({ id: result.enrolment.id, status: 'APPLIED', opportunity: { id: offering.id } });

    // Applying again answers the open application: no second one, no second account.
    const again = await hub.query(APPLY, { input: { opportunityId: offering.id, language, applicant } }, me);
    expect(again.body.data?.['applyForOffering']).toMatchObject({ created: false, accountCreated: false, accountLinked: false, enrolment: { id: result.enrolment.id } });

    // The member's audit trail has the account and the application, once each.
    const orm = await openMemberDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'members', `${memberId}.sqlite`) }, { migrate: false });
    try {
      const rows = await orm.em.fork().find(MemberAudit, { actorLearnerId: learnerId }, { orderBy: { id: 'asc' } });
      expect(rows.map((row) => [row.action, row.entityId])).toEqual([
        ['createLearnerAccount', result.account.id],
        ['applyForOffering', result.enrolment.id],
      ]);
      expect(rows[0]?.after).not.toContain('aino.tester@example.org');
      // The new account keeps the learner's home member as the register knows it (the statistics by home member).
      const home = everyone.find((learner) => learner.id === learnerId)?.accounts[0]?.homeMemberId;
      expect(home).toBeDefined();
      expect(home).not.toBe(memberId);
      expect((await orm.em.fork().findOne(LearnerAccount, { id: result.account.id }))?.homeMemberId).toBe(home);
      expect(rows[0]?.after).toContain(home as string);
    } finally {
      await orm.close();
    }
  });

  it("uses the learner's existing account at a member, and the member's staff admit, decline and list applications", async () => {
    const offering = withPrerequisites as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const holder = everyone.find((learner) => !taken.has(learner.id) && learner.accounts.some((account) => account.memberId === memberId) && !learner.accounts.some((account) => account.enrolments.some((enrolment) => enrolment.opportunityId === offering.id)));
    if (!holder) throw new Error('no demo learner with an account there');
    taken.add(holder.id);
    const me = await asLearner(hub.hub, holder.id);
    const language = offering.languageList.split(',')[0] as string;

    const undeclared = await hub.query(APPLY, { input: { opportunityId: offering.id, language } }, me);
    expect(codes(undeclared.body)).toEqual(['NOT_ELIGIBLE']);
    expect(undeclared.body.errors?.[0]?.message).toContain(offering.prerequisites as string);
    const applied = await hub.query(APPLY, { input: { opportunityId: offering.id, language, prerequisitesMet: true } }, me);
    expect(applied.body.errors).toBeUndefined();
    const result = applied.body.data?.['applyForOffering'];
    expect(result).toMatchObject({ created: true, accountCreated: false, accountLinked: false, enrolment: { prerequisitesDeclared: true } });
    expect(result.account.id).toBe(holder.accounts.find((account) => account.memberId === memberId)?.id);

    const waiting = await hub.query(STAFF_LIST, { member: memberId, status: 'APPLIED', offering: offering.id }, await staff(memberId));
    expect(waiting.body.errors).toBeUndefined();
    expect(waiting.body.data?.['institution'].enrolments.nodes.map((node: { id: string }) => node.id)).toContain(result.enrolment.id);

    const before = (await hub.query(PLACES, { id: offering.id })).body.data?.['offering'];
    const admitted = await hub.query(DECIDE, { id: result.enrolment.id, input: { decision: 'ADMIT' } }, await staff(memberId));
    expect(admitted.body.data?.['decideEnrolment']).toMatchObject({ status: 'ENROLLED', declineReason: null });
    const after = (await hub.query(PLACES, { id: offering.id })).body.data?.['offering'];
    if (before.capacity !== null) expect(after.placesLeft).toBe(before.placesLeft - 1);
    else expect(after.placesLeft).toBeNull();

    // The same decision again changes nothing; the other one is refused.
    const again = await hub.query(DECIDE, { id: result.enrolment.id, input: { decision: 'ADMIT' } }, await staff(memberId));
    expect(again.body.data?.['decideEnrolment'].statusChangedAt).toBe(admitted.body.data?.['decideEnrolment'].statusChangedAt);
    const contrary = await hub.query(DECIDE, { id: result.enrolment.id, input: { decision: 'DECLINE', reason: 'OTHER', note: 'Changed our minds' } }, await staff(memberId));
    expect(codes(contrary.body)).toEqual(['INVALID_STATE']);
  });

  it('declines with a reason from the list, and a declined learner may apply again', async () => {
    const offering = openFree as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const learnerId = newcomer(memberId);
    const me = await asLearner(hub.hub, learnerId);
    const language = offering.languageList.split(',')[0] as string;
    const first = (await hub.query(APPLY, { input: { opportunityId: offering.id, language, applicant } }, me)).body.data?.['applyForOffering'];

    const noReason = await hub.query(DECIDE, { id: first.enrolment.id, input: { decision: 'DECLINE' } }, await staff(memberId));
    expect(noReason.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'reason' });
    const otherWithoutNote = await hub.query(DECIDE, { id: first.enrolment.id, input: { decision: 'DECLINE', reason: 'OTHER' } }, await staff(memberId));
    expect(otherWithoutNote.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'note' });
    const declined = await hub.query(DECIDE, { id: first.enrolment.id, input: { decision: 'DECLINE', reason: 'LANGUAGE_REQUIREMENTS_NOT_MET', note: 'B2 English needed' } }, await staff(memberId));
    expect(declined.body.data?.['decideEnrolment']).toMatchObject({ status: 'NOT_ADMITTED', declineReason: 'LANGUAGE_REQUIREMENTS_NOT_MET', statusNote: 'B2 English needed' });

    const cancelDeclined = await hub.query(CANCEL, { id: first.enrolment.id }, me);
    expect(codes(cancelDeclined.body)).toEqual(['INVALID_STATE']);
    const second = await hub.query(APPLY, { input: { opportunityId: offering.id, language } }, me);
    expect(second.body.data?.['applyForOffering']).toMatchObject({ created: true, accountCreated: false });
    expect(second.body.data?.['applyForOffering'].enrolment.id).not.toBe(first.enrolment.id);
  });

  it('lets the learner cancel an application or a place, once', async () => {
    const offering = openFree as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const learnerId = newcomer(memberId);
    const me = await asLearner(hub.hub, learnerId);
    const language = offering.languageList.split(',')[0] as string;
    const applied = (await hub.query(APPLY, { input: { opportunityId: offering.id, language, applicant } }, me)).body.data?.['applyForOffering'];
    await hub.query(DECIDE, { id: applied.enrolment.id, input: { decision: 'ADMIT' } }, await staff(memberId));

    // Someone else's enrolment and one that does not exist get the same answer.
    const other = await asLearner(hub.hub, newcomer(memberId));
    const foreign = await hub.query(CANCEL, { id: applied.enrolment.id }, other);
    const missing = await hub.query(CANCEL, { id: `${memberId}:enr-does-not-exist` }, other);
    expect(codes(foreign.body)).toEqual(['NOT_FOUND']);
    expect(foreign.body.errors?.[0]?.message).toBe(missing.body.errors?.[0]?.message.replace('enr-does-not-exist', applied.enrolment.id.split(':')[1]));

    const cancelled = await hub.query(CANCEL, { id: applied.enrolment.id, reason: 'Timetable clash' }, me);
    expect(cancelled.body.data?.['cancelEnrolment']).toMatchObject({ status: 'WITHDRAWN', statusNote: 'Timetable clash' });
    const again = await hub.query(CANCEL, { id: applied.enrolment.id }, me);
    expect(again.body.data?.['cancelEnrolment']).toMatchObject({ status: 'WITHDRAWN', statusNote: 'Timetable clash' });
    const mine = await hub.query(MY_ENROLMENTS, { id: learnerId }, me);
    expect(mine.body.data?.['learner'].enrolments).toContainEqual({ id: applied.enrolment.id, status: 'WITHDRAWN', opportunity: { id: offering.id } });
  });
});

describe("the member's rules", () => {
  it('refuse a closed offering, a language it is not taught in, and a full one, saying why', async () => {
    const learnerId = newcomer(closed.id.split(':')[0] as string);
    const me = await asLearner(hub.hub, learnerId);
    const late = await hub.query(APPLY, { input: { opportunityId: closed.id, language: 'en', applicant } }, me);
    expect(codes(late.body)).toEqual(['NOT_ELIGIBLE']);
    expect(late.body.errors?.[0]?.message).toContain(`closed on ${closed.enrolmentDeadline}`);

    const offering = openFree as DemoOffering;
    const wrongLanguage = await hub.query(APPLY, { input: { opportunityId: offering.id, language: 'zu', applicant } }, me);
    expect(wrongLanguage.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_ELIGIBLE', argument: 'input.language' });

    // A challenge of 30 places: fill what is left, then one more is refused, and admitting past capacity too.
    const small = open((candidate) => !candidate.prerequisites && candidate.capacity !== null).sort((a, b) => (a.capacity ?? 0) - (b.capacity ?? 0))[0] as DemoOffering;
    const memberId = small.id.split(':')[0] as string;
    const language = small.languageList.split(',')[0] as string;
    const left = (await hub.query(PLACES, { id: small.id })).body.data?.['offering'].placesLeft as number;
    const applications = [];
    for (let i = 0; i <= left; i += 1) {
      const body = (await hub.query(APPLY, { input: { opportunityId: small.id, language, applicant } }, await asLearner(hub.hub, newcomer(memberId)))).body;
      expect(body.errors).toBeUndefined();
      applications.push(body.data?.['applyForOffering'].enrolment.id as string);
    }
    for (const id of applications.slice(0, left)) {
      expect((await hub.query(DECIDE, { id, input: { decision: 'ADMIT' } }, await staff(memberId))).body.errors).toBeUndefined();
    }
    const overfull = await hub.query(DECIDE, { id: applications[left], input: { decision: 'ADMIT' } }, await staff(memberId));
    expect(codes(overfull.body)).toEqual(['NOT_ELIGIBLE']);
    expect((await hub.query(PLACES, { id: small.id })).body.data?.['offering'].placesLeft).toBe(0);
    const full = await hub.query(APPLY, { input: { opportunityId: small.id, language, applicant } }, await asLearner(hub.hub, newcomer(memberId)));
    expect(codes(full.body)).toEqual(['NOT_ELIGIBLE']);
    expect(full.body.errors?.[0]?.message).toContain('is full');
  });

  it('refuse bad input naming the field, and unknown offerings and members', async () => {
    const me = await asLearner(hub.hub, newcomer('tuni.fi'));
    const offering = openFree as DemoOffering;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ opportunityId: 'not-an-id', language: 'en' }, 'BAD_USER_INPUT', 'input.opportunityId'],
      [{ opportunityId: 'nowhere.example:mm-1', language: 'en' }, 'UNKNOWN_MEMBER', 'input.opportunityId'],
      [{ opportunityId: `${offering.id.split(':')[0]}:mm-none`, language: 'en', applicant }, 'NOT_FOUND', 'input.opportunityId'],
      [{ opportunityId: offering.id, language: 'english', applicant }, 'BAD_USER_INPUT', 'input.language'],
      [{ opportunityId: offering.id, language: 'en', applicant: { ...applicant, email: 'not an address' } }, 'BAD_USER_INPUT', 'input.applicant.email'],
      [{ opportunityId: offering.id, language: 'en', applicant: { ...applicant, givenName: '' } }, 'BAD_USER_INPUT', 'input.applicant.givenName'],
    ];
    for (const [input, code, argument] of cases) {
      const answer = await hub.query(APPLY, { input }, me);
      expect(answer.body.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code, argument });
      expect(answer.text).not.toMatch(/select |insert |at .*\.ts:|127\.0\.0\.1/i);
    }
  });
});

describe('who may do what', () => {
  it('only learners apply, only the offering member\'s staff decide and list, and the internal mutation is not in the API', async () => {
    const offering = openFree as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const input = { opportunityId: offering.id, language: 'en', applicant };
    const anonymous = await hub.query(APPLY, { input });
    expect(anonymous.status).toBe(401);
    for (const headers of [await staff(memberId), await bearer(hub.hub, { role: 'analyst' }), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      expect(codes((await hub.query(APPLY, { input }, headers)).body)).toEqual(['FORBIDDEN']);
    }

    const learnerId = newcomer(memberId);
    const me = await asLearner(hub.hub, learnerId);
    const enrolmentId = (await hub.query(APPLY, { input }, me)).body.data?.['applyForOffering'].enrolment.id as string;
    const otherMember = memberId === 'tuni.fi' ? 'dcu.ie' : 'tuni.fi';
    for (const headers of [me, await staff(otherMember), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      expect(codes((await hub.query(DECIDE, { id: enrolmentId, input: { decision: 'ADMIT' } }, headers)).body)).toEqual(['FORBIDDEN']);
      const list = await hub.query(STAFF_LIST, { member: memberId, status: 'APPLIED' }, headers);
      expect(codes(list.body)).toEqual(['FORBIDDEN']);
    }
    // Staff may cancel for the learner.
    expect((await hub.query(CANCEL, { id: enrolmentId, reason: 'Learner asked by e-mail' }, await staff(memberId))).body.data?.['cancelEnrolment'].status).toBe('WITHDRAWN');

    const hidden = await hub.query(`mutation { submitEnrolmentApplication(input: { opportunityId: "${offering.id}", language: "en" }) { created } }`, {}, me);
    expect(codes(hidden.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('pathways', () => {
  it('show an application at once as what would complete a requirement, and stop suggesting that offering', async () => {
    const offering = openFree as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const admin = await bearer(hub.hub, { role: 'alliance-admin', subject: 'admin@eciu.eu' });
    const created = await hub.query(
      /* GraphQL */ `mutation ($input: PathwayInput!) { createPathway(input: $input) { id } }`,
      { input: { name: 'Enrolment test certificate', ectsMin: offering.ects, minMembers: 1, requirements: [{ kind: 'ALL_OF', title: 'The open module', offeringIds: [offering.id] }] } },
      admin,
    );
    expect(created.body.errors).toBeUndefined();
    const pathwayId = created.body.data?.['createPathway'].id as string;
    const learnerId = newcomer(memberId);
    const me = await asLearner(hub.hub, learnerId);
    const PROGRESS = /* GraphQL */ `
      query ($learner: ID!, $pathway: ID!) {
        learner(id: $learner) { pathwayProgress(pathwayId: $pathway) { complete completeOnPassing requirements { requirement { title } satisfied suggestions { id } } enrolments { enrolment { id status } status offering { id } ects helpsWith } } }
      }
    `;
    const before = (await hub.query(PROGRESS, { learner: learnerId, pathway: pathwayId }, me)).body.data?.['learner'].pathwayProgress;
    const forOffering = (progress: { enrolments: { offering: { id: string } }[] }) => progress.enrolments.filter((item) => item.offering.id === offering.id);
    expect(before).toMatchObject({ complete: false, completeOnPassing: false });
    expect(forOffering(before)).toEqual([]);
    expect(before.requirements.find((item: { requirement: { title: string } }) => item.requirement.title === 'The open module').suggestions).toEqual([{ id: offering.id }]);

    const language = offering.languageList.split(',')[0] as string;
    const applied = (await hub.query(APPLY, { input: { opportunityId: offering.id, language, applicant } }, me)).body.data?.['applyForOffering'];
    const after = (await hub.query(PROGRESS, { learner: learnerId, pathway: pathwayId }, me)).body.data?.['learner'].pathwayProgress;
    expect(after).toMatchObject({ complete: false, completeOnPassing: true });
    expect(forOffering(after)).toEqual([
      { enrolment: { id: applied.enrolment.id, status: 'APPLIED' }, status: 'APPLIED', offering: { id: offering.id }, ects: offering.creditBearing ? offering.ects : 0, helpsWith: expect.arrayContaining(['The open module']) },
    ]);
    expect(after.requirements.find((item: { requirement: { title: string } }) => item.requirement.title === 'The open module').suggestions).toEqual([]);
  });
});

describe('erasure', () => {
  it("erases the account a member created on application, and the member's audit keeps what was done but not who", async () => {
    const offering = openFree as DemoOffering;
    const memberId = offering.id.split(':')[0] as string;
    const learnerId = newcomer(memberId);
    const me = await asLearner(hub.hub, learnerId);
    const applied = (await hub.query(APPLY, { input: { opportunityId: offering.id, language: offering.languageList.split(',')[0], applicant } }, me)).body.data?.['applyForOffering'];
    await hub.query(DECIDE, { id: applied.enrolment.id, input: { decision: 'DECLINE', reason: 'OTHER', note: 'Aino Tester has no transcript' } }, await staff(memberId));

    const erased = await hub.query(`mutation ($confirm: ID!) { eraseMyAccount(confirm: $confirm) { id targets { target status counts { kind count } } } }`, { confirm: learnerId }, me);
    expect(erased.body.errors).toBeUndefined();
    const receiptId = erased.body.data?.['eraseMyAccount'].id as string;
    // The outbox tells every member; wait until this one has answered.
    let counts: Record<string, number> = {};
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const receipt = await hub.query(`query ($id: ID!) { erasureReceipt(id: $id) { targets { target status counts { kind count } } } }`, { id: receiptId }, me);
      const target = (receipt.body.data?.['erasureReceipt']?.targets as { target: string; status: string; counts: { kind: string; count: number }[] }[] | undefined)?.find((item) => item.target === `member:${memberId}`);
      if (target?.status === 'DONE') {
        counts = Object.fromEntries(target.counts.map((entry) => [entry.kind, entry.count]));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(counts).toMatchObject({ accounts: 1, enrolments: 1, auditAnonymised: 3 });

    const orm = await openMemberDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'members', `${memberId}.sqlite`) }, { migrate: false });
    try {
      const rows = await orm.em.fork().find(MemberAudit, { entityId: { $in: [applied.account.id, applied.enrolment.id] } }, { orderBy: { id: 'asc' } });
      expect(rows.map((row) => row.action)).toEqual(['createLearnerAccount', 'applyForOffering', 'decideEnrolment']);
      expect(rows.every((row) => row.actorLearnerId === null && row.before === null && row.after === null)).toBe(true);
      expect(rows[2]?.actorSubject).toBe(`admissions@${memberId}`);
      expect(await orm.em.fork().count(MemberAudit, { actorLearnerId: learnerId })).toBe(0);
    } finally {
      await orm.close();
    }
  });
});
