import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorityOf, everyone, passed, type PassedAchievement } from '../issuance/demo-achievements.js';
import { offlineLoader } from '../issuance/jsonld-loader.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * The passport's export (issue 12, point 1) through the gateway: ELM JSON-LD
 * that a JSON-LD processor reads in safe mode over bundled contexts only (so a
 * term it would drop fails the test), holding the passport's achievements and
 * skills; the bundle of sealed credentials, each verifying; revoked evidence
 * left out of the ELM file and shown as revoked in the bundle; the passport's
 * access rule; no more calls than the passport.
 */

const EXPORT = /* GraphQL */ `query ($id: ID!, $format: PassportExportFormat!) { learner(id: $id) { passportExport(format: $format) { format mediaType fileName content } } }`;
const PASSPORT = /* GraphQL */ `query ($id: ID!) { learner(id: $id) { passport { skills { skill { uri } counts evidence { achievement { id } counts credentialStatus } } } } }`;
const ISSUE = /* GraphQL */ `mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id vcJwt } } }`;
const VERIFY = /* GraphQL */ `query ($c: String!) { verifyCredential(credential: $c) { verified checks { check passed } } }`;
const ADD = /* GraphQL */ `mutation ($c: String!) { addPassportCredential(credential: $c) { credential { id } } }`;

const ELM = 'http://data.europa.eu/snb/model/elm/';
const ADMS_IDENTIFIER = 'http://www.w3.org/ns/adms#identifier';
const NOTATION = 'http://www.w3.org/2004/02/skos/core#notation';
const MAY_APPROVE = ['FULL', 'SEMI_PREQUALIFIED', 'MICRO_CREDENTIALS_ONLY'];
const issuable = (item: PassedAchievement) => item.offering.creditBearing && item.achievement.skills.length > 0 && MAY_APPROVE.includes(authorityOf(item.memberId) ?? '');

let hub: TestHub;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

/** Learners with passed achievements at two or more members, one an issuable one; each test takes its own. */
const byLearner = new Map<string, PassedAchievement[]>();
for (const item of passed) byLearner.set(item.learnerId, [...(byLearner.get(item.learnerId) ?? []), item]);
const learners = [...byLearner.entries()].filter(([, items]) => new Set(items.map((item) => item.memberId)).size >= 2 && items.some(issuable));
let next = 0;
const take = (fits: (items: PassedAchievement[]) => boolean = () => true) => {
  while (next < learners.length) {
    const [learnerId, items] = learners[next++] as [string, PassedAchievement[]];
    if (fits(items)) return { learnerId, items, item: items.find(issuable) as PassedAchievement };
  }
  throw new Error('no demo learner fits');
};

/** Every value of property `iri` anywhere in an expanded document. */
function valuesOf(expanded: unknown, iri: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(expanded)) for (const inner of expanded) valuesOf(inner, iri, found);
  else if (expanded && typeof expanded === 'object') {
    for (const [key, inner] of Object.entries(expanded)) {
      if (key === iri) found.push(...(inner as unknown[]));
      valuesOf(inner, iri, found);
    }
  }
  return found;
}
const ids = (values: unknown[]) => new Set(values.map((value) => (value as { '@id': string })['@id']));
const literals = (values: unknown[]) => values.map((value) => (value as { '@value': string })['@value']);

async function exported(learnerId: string, format: string, headers: Record<string, string>) {
  const { body } = await hub.query(EXPORT, { id: learnerId, format }, headers);
  expect(body.errors).toBeUndefined();
  return body.data?.['learner'].passportExport as { format: string; mediaType: string; fileName: string; content: string };
}

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('the passport as ELM JSON-LD', () => {
  it('expands in safe mode and holds every achievement with its ESCO skills, member, ECTS and EQF level, pseudonymously, in no more calls than the passport', async () => {
    const { learnerId, items } = take();
    const me = await asLearner(hub.hub, learnerId);
    await hub.query(PASSPORT, { id: learnerId }, me);
    const calls: string[] = [];
    hub.hub.passportService.observe = (call) => calls.push(call.service);
    const file = await exported(learnerId, 'ELM_JSONLD', me);
    hub.hub.passportService.observe = undefined;
    expect(calls.sort()).toEqual(['esco', 'issuance', 'learners', 'members', 'recognition']);
    expect(file).toMatchObject({ format: 'ELM_JSONLD', mediaType: 'application/ld+json', fileName: expect.stringMatching(/^eciu-passport-\d{4}-\d{2}-\d{2}\.jsonld$/) });

    const document = JSON.parse(file.content);
    // Safe mode fails on any term, type or value a processor would drop; the loader serves bundled contexts only.
    const expanded = (await jsonld.expand(document, { documentLoader: offlineLoader as never, safe: true } as never)) as unknown as Record<string, unknown>[];
    expect(expanded).toHaveLength(1);
    expect(expanded[0]).toMatchObject({ '@id': `urn:eciu:learner:${learnerId}`, '@type': [`${ELM}Person`] });
    const claims = valuesOf(expanded, `${ELM}hasClaim`) as Record<string, unknown>[];
    expect(claims).toHaveLength(items.length);
    for (const claim of claims) expect(claim['@type']).toEqual([`${ELM}LearningAchievement`]);
    expect(new Set(literals(valuesOf(valuesOf(claims, ADMS_IDENTIFIER), NOTATION)))).toEqual(new Set(items.map((item) => item.achievement.id)));
    expect(ids(valuesOf(claims, `${ELM}relatedESCOSkill`))).toEqual(new Set(items.flatMap((item) => item.achievement.skills.map((skill) => skill.skillUri))));
    expect(ids(valuesOf(claims, `${ELM}awardingBody`))).toEqual(new Set(items.map((item) => `urn:eciu:member:${item.memberId}`)));
    const credited = items.filter((item) => item.offering.creditBearing && item.achievement.ectsAwarded > 0);
    expect(literals(valuesOf(claims, `${ELM}point`)).filter((point) => point !== undefined)).toHaveLength(credited.length);
    expect(ids(valuesOf(claims, `${ELM}educationLevel`))).toEqual(new Set(items.map((item) => `http://data.europa.eu/snb/eqf/${item.offering.eqfLevel}`)));

    // Pseudonymous: none of the names, e-mails or student numbers the members hold.
    const learner = everyone.find((candidate) => candidate.id === learnerId)!;
    for (const account of learner.accounts) for (const value of [account.givenName, account.familyName, account.email, account.studentNumber]) expect(file.content).not.toContain(value);
  });

  it('leaves out evidence whose credential is revoked, which the passport lists as not counting', async () => {
    const { learnerId, item } = take();
    const me = await asLearner(hub.hub, learnerId);
    const credential = (await hub.query(ISSUE, { id: item.achievement.id }, me)).body.data?.['issueCredential'].credential;
    const before = JSON.parse((await exported(learnerId, 'ELM_JSONLD', me)).content);
    expect(JSON.stringify(before)).toContain(credential.id);
    await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Assessment fraud established") { id } }`, { id: credential.id }, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));

    const after = JSON.parse((await exported(learnerId, 'ELM_JSONLD', me)).content);
    const notations = literals(valuesOf(valuesOf(await jsonld.expand(after, { documentLoader: offlineLoader as never, safe: true } as never), ADMS_IDENTIFIER), NOTATION));
    expect(notations).not.toContain(item.achievement.id);
    expect(notations).not.toContain(credential.id);
    expect(after.hasClaim).toHaveLength(before.hasClaim.length - 1);
    const passport = (await hub.query(PASSPORT, { id: learnerId }, me)).body.data?.['learner'].passport;
    const evidence = passport.skills.flatMap((skill: { evidence: { achievement: { id: string } | null }[] }) => skill.evidence).filter((entry: { achievement: { id: string } | null }) => entry.achievement?.id === item.achievement.id);
    expect(evidence.length).toBeGreaterThan(0);
    for (const entry of evidence) expect(entry).toMatchObject({ counts: false, credentialStatus: 'REVOKED' });
  });
});

describe('the credentials bundle', () => {
  it("holds the learner's sealed credentials, each verifying, revoked ones marked, and the external credentials they added, in fewer calls than the passport", async () => {
    const credentialed = (item: PassedAchievement) => item.offering.creditBearing && MAY_APPROVE.includes(authorityOf(item.memberId) ?? '');
    const { learnerId, items } = take((list) => list.filter(credentialed).length >= 2);
    const me = await asLearner(hub.hub, learnerId);
    const [kept, revoked] = items.filter(credentialed);
    const issued = (await hub.query(ISSUE, { id: kept!.achievement.id }, me)).body.data?.['issueCredential'].credential;
    const added = (await hub.query(ADD, { c: issued.vcJwt }, me)).body.data?.['addPassportCredential'].credential;
    const withdrawn = (await hub.query(ISSUE, { id: revoked!.achievement.id }, me)).body.data?.['issueCredential'].credential;
    await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Issued in error") { id } }`, { id: withdrawn.id }, await bearer(hub.hub, { role: 'member-staff', memberId: revoked!.memberId }));

    const calls: string[] = [];
    hub.hub.passportService.observe = (call) => calls.push(call.service);
    const file = await exported(learnerId, 'CREDENTIALS_BUNDLE', me);
    hub.hub.passportService.observe = undefined;
    expect(calls.sort()).toEqual(['issuance', 'issuance', 'learners']);
    expect(file).toMatchObject({ format: 'CREDENTIALS_BUNDLE', mediaType: 'application/json', fileName: expect.stringMatching(/^eciu-credentials-\d{4}-\d{2}-\d{2}\.json$/) });

    const bundle = JSON.parse(file.content) as { format: string; learnerId: string; credentials: { id: string; kind: string; status: string; format: string; vcJwt: string | null }[] };
    expect(bundle).toMatchObject({ format: 'eciu-hub-credentials-bundle', learnerId });
    expect(bundle.credentials.map(({ id, kind, status }) => ({ id, kind, status }))).toEqual([
      { id: issued.id, kind: 'MICRO_CREDENTIAL', status: 'ACTIVE' },
      { id: withdrawn.id, kind: 'MICRO_CREDENTIAL', status: 'REVOKED' },
      { id: added.id, kind: 'EXTERNAL', status: 'VERIFIED' },
    ]);
    for (const entry of bundle.credentials) {
      expect(entry.vcJwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const { body } = await hub.query(VERIFY, { c: entry.vcJwt });
      expect(body.data?.['verifyCredential'].verified, entry.id).toBe(entry.status !== 'REVOKED');
    }
  });
});

describe('who exports a passport', () => {
  it("is the passport's rule: another learner, an analyst and staff without a grant are refused, anonymous callers asked to sign in; a grant opens the ELM file only", async () => {
    const { learnerId, items } = take();
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: items[0]!.memberId });
    for (const format of ['ELM_JSONLD', 'CREDENTIALS_BUNDLE']) {
      for (const headers of [await asLearner(hub.hub, take().learnerId), await bearer(hub.hub, { role: 'analyst' }), staff]) {
        const { body } = await hub.query(EXPORT, { id: learnerId, format }, headers);
        expect(codes(body), format).toEqual(['FORBIDDEN']);
        expect(body.data?.['learner']?.passportExport ?? null).toBeNull();
      }
      expect(codes((await hub.query(EXPORT, { id: learnerId, format })).body)).toEqual(['UNAUTHENTICATED']);
    }
    const unknown = await hub.query(EXPORT, { id: learnerId, format: 'PDF' }, await asLearner(hub.hub, learnerId));
    expect(codes(unknown.body)).toEqual(['BAD_USER_INPUT']);

    await hub.query(`mutation ($m: ID!) { grantConsent(input: { memberId: $m, purpose: RECOGNITION, scopes: [ACHIEVEMENTS] }) { status } }`, { m: items[0]!.memberId }, await asLearner(hub.hub, learnerId));
    const elm = JSON.parse((await exported(learnerId, 'ELM_JSONLD', staff)).content);
    expect(elm.hasClaim.length).toBeGreaterThan(0);
    expect(JSON.parse((await exported(learnerId, 'CREDENTIALS_BUNDLE', staff)).content).credentials).toEqual([]);
  });
});
