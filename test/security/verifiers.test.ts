import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogues, generateLearner, learnerId } from '../../hub/demo.js';
import { showcaseLearners } from '../../hub/seed.js';
import { openLearnersDatabase } from '../../subgraphs/learners/database.js';
import { AuditEvent } from '../../subgraphs/learners/model.js';
import { startTestHub, TEST_LEARNERS, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';

/*
 * Issue 10 fix 7: a learner's grant to a named verifier lets that verifier -
 * an organisation registered by an alliance administrator, calling with role
 * `verifier` and its id - read exactly what the grant shares, for its purpose
 * and until it expires or is revoked, across members; every look is in the
 * learner's access log. Through the gateway, as the verifier and the learner
 * would call it.
 */

let hub: TestHub;
const catalogues = generateCatalogues();
const showcase = showcaseLearners({ learners: TEST_LEARNERS }, 3) as { id: string; members: string[] }[];
const learner = showcase[0] as { id: string; members: string[] };
const other = showcase[1] as { id: string; members: string[] };
const demo = (id: string) => generateLearner(Array.from({ length: TEST_LEARNERS }, (_, i) => i).find((i) => learnerId(i) === id) as number, catalogues);
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

const VERIFIER = { id: 'https://careers.recruiting.example', name: 'Recruiting Ltd' };
const UNREGISTERED = 'did:web:unregistered.example';

const GRANT = /* GraphQL */ `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
const REVOKE = /* GraphQL */ `mutation ($id: ID!) { revokeConsent(id: $id) { status } }`;
const READ = /* GraphQL */ `
  query ($id: ID!) {
    grantToMe(id: $id) {
      id purpose scopes expiresAt sourceMembers { id }
      learner { id members { id } achievements { id grade } enrolments { id } }
    }
  }
`;
const LOG = /* GraphQL */ `
  query ($id: ID!, $first: Int, $after: String) {
    learner(id: $id) { accessLog(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { at accessorKind accessorId accessorName subject grantId purpose scopes sourceMembers { id } } } }
  }
`;

const verifier = (id = VERIFIER.id) => bearer(hub.hub, { role: 'verifier', verifierId: id, subject: 'hr-officer-7' });
const admin = () => bearer(hub.hub, { role: 'alliance-admin', subject: 'admin-anna' });

async function grant(who: { id: string }, input: Record<string, unknown>): Promise<string> {
  const { body } = await hub.query(GRANT, { input: { verifier: { name: VERIFIER.name, id: VERIFIER.id }, purpose: 'EMPLOYMENT', scopes: ['ACHIEVEMENTS'], ...input } }, await asLearner(hub.hub, who.id));
  expect(body.errors).toBeUndefined();
  return body.data?.['grantConsent'].id as string;
}

async function log(who: { id: string }, first = 100, after?: string) {
  const { body } = await hub.query(LOG, { id: who.id, first, after }, await asLearner(hub.hub, who.id));
  expect(body.errors).toBeUndefined();
  return body.data?.['learner'].accessLog as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Record<string, unknown>[] };
}

beforeAll(async () => {
  hub = await startTestHub();
  const { body } = await hub.query(`mutation ($input: RegisterVerifierInput!) { registerVerifier(input: $input) { id name active } }`, { input: VERIFIER }, await admin());
  expect(body.data?.['registerVerifier']).toEqual({ ...VERIFIER, active: true });
});
afterAll(async () => {
  await hub?.stop();
});

describe('the verifier register', () => {
  it('is kept by alliance administrators only, idempotent by id, and audited', async () => {
    const again = await hub.query(`mutation ($input: RegisterVerifierInput!) { registerVerifier(input: $input) { id name } }`, { input: VERIFIER }, await admin());
    expect(again.body.data?.['registerVerifier']).toEqual(VERIFIER);
    for (const headers of [await asLearner(hub.hub, learner.id), await verifier(), await bearer(hub.hub, { role: 'member-staff', memberId: 'tuni.fi' })]) {
      const { body } = await hub.query(`mutation { registerVerifier(input: { id: "https://evil.example", name: "Evil" }) { id } }`, {}, headers);
      expect(codes(body)).toEqual(['FORBIDDEN']);
    }
    const bad = await hub.query(`mutation { registerVerifier(input: { id: "http://plain.example", name: "Plain" }) { id } }`, {}, await admin());
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.id' });
    const list = await hub.query(`{ registeredVerifiers { totalCount nodes { id name registeredAt withdrawnAt } } }`, {}, await admin());
    expect(list.body.data?.['registeredVerifiers'].nodes).toEqual([expect.objectContaining({ ...VERIFIER, withdrawnAt: null })]);
    // The trail: one registration by the administrator (the repeat changed nothing, so it recorded nothing).
    const orm: MikroORM = await openLearnersDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'learners.sqlite') });
    try {
      const rows = await orm.em.fork().find(AuditEvent, { action: 'REGISTER_VERIFIER' });
      expect(rows.map((row) => [row.subject, row.roles, row.target])).toEqual([['admin-anna', 'alliance-admin', VERIFIER.id]]);
    } finally {
      await orm.close(true);
    }
  });
});

describe("a verifier reading under a learner's grant", () => {
  let grantId: string;
  let shared: string[];
  beforeAll(async () => {
    shared = learner.members.slice(0, 2);
    grantId = await grant(learner, { sourceMemberIds: shared, purposeDescription: 'Application for a graduate position.' });
  });

  it('lists the grant and reads exactly the scope and members granted', async () => {
    const listed = await hub.query(`{ grantsToMe { id purpose learner { id } } }`, {}, await verifier());
    expect(listed.body.data?.['grantsToMe']).toContainEqual({ id: grantId, purpose: 'EMPLOYMENT', learner: { id: learner.id } });

    const { body, text } = await hub.query(READ, { id: grantId }, await verifier());
    const read = body.data?.['grantToMe'];
    expect(read).toMatchObject({ id: grantId, purpose: 'EMPLOYMENT', scopes: ['ACHIEVEMENTS'], learner: { id: learner.id } });
    expect(new Set((read.learner.members as { id: string }[]).map((member) => member.id))).toEqual(new Set(shared));
    const expected = demo(learner.id).accounts.filter((account) => shared.includes(account.memberId)).flatMap((account) => account.enrolments.flatMap((enrolment) => (enrolment.achievement ? [enrolment.achievement.id] : [])));
    expect((read.learner.achievements as { id: string }[]).map((achievement) => achievement.id).sort()).toEqual([...expected].sort());
    // Enrolments were not granted: each shared member refuses them; the members left out are not even named.
    expect(read.learner.enrolments).toEqual([]);
    expect(new Set((body.errors ?? []).map((error) => `${String(error.extensions?.['code'])} ${String(error.extensions?.['member'])}`))).toEqual(new Set(shared.map((member) => `FORBIDDEN ${member}`)));
    for (const member of learner.members.filter((id) => !shared.includes(id))) expect(text).not.toContain(member);
  });

  it('reaches nobody else: no learner by id, no record by id, no lists, no grant to another verifier', async () => {
    const headers = await verifier();
    const probes: [string, Record<string, unknown>][] = [
      [`query ($id: ID!) { learner(id: $id) { id } }`, { id: learner.id }],
      [`query ($id: ID!) { learner(id: $id) { id } }`, { id: other.id }],
      [`query ($id: ID!) { achievement(id: $id) { id } }`, { id: demo(learner.id).accounts.flatMap((account) => account.enrolments).find((enrolment) => enrolment.achievement)?.achievement?.id }],
      [`{ learnerAccounts { totalCount } }`, {}],
      [`{ learners { totalCount } }`, {}],
    ];
    for (const [query, variables] of probes) {
      const { body } = await hub.query(query, variables, headers);
      expect(codes(body), query).toEqual(['FORBIDDEN']);
    }
    const elsewhere = await grant(other, { verifier: { name: 'Someone else', id: 'https://someone-else.example' } });
    const [theirs, unknown] = [await hub.query(READ, { id: elsewhere }, headers), await hub.query(READ, { id: '00000000-0000-4000-8000-000000000000' }, headers)];
    expect(codes(theirs.body)).toEqual(['FORBIDDEN']);
    expect(theirs.body).toEqual(unknown.body);
  });

  it("writes every look to the learner's access log (who, what, when, purpose), newest first, one page at a time", async () => {
    const before = (await log(learner)).totalCount;
    const started = Date.now();
    await hub.query(READ, { id: grantId }, await verifier());
    await hub.query(READ, { id: grantId }, await verifier());
    const after = await log(learner, 1);
    expect(after.totalCount).toBe(before + 2);
    expect(after.nodes[0]).toMatchObject({
      accessorKind: 'VERIFIER',
      accessorId: VERIFIER.id,
      accessorName: VERIFIER.name,
      subject: 'hr-officer-7',
      grantId,
      purpose: 'EMPLOYMENT',
      scopes: ['ACHIEVEMENTS'],
    });
    expect(new Set((after.nodes[0]?.['sourceMembers'] as { id: string }[]).map((member) => member.id))).toEqual(new Set(shared));
    expect(Date.parse(after.nodes[0]?.['at'] as string)).toBeGreaterThanOrEqual(started - 1_000);
    expect(after.pageInfo.hasNextPage).toBe(true);
    const next = await log(learner, 1, after.pageInfo.endCursor);
    expect(Date.parse(next.nodes[0]?.['at'] as string)).toBeLessThanOrEqual(Date.parse(after.nodes[0]?.['at'] as string));
    // Listing grants without reading records is not a look at them; and nobody else sees the log.
    await hub.query(`{ grantsToMe { id } }`, {}, await verifier());
    expect((await log(learner)).totalCount).toBe(before + 2);
    for (const headers of [await verifier(), await asLearner(hub.hub, other.id), await bearer(hub.hub, { role: 'member-staff', memberId: learner.members[0] as string }), await admin()]) {
      const { body } = await hub.query(LOG, { id: learner.id, first: 1 }, headers);
      expect(body.data?.['learner']?.accessLog ?? null).toBeNull();
      expect(codes(body)).toContain('FORBIDDEN');
    }
  });

  it("logs another member's staff reading under a grant too", async () => {
    const staffOf = learner.members[0] as string;
    const before = (await log(learner)).totalCount;
    const memberGrant = (await hub.query(GRANT, { input: { memberId: staffOf, purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] } }, await asLearner(hub.hub, learner.id))).body.data?.['grantConsent'].id as string;
    await hub.query(`query ($id: ID!) { learner(id: $id) { achievements { id } } }`, { id: learner.id }, await bearer(hub.hub, { role: 'member-staff', memberId: staffOf, subject: 'registrar-5' }));
    const after = await log(learner, 1);
    expect(after.totalCount).toBe(before + 1);
    expect(after.nodes[0]).toMatchObject({ accessorKind: 'MEMBER', accessorId: staffOf, subject: 'registrar-5', grantId: memberGrant, purpose: 'RECOGNITION' });
    await hub.query(REVOKE, { id: memberGrant }, await asLearner(hub.hub, learner.id));
  });
});

describe('what ends a verifier’s access', () => {
  const sees = async (grantId: string, headers?: Record<string, string>) => {
    const { body } = await hub.query(READ, { id: grantId }, headers ?? (await verifier()));
    return { achievements: (body.data?.['grantToMe']?.learner?.achievements ?? null) as { id: string }[] | null, codes: codes(body) };
  };

  it('sees nothing after expiry', async () => {
    const grantId = await grant(other, { expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await sees(grantId)).achievements?.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(await sees(grantId)).toEqual({ achievements: null, codes: ['FORBIDDEN'] });
    const listed = await hub.query(`{ grantsToMe { id } }`, {}, await verifier());
    expect((listed.body.data?.['grantsToMe'] as { id: string }[]).map((item) => item.id)).not.toContain(grantId);
  });

  it('sees nothing from the request after revocation', async () => {
    const grantId = await grant(other, {});
    expect((await sees(grantId)).achievements?.length).toBeGreaterThan(0);
    await hub.query(REVOKE, { id: grantId }, await asLearner(hub.hub, other.id));
    expect(await sees(grantId)).toEqual({ achievements: null, codes: ['FORBIDDEN'] });
  });

  it('opens nothing to an unregistered verifier, nor to a withdrawn one', async () => {
    const toUnregistered = await grant(other, { verifier: { name: 'Not registered', id: UNREGISTERED } });
    const refused = await sees(toUnregistered, await verifier(UNREGISTERED));
    expect(refused).toEqual({ achievements: null, codes: ['FORBIDDEN'] });

    const grantId = await grant(other, {});
    expect((await sees(grantId)).achievements?.length).toBeGreaterThan(0);
    const withdrawn = await hub.query(`mutation ($id: String!) { withdrawVerifier(id: $id, reason: "Contract ended.") { active withdrawnAt } }`, { id: VERIFIER.id }, await admin());
    expect(withdrawn.body.data?.['withdrawVerifier']).toMatchObject({ active: false });
    expect(await sees(grantId)).toEqual({ achievements: null, codes: ['FORBIDDEN'] });
    // Registered again, the learner's grant (still in force) opens the records again.
    await hub.query(`mutation ($input: RegisterVerifierInput!) { registerVerifier(input: $input) { id } }`, { input: VERIFIER }, await admin());
    expect((await sees(grantId)).achievements?.length).toBeGreaterThan(0);
  });
});
