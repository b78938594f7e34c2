import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityOf, passed, type PassedAchievement } from '../issuance/demo-achievements.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { PassportAudit } from '../../subgraphs/passport/records.js';

/*
 * The competence passport (issue 12, point 1) through the gateway: every ESCO
 * skill a learner has evidence for across members, with levels, evidence,
 * groups up the real ESCO hierarchy and a time line; revoked credentials stop
 * counting; external credentials verified on the way in; who may read it.
 */

const PASSPORT = /* GraphQL */ `
  query ($id: ID!) {
    learner(id: $id) {
      passport {
        skillCount ects
        skills { skill { uri } label level eqfLevel firstGainedOn counts evidence { kind achievement { id } institution { id } date level ects credentialId credentialStatus counts reason externalCredential { id } } }
        groups { group { uri } code label pillar { uri } skillCount ects }
        pillars { code label skillCount }
        timeline { month skillsGained skills { uri } }
        externalCredentials { id title skills { uri } }
        unavailableMembers { id }
      }
    }
  }
`;
const ADD = /* GraphQL */ `mutation ($c: String!, $key: String) { addPassportCredential(credential: $c, clientKey: $key) { created credential { id title awardingBody ects skills { uri } } } }`;
const REMOVE = /* GraphQL */ `mutation ($id: ID!) { removePassportCredential(id: $id) }`;
const ISSUE = /* GraphQL */ `mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id vcJwt } } }`;

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const LEVELS = ['FOUNDATION', 'INTERMEDIATE', 'ADVANCED', 'HIGHLY_SPECIALISED'];
const MAY_APPROVE = ['FULL', 'SEMI_PREQUALIFIED', 'MICRO_CREDENTIALS_ONLY'];

/** Learners with passed achievements at two or more members, in a fixed order; each test takes its own. */
const byLearner = new Map<string, PassedAchievement[]>();
for (const item of passed) byLearner.set(item.learnerId, [...(byLearner.get(item.learnerId) ?? []), item]);
const multi = [...byLearner.entries()].filter(([, items]) => new Set(items.map((item) => item.memberId)).size >= 2 && items.some((item) => item.achievement.skills.length > 0));
let next = 0;
const take = (fits: (items: PassedAchievement[]) => boolean = () => true) => {
  while (next < multi.length) {
    const [learnerId, items] = multi[next++] as [string, PassedAchievement[]];
    if (fits(items)) return { learnerId, items };
  }
  throw new Error('no demo learner fits');
};

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('the competence passport', () => {
  it("shows every skill the members recorded, at the highest level, with its evidence, ESCO groups and a time line, in five calls", async () => {
    const { learnerId, items } = take();
    const cold = await hub.query(PASSPORT, { id: learnerId }, await asLearner(hub.hub, learnerId));
    expect(cold.body.errors).toBeUndefined();
    // Once the public ESCO hierarchy is cached: one call to each source, however many achievements.
    const calls: string[] = [];
    hub.hub.passportService.observe = (call) => calls.push(call.service);
    const { body } = await hub.query(PASSPORT, { id: learnerId }, await asLearner(hub.hub, learnerId));
    hub.hub.passportService.observe = undefined;
    expect(body).toEqual(cold.body);
    expect(calls.sort()).toEqual(['esco', 'issuance', 'learners', 'members', 'recognition']);
    const passport = body.data?.['learner'].passport;

    // The truth, from the generator that seeded the members.
    const expected = new Map<string, { level: string; achievements: Set<string> }>();
    for (const item of items) {
      for (const skill of item.achievement.skills) {
        const seen = expected.get(skill.skillUri) ?? { level: skill.level, achievements: new Set<string>() };
        if (LEVELS.indexOf(skill.level) > LEVELS.indexOf(seen.level)) seen.level = skill.level;
        seen.achievements.add(item.achievement.id);
        expected.set(skill.skillUri, seen);
      }
    }
    expect(passport.skills.map((skill: { skill: { uri: string } }) => skill.skill.uri).sort()).toEqual([...expected.keys()].sort());
    for (const skill of passport.skills) {
      const truth = expected.get(skill.skill.uri)!;
      expect(skill.level, skill.skill.uri).toBe(truth.level);
      expect(skill.counts).toBe(true);
      expect(skill.label).not.toBe(skill.skill.uri);
      expect(new Set(skill.evidence.map((item: { achievement: { id: string } }) => item.achievement.id))).toEqual(truth.achievements);
    }
    expect(passport.skillCount).toBe(expected.size);
    // Up the real hierarchy: every group has counted skills, and the pillars are S1-S8, T, K or L.
    expect(passport.groups.length).toBeGreaterThan(0);
    expect(passport.pillars.length).toBeGreaterThan(0);
    for (const pillar of passport.pillars) expect(pillar.code).toMatch(/^(S[1-8]|T|K|L)$/);
    for (const group of passport.groups) expect(group.skillCount).toBeGreaterThan(0);
    const pillarUris = new Set(passport.groups.filter((group: { pillar: { uri: string }; group: { uri: string } }) => group.pillar.uri === group.group.uri).map((group: { group: { uri: string } }) => group.group.uri));
    for (const group of passport.groups) expect(pillarUris.has(group.pillar.uri), group.code).toBe(true);
    // The time line counts each skill once, in the month it was first gained.
    expect(passport.timeline.reduce((sum: number, month: { skillsGained: number }) => sum + month.skillsGained, 0)).toBe(expected.size);
    const months = passport.timeline.map((month: { month: string }) => month.month);
    expect([...months].sort()).toEqual(months);
    expect(passport.unavailableMembers).toEqual([]);
  });

  it('stops counting evidence whose credential is revoked, and says why', async () => {
    const { learnerId, items } = take((list) => list.some((item) => item.achievement.skills.length > 0 && item.offering.creditBearing && MAY_APPROVE.includes(authorityOf(item.memberId) ?? '')));
    const me = await asLearner(hub.hub, learnerId);
    const item = items.find((candidate) => candidate.achievement.skills.length > 0 && candidate.offering.creditBearing && MAY_APPROVE.includes(authorityOf(candidate.memberId) ?? '')) as PassedAchievement;
    const issued = await hub.query(ISSUE, { id: item.achievement.id }, me);
    const credentialId = issued.body.data?.['issueCredential'].credential.id;
    await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Assessment fraud established") { id } }`, { id: credentialId }, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));
    const { body } = await hub.query(PASSPORT, { id: learnerId }, me);
    const skill = body.data?.['learner'].passport.skills.find((entry: { skill: { uri: string } }) => entry.skill.uri === item.achievement.skills[0]!.skillUri);
    const evidence = skill.evidence.find((entry: { achievement: { id: string } | null }) => entry.achievement?.id === item.achievement.id);
    expect(evidence).toMatchObject({ credentialId, credentialStatus: 'REVOKED', counts: false, reason: `its credential ${credentialId} is revoked` });
    const otherwise = items.some((other) => other !== item && other.achievement.skills.some((entry) => entry.skillUri === item.achievement.skills[0]!.skillUri));
    expect(skill.counts).toBe(otherwise);
  });

  it("is the learner's: another learner, an analyst, an administrator and member staff without a grant are refused; a grant opens the achievements", async () => {
    const { learnerId, items } = take();
    const other = take().learnerId;
    const staffOf = items[0]!.memberId;
    for (const headers of [await asLearner(hub.hub, other), await bearer(hub.hub, { role: 'analyst' }), await bearer(hub.hub, { role: 'alliance-admin' }), await bearer(hub.hub, { role: 'member-staff', memberId: staffOf })]) {
      const { body } = await hub.query(PASSPORT, { id: learnerId }, headers);
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    const anonymous = await hub.query(PASSPORT, { id: learnerId });
    expect(codes(anonymous.body)).toEqual(['UNAUTHENTICATED']);

    const granted = await hub.query(`mutation ($m: ID!) { grantConsent(input: { memberId: $m, purpose: RECOGNITION, scopes: [ACHIEVEMENTS] }) { status } }`, { m: staffOf }, await asLearner(hub.hub, learnerId));
    expect(granted.body.data?.['grantConsent']).toEqual({ status: 'ACTIVE' });
    const { body } = await hub.query(PASSPORT, { id: learnerId }, await bearer(hub.hub, { role: 'member-staff', memberId: staffOf }));
    expect(body.errors).toBeUndefined();
    expect(body.data?.['learner'].passport.skillCount).toBeGreaterThan(0);
    // Credentials and recognitions stay the learner's.
    for (const skill of body.data?.['learner'].passport.skills) for (const evidence of skill.evidence) expect(evidence.credentialId).toBeNull();
    expect(body.data?.['learner'].passport.externalCredentials).toEqual([]);
  });
});

describe('external credentials in the passport', () => {
  it('are verified on the way in, kept once, shown with their skills, audited, removable, and stop counting when revoked', async () => {
    const { learnerId, items } = take((list) => list.some((item) => item.offering.creditBearing && MAY_APPROVE.includes(authorityOf(item.memberId) ?? '')));
    const me = await asLearner(hub.hub, learnerId);
    const item = items.find((candidate) => candidate.offering.creditBearing && MAY_APPROVE.includes(authorityOf(candidate.memberId) ?? '')) as PassedAchievement;
    const issued = (await hub.query(ISSUE, { id: item.achievement.id }, me)).body.data?.['issueCredential'].credential;

    const added = await hub.query(ADD, { c: issued.vcJwt, key: 'passport-add-0001' }, me);
    expect(added.body.errors).toBeUndefined();
    const entry = added.body.data?.['addPassportCredential'];
    expect(entry).toMatchObject({ created: true, credential: { title: item.offering.title, ects: item.achievement.ectsAwarded } });
    expect(entry.credential.skills.length).toBeGreaterThan(0);
    const again = await hub.query(ADD, { c: issued.vcJwt }, me);
    expect(again.body.data?.['addPassportCredential']).toMatchObject({ created: false, credential: { id: entry.credential.id } });
    const trail = await hub.hub.passportService.orm.em.fork().find(PassportAudit, { entityId: entry.credential.id });
    expect(trail.map((row) => [row.action, row.actorLearnerId])).toEqual([['addPassportCredential', learnerId]]);

    const read = await hub.query(PASSPORT, { id: learnerId }, me);
    const passport = read.body.data?.['learner'].passport;
    expect(passport.externalCredentials).toEqual([{ id: entry.credential.id, title: item.offering.title, skills: entry.credential.skills }]);
    const external = passport.skills.flatMap((skill: { evidence: { kind: string; counts: boolean; externalCredential: { id: string } | null }[] }) => skill.evidence).filter((evidence: { kind: string }) => evidence.kind === 'EXTERNAL_CREDENTIAL');
    expect(external.length).toBe(entry.credential.skills.length);
    for (const evidence of external) expect(evidence).toMatchObject({ counts: true, externalCredential: { id: entry.credential.id } });

    // The GDPR export carries the passport, the added credential included.
    const exported = await fetch(`${new URL(hub.hub.gatewayUrl).origin}/learners/me/export`, { headers: me });
    const file = (await exported.json()) as { data: { passport: { skillCount: number; externalCredentials: { id: string }[] } } };
    expect(file.data.passport.externalCredentials.map((credential) => credential.id)).toEqual([entry.credential.id]);
    expect(file.data.passport.skillCount).toBe(passport.skillCount);

    await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Issued in error, replaced") { id } }`, { id: issued.id }, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));
    const after = await hub.query(PASSPORT, { id: learnerId }, me);
    const revoked = after.body.data?.['learner'].passport.skills.flatMap((skill: { evidence: { kind: string }[] }) => skill.evidence).filter((evidence: { kind: string }) => evidence.kind === 'EXTERNAL_CREDENTIAL');
    for (const evidence of revoked) expect(evidence).toMatchObject({ counts: false, reason: expect.stringContaining('no longer verifies') });

    expect((await hub.query(REMOVE, { id: entry.credential.id }, me)).body.data).toEqual({ removePassportCredential: true });
    expect((await hub.query(REMOVE, { id: entry.credential.id }, me)).body.data).toEqual({ removePassportCredential: false });
    expect((await hub.query(PASSPORT, { id: learnerId }, me)).body.data?.['learner'].passport.externalCredentials).toEqual([]);
  });

  it("refuse what does not verify, another learner's credential and callers who are not learners, adding nothing", async () => {
    const { learnerId, items } = take((list) => list.some((item) => item.offering.creditBearing && MAY_APPROVE.includes(authorityOf(item.memberId) ?? '')));
    const owner = await asLearner(hub.hub, learnerId);
    const item = items.find((candidate) => candidate.offering.creditBearing && MAY_APPROVE.includes(authorityOf(candidate.memberId) ?? '')) as PassedAchievement;
    const jwt: string = (await hub.query(ISSUE, { id: item.achievement.id }, owner)).body.data?.['issueCredential'].credential.vcJwt;
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const tampered = `${header}.${Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace(item.offering.title, 'Doctorate in Everything')).toString('base64url')}.${signature}`;
    const someoneElse = await asLearner(hub.hub, take().learnerId);
    const cases: [string, Record<string, string>, string][] = [
      ['not a credential', owner, 'BAD_USER_INPUT'],
      [tampered, owner, 'EVIDENCE_NOT_ACCEPTED'],
      [jwt, someoneElse, 'FORBIDDEN'],
      [jwt, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }), 'FORBIDDEN'],
      ['x'.repeat(1_000_001), owner, 'BAD_USER_INPUT'],
    ];
    for (const [credential, headers, code] of cases) {
      const { body } = await hub.query(ADD, { c: credential }, headers);
      expect(codes(body), code).toEqual([code]);
      expect(JSON.stringify(body.errors)).not.toMatch(/at \S+\.ts|SELECT|127\.0\.0\.1/);
    }
    const read = await hub.query(PASSPORT, { id: learnerId }, owner);
    expect(read.body.data?.['learner'].passport.externalCredentials).toEqual([]);
  });
});
