import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { MemberAudit } from '../../subgraphs/member/model.js';
import { all, catalogues, everyone } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Curation by a member's own staff through the gateway (issue 14, point 3):
 * record and correct enrolments and assessed results, each visible at once,
 * validated against the offering, audited, idempotent; a correction of an
 * achievement with a credential suspends the credential pending re-issue.
 */

const MEMBER = 'tuni.fi';
const RECORD_ENROLMENT = /* GraphQL */ `mutation ($input: RecordEnrolmentInput!) { recordEnrolment(input: $input) { changed enrolment { id status opportunity { id } } } }`;
const CORRECT_ENROLMENT = /* GraphQL */ `mutation ($id: ID!, $input: CorrectEnrolmentInput!) { correctEnrolment(id: $id, input: $input) { changed enrolment { id status statusNote } } }`;
const RECORD_ACHIEVEMENT = /* GraphQL */ `mutation ($input: RecordAchievementInput!) { recordAchievement(input: $input) { changed credentials achievement { id passed grade ectsAwarded revision acquiredSkills { level skill { uri } } } } }`;
const CORRECT_ACHIEVEMENT = /* GraphQL */ `mutation ($id: ID!, $input: CorrectAchievementInput!) { correctAchievement(id: $id, input: $input) { changed credentials achievement { id passed grade ectsAwarded revision } } }`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const staff = (memberId = MEMBER) => bearer(hub.hub, { role: 'member-staff', memberId, subject: `registrar@${memberId}` });
const offerings = catalogues.get(MEMBER) ?? [];
const creditBearing = offerings.find((offering) => offering.creditBearing && offering.startDate < '2026-06-01') ?? (offerings[0] as (typeof offerings)[number]);
// A learner with an account here who is not enrolled in that offering.
const holder = everyone.find((learner) => learner.accounts.some((account) => account.memberId === MEMBER && !account.enrolments.some((enrolment) => enrolment.opportunityId === creditBearing.id)));
const account = holder?.accounts.find((account) => account.memberId === MEMBER);

async function auditRows(action: string) {
  const orm = await openMemberDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'members', `${MEMBER}.sqlite`) }, { migrate: false });
  try {
    return await orm.em.fork().find(MemberAudit, { action }, { orderBy: { id: 'asc' } });
  } finally {
    await orm.close();
  }
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('curation of enrolments and results by the member\'s staff', () => {
  const enrolmentId = `${MEMBER}:enr-curated-1`;

  it('records an enrolment, visible at once; the same again changes nothing; other facts under the id are refused', async () => {
    if (!account) throw new Error('no demo account to curate');
    const input = { localId: 'enr-curated-1', accountId: account.id, opportunityId: creditBearing.id, status: 'ENROLLED', enrolledOn: '2026-01-05' };
    const first = await hub.query(RECORD_ENROLMENT, { input }, await staff());
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.['recordEnrolment']).toEqual({ changed: true, enrolment: { id: enrolmentId, status: 'ENROLLED', opportunity: { id: creditBearing.id } } });
    const seen = await hub.query(`query ($id: ID!) { enrolment(id: $id) { status learnerAccount { id } } }`, { id: enrolmentId }, await staff());
    expect(seen.body.data?.['enrolment']).toEqual({ status: 'ENROLLED', learnerAccount: { id: account.id } });
    const again = await hub.query(RECORD_ENROLMENT, { input }, await staff());
    expect(again.body.data?.['recordEnrolment'].changed).toBe(false);
    const other = await hub.query(RECORD_ENROLMENT, { input: { ...input, status: 'WITHDRAWN' } }, await staff());
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE', argument: 'input.localId' });
    expect((await auditRows('recordEnrolment')).map((row) => row.entityId)).toEqual([enrolmentId]);
  });

  it('refuses bad enrolment input, naming the field', async () => {
    if (!account) throw new Error('no demo account');
    const base = { localId: 'enr-curated-2', accountId: account.id, opportunityId: creditBearing.id, status: 'ENROLLED' };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ localId: 'bad id!' }, 'BAD_USER_INPUT', 'input.localId'],
      [{ status: 'APPLIED' }, 'BAD_USER_INPUT', 'input.status'],
      [{ enrolledOn: '2999-01-01' }, 'BAD_USER_INPUT', 'input.enrolledOn'],
      [{ accountId: 'dcu.ie:acc-1' }, 'NOT_FOUND', 'input.accountId'],
      [{ opportunityId: `${MEMBER}:no-such` }, 'NOT_FOUND', 'input.opportunityId'],
      [{ accountId: 'not-an-id' }, 'BAD_USER_INPUT', 'input.accountId'],
    ];
    for (const [change, code, argument] of cases) {
      const answer = await hub.query(RECORD_ENROLMENT, { input: { ...base, ...change } }, await staff());
      expect(answer.body.errors?.[0]?.extensions, JSON.stringify(change)).toMatchObject({ code, argument });
    }
  });

  it('records a result against the offering\'s rules, completing the enrolment', async () => {
    const skill = creditBearing.outcomes[0]?.skillUri as string;
    const good = { enrolmentId, assessedOn: '2026-03-01', passed: true, grade: '4', gradingScheme: 'fi-0-5', skills: [{ skillUri: skill, level: 'INTERMEDIATE' }] };
    const bad: [Record<string, unknown>, string][] = [
      [{ grade: 'A' }, 'input.grade'],
      [{ grade: '0' }, 'input.grade'],
      [{ gradingScheme: 'no-such-scheme' }, 'input.gradingScheme'],
      [{ ectsAwarded: creditBearing.ects + 1 }, 'input.ectsAwarded'],
      [{ passed: false, grade: '0', ectsAwarded: 1 }, 'input.ectsAwarded'],
      [{ passed: false, grade: '0', ectsAwarded: 0 }, 'input.skills'],
      [{ skills: [{ skillUri: 'http://example.org/skill', level: 'ADVANCED' }] }, 'input.skills'],
      [{ skills: [{ skillUri: skill, level: 'ADVANCED' }, { skillUri: skill, level: 'FOUNDATION' }] }, 'input.skills'],
      [{ assessedOn: '2999-01-01' }, 'input.assessedOn'],
      [{ assessedOn: '2025-12-01' }, 'input.assessedOn'],
    ];
    for (const [change, argument] of bad) {
      const answer = await hub.query(RECORD_ACHIEVEMENT, { input: { ...good, ...change } }, await staff());
      expect(answer.body.errors?.[0]?.extensions, JSON.stringify(change)).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    const recorded = await hub.query(RECORD_ACHIEVEMENT, { input: good }, await staff());
    expect(recorded.body.errors).toBeUndefined();
    const achievement = recorded.body.data?.['recordAchievement'].achievement;
    expect(achievement).toMatchObject({ passed: true, grade: '4', ectsAwarded: creditBearing.creditBearing ? creditBearing.ects : 0, revision: 1, acquiredSkills: [{ level: 'INTERMEDIATE', skill: { uri: skill } }] });
    const enrolment = await hub.query(`query ($id: ID!) { enrolment(id: $id) { status } }`, { id: enrolmentId }, await staff());
    expect(enrolment.body.data?.['enrolment'].status).toBe('COMPLETED');
    expect((await hub.query(RECORD_ACHIEVEMENT, { input: good }, await staff())).body.data?.['recordAchievement'].changed).toBe(false);
    expect(codes((await hub.query(RECORD_ACHIEVEMENT, { input: { ...good, grade: '5' } }, await staff())).body)).toEqual(['INVALID_STATE']);
    // An enrolment with a result stays COMPLETED.
    expect(codes((await hub.query(CORRECT_ENROLMENT, { id: enrolmentId, input: { status: 'WITHDRAWN', reason: 'Left the course.' } }, await staff())).body)).toEqual(['INVALID_STATE']);
  });

  it('lets only this member\'s staff curate', async () => {
    const input = { localId: 'enr-curated-3', accountId: account?.id, opportunityId: creditBearing.id, status: 'ENROLLED' };
    for (const headers of [await staff('dcu.ie'), await asLearner(hub.hub, holder?.id as string), await bearer(hub.hub, { role: 'analyst' }), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      expect(codes((await hub.query(RECORD_ENROLMENT, { input }, headers)).body)).toEqual(['FORBIDDEN']);
      expect(codes((await hub.query(CORRECT_ACHIEVEMENT, { id: `${MEMBER}:ach-enr-curated-1`, input: { grade: '5', reason: 'Regraded.' } }, headers)).body)).toEqual(['FORBIDDEN']);
    }
    expect((await hub.query(RECORD_ENROLMENT, { input })).status).toBe(401);
    // The corrections feed is for the issuance service, not for clients.
    expect(codes((await hub.query(`{ achievementCorrections(since: "2026-01-01T00:00:00Z") { achievementId } }`, {}, await bearer(hub.hub, { role: 'alliance-admin' }))).body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('changes an enrolment with the reason the learner sees', async () => {
    if (!account) throw new Error('no demo account');
    await hub.query(RECORD_ENROLMENT, { input: { localId: 'enr-curated-4', accountId: account.id, opportunityId: creditBearing.id, status: 'ENROLLED' } }, await staff());
    const id = `${MEMBER}:enr-curated-4`;
    const changed = await hub.query(CORRECT_ENROLMENT, { id, input: { status: 'WITHDRAWN', reason: 'Withdrew by e-mail on 3 March.' } }, await staff());
    expect(changed.body.data?.['correctEnrolment']).toEqual({ changed: true, enrolment: { id, status: 'WITHDRAWN', statusNote: 'Withdrew by e-mail on 3 March.' } });
    expect((await hub.query(CORRECT_ENROLMENT, { id, input: { status: 'WITHDRAWN', reason: 'Again.' } }, await staff())).body.data?.['correctEnrolment'].changed).toBe(false);
    expect((await hub.query(CORRECT_ENROLMENT, { id, input: { status: 'ENROLLED', reason: 'x' } }, await staff())).body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.reason' });
    const rows = await auditRows('correctEnrolment');
    expect(JSON.parse(rows.at(-1)?.before ?? '{}').status).toBe('ENROLLED');
    expect(JSON.parse(rows.at(-1)?.after ?? '{}')).toMatchObject({ status: 'WITHDRAWN', reason: 'Withdrew by e-mail on 3 March.' });
  });
});

describe('a correction of an achievement that has a credential', () => {
  it('says the credential is suspended pending re-issue, and the issuance service suspends it', async () => {
    const item = all((candidate) => candidate.memberId === MEMBER && candidate.offering.creditBearing && candidate.achievement.grade !== null)[0];
    if (!item) throw new Error('no passed achievement to correct');
    const learner = await asLearner(hub.hub, item.learnerId);
    const issued = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id status } } }`, { id: item.achievement.id }, learner);
    expect(issued.body.errors).toBeUndefined();
    const credentialId = issued.body.data?.['issueCredential'].credential.id as string;
    // Nothing corrected yet: the check suspends nothing.
    expect((await hub.hub.issuanceService.corrections.check()).suspended).toBe(0);

    const corrected = await hub.query(CORRECT_ACHIEVEMENT, { id: item.achievement.id, input: { ectsAwarded: 0, passed: false, grade: '0', reason: 'The exam was marked against the wrong key.' } }, await staff());
    expect(corrected.body.errors).toBeUndefined();
    const answer = corrected.body.data?.['correctAchievement'];
    expect(answer).toMatchObject({ changed: true, achievement: { passed: false, grade: '0', ectsAwarded: 0, revision: 2 } });
    expect(answer.credentials).toMatch(/suspended pending re-issue/);
    // The same correction again changes nothing.
    expect((await hub.query(CORRECT_ACHIEVEMENT, { id: item.achievement.id, input: { passed: false, grade: '0', reason: 'Again.' } }, await staff())).body.data?.['correctAchievement'].changed).toBe(false);

    const check = await hub.hub.issuanceService.corrections.check();
    expect(check).toMatchObject({ applied: 1, suspended: 1, unavailable: [] });
    const status = await hub.query(`query ($id: ID!) { credential(id: $id) { status } }`, { id: credentialId }, learner);
    expect(status.body.data?.['credential'].status).toBe('SUSPENDED');
    // Each correction is acted on once: a resume by staff stands.
    await hub.query(`mutation ($id: ID!) { resumeCredential(id: $id, reason: "Checked by the registrar.") { status } }`, { id: credentialId }, await staff());
    expect((await hub.hub.issuanceService.corrections.check()).applied).toBe(0);
    expect((await hub.query(`query ($id: ID!) { credential(id: $id) { status } }`, { id: credentialId }, learner)).body.data?.['credential'].status).toBe('ACTIVE');
    const rows = await auditRows('correctAchievement');
    expect(JSON.parse(rows.at(-1)?.before ?? '{}')).toMatchObject({ passed: true, revision: 1 });
    expect(JSON.parse(rows.at(-1)?.after ?? '{}')).toMatchObject({ passed: false, revision: 2, reason: 'The exam was marked against the wrong key.' });
  });
});

describe('re-issue after a correction', () => {
  const ISSUE = /* GraphQL */ `mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { created credential { id status } } }`;
  const STATUS = /* GraphQL */ `query ($id: ID!) { credential(id: $id) { status revocation { reason } } }`;

  it('issues one credential for the corrected facts and revokes the suspended one, naming its replacement', async () => {
    const item = all((candidate) => candidate.memberId === MEMBER && candidate.offering.creditBearing && candidate.achievement.skills.length >= 2)[1];
    if (!item) throw new Error('no passed achievement with two skills to correct');
    const learner = await asLearner(hub.hub, item.learnerId);
    const first = (await hub.query(ISSUE, { id: item.achievement.id }, learner)).body.data?.['issueCredential'];
    expect(first.created).toBe(true);
    // Asking again before any correction returns the same credential.
    expect((await hub.query(ISSUE, { id: item.achievement.id }, learner)).body.data?.['issueCredential']).toMatchObject({ created: false, credential: { id: first.credential.id } });

    // Still passed, one skill fewer: a credential for the corrected facts can be issued.
    const skills = item.achievement.skills.slice(1).map((skill) => ({ skillUri: skill.skillUri, level: skill.level }));
    const corrected = await hub.query(CORRECT_ACHIEVEMENT, { id: item.achievement.id, input: { skills, reason: 'The first skill was not assessed.' } }, await staff());
    expect(corrected.body.data?.['correctAchievement']).toMatchObject({ changed: true, achievement: { passed: true, revision: 2 } });
    expect(corrected.body.data?.['correctAchievement'].credentials).toMatch(/issues one for the corrected facts/);
    expect((await hub.hub.issuanceService.corrections.check()).suspended).toBe(1);
    expect((await hub.query(STATUS, { id: first.credential.id }, learner)).body.data?.['credential'].status).toBe('SUSPENDED');

    const reissued = await hub.query(ISSUE, { id: item.achievement.id }, learner);
    expect(reissued.body.errors).toBeUndefined();
    const second = reissued.body.data?.['issueCredential'];
    expect(second).toMatchObject({ created: true, credential: { status: 'ACTIVE' } });
    expect(second.credential.id).not.toBe(first.credential.id);
    const old = (await hub.query(STATUS, { id: first.credential.id }, learner)).body.data?.['credential'];
    expect(old.status).toBe('REVOKED');
    expect(old.revocation.reason).toContain(`Replaced by ${second.credential.id}`);
    expect(old.revocation.reason).toContain('revision 2');
    // Once per revision: asking again (a retry, a second tab) returns the new credential, not a third.
    expect((await hub.query(ISSUE, { id: item.achievement.id }, learner)).body.data?.['issueCredential']).toMatchObject({ created: false, credential: { id: second.credential.id, status: 'ACTIVE' } });
    // The correction was acted on once: the next check leaves the new credential alone.
    expect((await hub.hub.issuanceService.corrections.check()).suspended).toBe(0);
    expect((await hub.query(STATUS, { id: second.credential.id }, learner)).body.data?.['credential'].status).toBe('ACTIVE');
  });

  it('refuses a re-issue the corrected facts do not allow, and leaves the suspended credential as it is', async () => {
    const item = all((candidate) => candidate.memberId === MEMBER && candidate.offering.creditBearing && candidate.achievement.grade !== null)[2];
    if (!item) throw new Error('no passed achievement to correct');
    const learner = await asLearner(hub.hub, item.learnerId);
    const first = (await hub.query(ISSUE, { id: item.achievement.id }, learner)).body.data?.['issueCredential'];
    await hub.query(CORRECT_ACHIEVEMENT, { id: item.achievement.id, input: { ectsAwarded: 0, passed: false, grade: '0', reason: 'Plagiarism found after the exam board.' } }, await staff());
    await hub.hub.issuanceService.corrections.check();
    const refused = await hub.query(ISSUE, { id: item.achievement.id }, learner);
    expect(codes(refused.body)).toEqual(['NOT_ISSUABLE']);
    expect((await hub.query(STATUS, { id: first.credential.id }, learner)).body.data?.['credential'].status).toBe('SUSPENDED');
  });
});

describe('offerings written by the member\'s staff', () => {
  const CREATE = /* GraphQL */ `mutation ($localId: String!, $input: OfferingInput!) { createOffering(localId: $localId, input: $input) { changed offering { id title ects creditBearing withdrawnAt learningOutcomes { position skill { uri } } } } }`;
  const UPDATE = /* GraphQL */ `mutation ($id: ID!, $input: OfferingInput!) { updateOffering(id: $id, input: $input) { changed offering { id title } } }`;
  const WITHDRAW = /* GraphQL */ `mutation ($id: ID!, $reason: String!) { withdrawOffering(id: $id, reason: $reason) { changed offering { id withdrawnAt withdrawalReason } } }`;
  /** A demo offering of `memberId` as the input that would write it again. */
  const inputFrom = (memberId: string) => {
    const offering = (catalogues.get(memberId) ?? [])[0] as (typeof offerings)[number];
    return {
      code: `${offering.code}-NEW`, title: `${offering.title} (new cohort)`, description: offering.description, kind: offering.kind, microCredentialType: offering.microCredentialType,
      ects: offering.ects, workloadHours: offering.workloadHours, eqfLevel: offering.eqfLevel, iscedF: offering.iscedF, assessmentType: offering.assessmentType, mode: offering.mode,
      learningSetting: offering.learningSetting, qualityAssurance: offering.qualityAssurance, prerequisites: offering.prerequisites, supervision: offering.supervision,
      stackability: offering.stackability, stackableTowards: offering.stackableTowards, sdgs: offering.sdgList.split(',').filter(Boolean).map(Number), languages: offering.languageList.split(','),
      startDate: '2027-02-01', endDate: '2027-04-30', enrolmentDeadline: '2027-01-15', capacity: 40, creditBearing: offering.creditBearing, moreInformationUrl: null,
      accreditationReference: null, accreditationBody: null, accreditationDecidedOn: null, accreditationValidUntil: null, accreditationUrl: null,
      learningOutcomes: offering.outcomes.map((outcome) => ({ description: outcome.description, skillUri: outcome.skillUri, expectedProficiency: outcome.expectedProficiency })),
    };
  };

  it('creates an offering listed in the catalogue at once; the same again changes nothing; other facts are refused', async () => {
    const input = inputFrom(MEMBER);
    const created = await hub.query(CREATE, { localId: 'mm-curated-1', input }, await staff());
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data?.['createOffering']).toMatchObject({ changed: true, offering: { id: `${MEMBER}:mm-curated-1`, title: input.title, withdrawnAt: null } });
    const listed = await hub.query(`query ($text: String!) { offerings(first: 5, filter: { text: $text }) { nodes { id } } }`, { text: '(new cohort)' });
    expect(listed.body.data?.['offerings'].nodes).toContainEqual({ id: `${MEMBER}:mm-curated-1` });
    expect((await hub.query(CREATE, { localId: 'mm-curated-1', input }, await staff())).body.data?.['createOffering'].changed).toBe(false);
    expect(codes((await hub.query(CREATE, { localId: 'mm-curated-1', input: { ...input, capacity: 41 } }, await staff())).body)).toEqual(['INVALID_STATE']);
  });

  it('refuses what breaks the Annex I rules, naming every field', async () => {
    const input = inputFrom(MEMBER);
    const cases: [Record<string, unknown>, string][] = [
      [{ workloadHours: Math.round(input.ects * 40) }, 'input.workloadHours'],
      [{ eqfLevel: 9 }, 'input.eqfLevel'],
      [{ iscedF: '731' }, 'input.iscedF'],
      [{ learningOutcomes: [] }, 'input.learningOutcomes'],
      [{ learningOutcomes: [{ description: 'x', skillUri: 'http://example.org/x', expectedProficiency: 'ADVANCED' }] }, 'input.learningOutcomes[0].skillUri'],
      [{ languages: [] }, 'input.languages'],
      [{ endDate: '2027-01-01' }, 'input.endDate'],
    ];
    for (const [change, argument] of cases) {
      const answer = await hub.query(CREATE, { localId: 'mm-curated-bad', input: { ...input, ...change } }, await staff());
      expect(answer.body.errors?.[0]?.extensions, JSON.stringify(change)).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    const two = await hub.query(CREATE, { localId: 'mm-curated-bad', input: { ...input, eqfLevel: 0, ects: 0 } }, await staff());
    expect(two.body.errors?.[0]?.message).toMatch(/input\.ects.*input\.eqfLevel|input\.eqfLevel.*input\.ects/);
  });

  it('lets a member without authority mark an offering credit-bearing only with an external accreditation record', async () => {
    const member = 'utwente.nl';
    const input = { ...inputFrom(member), creditBearing: true };
    const refused = await hub.query(CREATE, { localId: 'mm-credit-1', input }, await staff(member));
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.creditBearing' });
    expect(refused.body.errors?.[0]?.message).toMatch(/accreditation authority NONE/);
    const accredited = await hub.query(CREATE, { localId: 'mm-credit-1', input: { ...input, accreditationReference: 'NVAO-2026-114', accreditationBody: 'NVAO', accreditationDecidedOn: '2026-05-12' } }, await staff(member));
    expect(accredited.body.errors).toBeUndefined();
    expect(accredited.body.data?.['createOffering'].offering.creditBearing).toBe(true);
  });

  it('updates and withdraws an offering, audited; a withdrawn offering is not listed and takes no applications', async () => {
    const id = `${MEMBER}:mm-curated-1`;
    const input = { ...inputFrom(MEMBER), title: 'Circular cities, spring cohort' };
    const updated = await hub.query(UPDATE, { id, input }, await staff());
    expect(updated.body.data?.['updateOffering']).toEqual({ changed: true, offering: { id, title: 'Circular cities, spring cohort' } });
    expect((await hub.query(UPDATE, { id, input }, await staff())).body.data?.['updateOffering'].changed).toBe(false);
    const audit = (await auditRows('updateOffering')).at(-1);
    expect(JSON.parse(audit?.before ?? '{}').fields.title).toMatch(/new cohort/);
    expect(JSON.parse(audit?.after ?? '{}').fields.title).toBe('Circular cities, spring cohort');

    const withdrawn = await hub.query(WITHDRAW, { id, reason: 'Replaced by the autumn cohort.' }, await staff());
    expect(withdrawn.body.data?.['withdrawOffering']).toMatchObject({ changed: true, offering: { id, withdrawalReason: 'Replaced by the autumn cohort.' } });
    expect((await hub.query(WITHDRAW, { id, reason: 'Again.' }, await staff())).body.data?.['withdrawOffering'].changed).toBe(false);
    const listed = await hub.query(`{ offerings(first: 50, filter: { institutionIds: ["${MEMBER}"], text: "spring cohort" }) { nodes { id } } }`);
    expect(listed.body.data?.['offerings'].nodes).toEqual([]);
    expect((await hub.query(`query ($id: ID!) { offering(id: $id) { id withdrawnAt } }`, { id })).body.data?.['offering'].withdrawnAt).toEqual(expect.any(String));
    const newcomer = everyone.find((learner) => !learner.accounts.some((account) => account.memberId === MEMBER)) as (typeof everyone)[number];
    const applied = await hub.query(`mutation ($input: EnrolmentApplicationInput!) { applyForOffering(input: $input) { created } }`, { input: { opportunityId: id, language: input.languages[0], applicant: { givenName: 'A', familyName: 'B', email: 'a.b@example.org' } } }, await asLearner(hub.hub, newcomer.id));
    expect(applied.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_ELIGIBLE' });
  });

  it("lets only the member's own staff write its offerings", async () => {
    const id = `${MEMBER}:mm-curated-1`;
    const input = inputFrom(MEMBER);
    for (const headers of [await staff('dcu.ie'), await asLearner(hub.hub, holder?.id as string), await bearer(hub.hub, { role: 'alliance-admin' })]) {
      expect(codes((await hub.query(UPDATE, { id, input }, headers)).body)).toEqual(['FORBIDDEN']);
      expect(codes((await hub.query(WITHDRAW, { id, reason: 'Not mine.' }, headers)).body)).toEqual(['FORBIDDEN']);
    }
    // Creating goes to the caller's own member: anyone but a member's staff is refused by the router.
    expect(codes((await hub.query(CREATE, { localId: 'mm-x', input }, await asLearner(hub.hub, holder?.id as string))).body)).toEqual(['FORBIDDEN']);
    expect((await hub.query(CREATE, { localId: 'mm-x', input })).status).toBe(401);
  });
});
