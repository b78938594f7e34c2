import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogues, generateLearner, learnerId, type DemoLearner } from '../../hub/demo.js';
import { seedDemo } from '../../hub/seed.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { compareBytes, encodeCursor } from '../../lib/pagination.js';
import type { LearnersContext } from '../../subgraphs/learners/context.js';
import { openLearnersDatabase } from '../../subgraphs/learners/database.js';
import { createLearnersLoaders } from '../../subgraphs/learners/loaders.js';
import { Learner } from '../../subgraphs/learners/model.js';
import { buildLearnersSchema } from '../../subgraphs/learners/schema.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { collationSensitiveDatabase, inProcessServer, readsFrom, recordStatements, type GraphQLResult, type InProcessServer } from '../member/helpers.js';
import type { Principal } from '../../lib/auth.js';

/*
 * The learner register in process on both dialects: learners and their links
 * to member accounts exactly as the demo generator made them, references
 * resolved in one query per batch, and ids checked before they reach SQL.
 */

const LEARNERS = 60;
const ADMIN: Principal = { kind: 'user', subject: 'admin', roles: ['alliance-admin'] };
const catalogues = generateCatalogues();
const demoLearners: DemoLearner[] = Array.from({ length: LEARNERS }, (_, index) => generateLearner(index, catalogues));
/** Learners without accounts whose ids differ by case, so that id order depends on the collation. */
const EXTRA_LEARNERS = ['Zed-learner', 'alpha-learner', 'ZZ.top_3'].map((id, index) => ({ id, createdAt: new Date(Date.UTC(2025, 5, 1 + index)) }));
const allIds = [...demoLearners.map((learner) => learner.id), ...EXTRA_LEARNERS.map((learner) => learner.id)];
const createdAt = new Map([...demoLearners, ...EXTRA_LEARNERS].map((learner) => [learner.id, learner.createdAt.toISOString()]));

/** What the register must answer for a demo learner: accounts ordered by member id (byte order). */
function servedLearner(learner: DemoLearner) {
  const accounts = [...learner.accounts].sort((a, b) => compareBytes(a.memberId, b.memberId));
  return {
    id: learner.id,
    createdAt: learner.createdAt.toISOString(),
    memberAccountIds: accounts.map((account) => account.id),
    memberAccounts: accounts.map((account) => ({ id: account.id })),
    members: accounts.map((account) => ({ id: account.memberId })),
  };
}

const LEARNER_FIELDS = /* GraphQL */ `id createdAt memberAccountIds memberAccounts { id } members { id }`;

/** What each dialect answered, compared at the end. */
const answers: Record<string, Record<string, unknown>> = {};

describe.each(DATABASE_KINDS)('learners subgraph on %s', (kind) => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  let server: InProcessServer<LearnersContext>;
  let sql: ReturnType<typeof recordStatements>;
  const answer: Record<string, unknown> = (answers[kind] = {});
  const run = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>) => server.run<T>(query, variables);

  beforeAll(async () => {
    const database = await collationSensitiveDatabase(kind);
    drop = database.drop;
    orm = await openLearnersDatabase(database.target);
    await seedDemo({ members: new Map(), learners: orm }, { learners: LEARNERS });
    await orm.em.fork().insertMany(Learner, EXTRA_LEARNERS);
    sql = recordStatements(orm);
    // Unless a test says otherwise, an alliance administrator calls: they may list and read the register.
    server = await inProcessServer(
      await buildLearnersSchema(),
      (principal): LearnersContext => {
        const em = orm.em.fork() as SqlEntityManager;
        return { em, databaseKind: kind, principal, knownMembers: null, loaders: createLearnersLoaders(em) };
      },
      ADMIN,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await orm?.close(true);
    await drop?.();
  });

  it('has entities and committed migrations that agree', async () => {
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });

  it('answers a learner by the alliance id the demo generator gave them, with their accounts and members', async () => {
    const served: unknown[] = [];
    for (const index of [0, 1, 2, 3, 21, 42, LEARNERS - 1]) {
      const learner = demoLearners[index] as DemoLearner;
      expect(learner.id).toBe(learnerId(index));
      const result = await run(/* GraphQL */ `query ($id: ID!) { learner(id: $id) { ${LEARNER_FIELDS} } }`, { id: learner.id });
      expect(result).toEqual({ data: { learner: servedLearner(learner) } });
      served.push(result.data?.['learner']);
    }
    // The first learners of the demo study at three or four members.
    expect((served[0] as { members: unknown[] }).members.length).toBeGreaterThanOrEqual(3);
    answer['learners'] = served;
  });

  it('answers null for a well-formed id nobody has', async () => {
    expect(await run(/* GraphQL */ `{ learner(id: "eciu-nobody00000") { id } }`)).toEqual({ data: { learner: null } });
  });

  it('lists no accounts for a learner without any', async () => {
    const result = await run(/* GraphQL */ `{ learner(id: "Zed-learner") { id memberAccountIds memberAccounts { id } members { id } } }`);
    expect(result).toEqual({ data: { learner: { id: 'Zed-learner', memberAccountIds: [], memberAccounts: [], members: [] } } });
  });

  it('resolves a batch of Learner references with one SQL query, null for unknown ids', async () => {
    const representations = [...allIds, 'eciu-nobody00000', 'a', "x' or '1'='1"].map((id) => ({ __typename: 'Learner', id }));
    const { result, statements } = await sql.measure(() =>
      run(/* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Learner { id createdAt } } }`, { representations }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([
      ...demoLearners.map((learner) => ({ id: learner.id, createdAt: learner.createdAt.toISOString() })),
      ...EXTRA_LEARNERS.map((learner) => ({ id: learner.id, createdAt: learner.createdAt.toISOString() })),
      null,
      null,
      null,
    ]);
    expect(statements).toHaveLength(1);
    expect(readsFrom(statements, 'learner')).toHaveLength(1);
  });

  it('loads the account links of a whole batch with one more query', async () => {
    const representations = demoLearners.map((learner) => ({ __typename: 'Learner', id: learner.id }));
    const { result, statements } = await sql.measure(() =>
      run(/* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Learner { ${LEARNER_FIELDS} } } }`, { representations }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual(demoLearners.map(servedLearner));
    expect(readsFrom(statements, 'learner')).toHaveLength(1);
    expect(readsFrom(statements, 'learner_account_link')).toHaveLength(1);
    expect(statements).toHaveLength(2);
    answer['entities'] = result.data?.['_entities'];
  });

  it('pages through all learners by id in byte order without gaps or repeats', async () => {
    const expected = [...allIds].sort(compareBytes);
    for (const first of [7, 100]) {
      const walked: string[] = [];
      const previous: boolean[] = [];
      let after: string | null = null;
      for (let round = 0; round < 100; round += 1) {
        const result: GraphQLResult = await run(
          /* GraphQL */ `query ($first: Int, $after: String) {
            learners(first: $first, after: $after) { totalCount nodes { id createdAt } pageInfo { hasNextPage hasPreviousPage endCursor } }
          }`,
          { first, after },
        );
        expect(result.errors).toBeUndefined();
        const page = result.data?.['learners'];
        expect(page.totalCount).toBe(expected.length);
        expect(page.nodes.length).toBeLessThanOrEqual(first);
        walked.push(...page.nodes.map((node: { id: string }) => node.id));
        for (const node of page.nodes as { id: string; createdAt: string }[]) expect(node.createdAt).toBe(createdAt.get(node.id));
        previous.push(page.pageInfo.hasPreviousPage);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(walked).toEqual(expected);
      expect(previous).toEqual(previous.map((_, index) => index > 0));
      answer[`learners by ${first}`] = walked;
    }
    // Upper-case ids come before lower-case ones, whatever the database's collation.
    expect(expected.indexOf('ZZ.top_3')).toBeLessThan(expected.indexOf('alpha-learner'));
  });

  it('answers first: 0 with the total only', async () => {
    const result = await run(/* GraphQL */ `{ learners(first: 0) { totalCount nodes { id } } }`);
    expect(result).toEqual({ data: { learners: { totalCount: allIds.length, nodes: [] } } });
  });

  it.each([
    ['a one-character id', 'a'],
    ['a two-character id', 'ab'],
    ['an empty id', ''],
    ['an SQL-looking id', "eciu-1' or '1'='1"],
    ['an id with a statement separator', 'eciu-1; drop table learner; --'],
    ['an id with a LIKE wildcard', 'eciu-%'],
    ['an id of 65 characters', 'e'.repeat(65)],
    ['an id of 200 characters', 'eciu-'.repeat(40)],
    ['an id starting with a dash', '-eciu-1234'],
    ['an id with a space', 'eciu 1234'],
  ])('rejects %s with BAD_USER_INPUT naming "id"', async (_name, id) => {
    const { result, statements } = await sql.measure(() => server.runRaw(/* GraphQL */ `query ($id: ID!) { learner(id: $id) { id } }`, { id }));
    const body = JSON.parse(result) as GraphQLResult;
    expect(body.data).toEqual({ learner: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'id' });
    expect(body.errors?.[0]?.message).toContain('"id"');
    expect(result).not.toMatch(/stacktrace|\.ts:\d+|\bat \S+ \(/i);
    // Refused before any SQL.
    expect(statements).toHaveLength(0);
  });

  it('accepts an id of exactly 64 characters', async () => {
    const result = await run(/* GraphQL */ `query ($id: ID!) { learner(id: $id) { id } }`, { id: 'e'.repeat(64) });
    expect(result).toEqual({ data: { learner: null } });
  });

  it.each([
    ['first over 100', { first: 101 }, 'first'],
    ['a negative first', { first: -1 }, 'first'],
    ['a malformed cursor', { after: 'not a cursor!' }, 'after'],
    ['a cursor of another list', { after: encodeCursor('TITLE', ['x', 'tuni.fi:x']) }, 'after'],
  ])('rejects %s in the learners list with BAD_USER_INPUT naming the argument', async (_name, variables, argument) => {
    const result = await run(/* GraphQL */ `query ($first: Int, $after: String) { learners(first: $first, after: $after) { totalCount } }`, variables);
    expect(result.data).toEqual({ learners: null });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(result.errors?.[0]?.message).toContain(`"${argument}"`);
  });

  describe('who may see a learner, and sharing grants', () => {
    const learner = demoLearners.find((candidate) => candidate.accounts.length >= 2) as DemoLearner;
    const other = demoLearners.find((candidate) => candidate.id !== learner.id) as DemoLearner;
    const learnerMembers = learner.accounts.map((account) => account.memberId);
    const outsider = ['tuni.fi', 'ua.pt', 'ktu.edu', 'utwente.nl', 'unitn.it', 'dcu.ie', 'aau.dk'].find((id) => !learnerMembers.includes(id)) as string;
    const asLearner = (id: string): Principal => ({ kind: 'user', subject: `sub-${id}`, roles: ['learner'], learnerId: id });
    const staffOf = (memberId: string): Principal => ({ kind: 'user', subject: `staff@${memberId}`, roles: ['member-staff'], memberId });
    const ANALYST: Principal = { kind: 'user', subject: 'analyst', roles: ['analyst'] };
    const codes = (result: GraphQLResult) => result.errors?.map((error) => error.extensions?.['code']);
    const PROFILE = /* GraphQL */ `query ($id: ID!) { learner(id: $id) { id memberAccountIds } }`;
    const SHARING = /* GraphQL */ `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Learner { id sharingWithCaller { scopes memberIds } } } }`;
    const GRANT = /* GraphQL */ `mutation ($input: GrantConsentInput!) {
      grantConsent(input: $input) { id status granteeKind granteeMember { id } verifier { name id } purpose purposeDescription scopes sourceMembers { id } expiresAt revokedAt }
    }`;
    const REVOKE = /* GraphQL */ `mutation ($id: ID!, $reason: String) { revokeConsent(id: $id, reason: $reason) { id status revokedAt revocationReason } }`;
    const grant = (input: Record<string, unknown>, as: Principal = asLearner(learner.id)) => server.run(GRANT, { input }, as);
    const sharing = async (as: Principal) => {
      const result = await server.run(SHARING, { representations: [{ __typename: 'Learner', id: learner.id }] }, as);
      return (result.data?.['_entities'] as { sharingWithCaller: unknown }[] | undefined)?.[0]?.sharingWithCaller;
    };

    it('shows a learner only to themselves, administrators and staff of members they study at', async () => {
      expect((await server.run(PROFILE, { id: learner.id }, asLearner(learner.id))).data?.['learner']).toMatchObject({ id: learner.id });
      expect((await server.run(PROFILE, { id: learner.id }, staffOf(learnerMembers[0] as string))).data?.['learner']).toMatchObject({ id: learner.id });
      for (const [caller, code] of [
        [{ kind: 'anonymous' } as Principal, 'UNAUTHENTICATED'],
        [asLearner(other.id), 'FORBIDDEN'],
        [staffOf(outsider), 'FORBIDDEN'],
        [ANALYST, 'FORBIDDEN'],
      ] as const) {
        const byId = await server.run(PROFILE, { id: learner.id }, caller);
        expect(byId.data?.['learner'], JSON.stringify(caller)).toBeNull();
        expect(codes(byId)).toEqual([code]);
        const byReference = await server.run(SHARING, { representations: [{ __typename: 'Learner', id: learner.id }] }, caller);
        expect(byReference.data?.['_entities']).toEqual([null]);
        expect(codes(byReference)).toEqual([code]);
      }
      const list = await server.run('{ learners { totalCount } }', {}, asLearner(learner.id));
      expect(codes(list)).toEqual(['FORBIDDEN']);
    });

    it('lets a learner grant, list and revoke sharing, and tells the grantee exactly while it is active', async () => {
      expect(await sharing(staffOf(outsider))).toBeUndefined();
      const granted = await grant({ memberId: outsider, purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS', 'ACHIEVEMENTS'], sourceMemberIds: [learnerMembers[0]] });
      expect(granted.errors).toBeUndefined();
      const created = granted.data?.['grantConsent'] as Record<string, any>;
      expect(created).toMatchObject({ status: 'ACTIVE', granteeKind: 'MEMBER', granteeMember: { id: outsider }, verifier: null, scopes: ['ACHIEVEMENTS'], sourceMembers: [{ id: learnerMembers[0] }], revokedAt: null });
      const days = (Date.parse(created['expiresAt']) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(179);
      expect(days).toBeLessThan(181);
      // The grantee's staff may now see the learner, and learn what is shared; other members learn nothing.
      expect(await sharing(staffOf(outsider))).toEqual([{ scopes: ['ACHIEVEMENTS'], memberIds: [learnerMembers[0]] }]);
      expect((await server.run(PROFILE, { id: learner.id }, staffOf(outsider))).data?.['learner']).toMatchObject({ id: learner.id });
      expect(await sharing(staffOf(learnerMembers[1] as string))).toEqual([]);

      const listed = await server.run(`query ($id: ID!) { learner(id: $id) { consentGrants { id status } } }`, { id: learner.id }, asLearner(learner.id));
      expect(listed.data?.['learner']).toEqual({ consentGrants: [{ id: created['id'], status: 'ACTIVE' }] });
      const byStaff = await server.run(`query ($id: ID!) { learner(id: $id) { consentGrants { id } } }`, { id: learner.id }, staffOf(outsider));
      expect(codes(byStaff)).toEqual(['FORBIDDEN']);

      // Nobody else can revoke it, nor learn it exists.
      const foreign = await server.run(REVOKE, { id: created['id'] }, asLearner(other.id));
      expect(codes(foreign)).toEqual(['NOT_FOUND']);
      const revoked = await server.run(REVOKE, { id: created['id'], reason: 'Credits recognised.' }, asLearner(learner.id));
      expect(revoked.data?.['revokeConsent']).toMatchObject({ status: 'REVOKED', revocationReason: 'Credits recognised.' });
      // Without a grant the outsider's staff cannot even see the learner.
      expect(await sharing(staffOf(outsider))).toBeUndefined();
      expect(codes(await server.run(PROFILE, { id: learner.id }, staffOf(outsider)))).toEqual(['FORBIDDEN']);
      const again = await server.run(REVOKE, { id: created['id'] }, asLearner(learner.id));
      expect((again.data?.['revokeConsent'] as Record<string, unknown>)['revokedAt']).toBe((revoked.data?.['revokeConsent'] as Record<string, unknown>)['revokedAt']);
    });

    it('ignores a grant once it has expired', async () => {
      const granted = await grant({ memberId: outsider, purpose: 'ADMISSION', scopes: ['ENROLMENTS'] });
      const id = (granted.data?.['grantConsent'] as { id: string }).id;
      expect(await sharing(staffOf(outsider))).toEqual([{ scopes: ['ENROLMENTS'], memberIds: [] }]);
      await orm.em.fork().getConnection().execute(`update consent_grant set expires_at = ? where id = ?`, [new Date(Date.now() - 1000), id]);
      expect(await sharing(staffOf(outsider))).toBeUndefined();
      const listed = await server.run(`query ($id: ID!) { learner(id: $id) { consentGrants(status: EXPIRED) { id status } } }`, { id: learner.id }, asLearner(learner.id));
      expect(listed.data?.['learner']).toEqual({ consentGrants: [{ id, status: 'EXPIRED' }] });
    });

    it('checks access against the grants in force only, by their index: a grant/revoke loop does not grow what a check reads', async () => {
      for (let round = 0; round < 25; round += 1) {
        const id = ((await grant({ memberId: outsider, purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] })).data?.['grantConsent'] as { id: string }).id;
        await server.run(REVOKE, { id }, asLearner(learner.id));
      }
      const kept = ((await grant({ memberId: outsider, purpose: 'RECOGNITION', scopes: ['ENROLMENTS'] })).data?.['grantConsent'] as { id: string }).id;
      const { result, statements } = await sql.measure(() => sharing(staffOf(outsider)));
      expect(result).toEqual([{ scopes: ['ENROLMENTS'], memberIds: [] }]);
      const read = statements.filter((statement) => /from [`"]consent_grant[`"]/.test(statement));
      expect(read.length).toBe(1);
      expect(read[0]).toMatch(/[`"]revoked_at[`"] is null/);
      expect(read[0]).toMatch(/[`"]expires_at[`"] >/);
      if (kind === 'sqlite') {
        const plan = (await orm.em.fork().getConnection().execute(`explain query plan select * from consent_grant where learner_id = ? and revoked_at is null and expires_at > ?`, [learner.id, Date.now()])) as { detail: string }[];
        expect(plan.map((step) => step.detail).join(' ')).toContain('consent_grant_in_force_index');
      }
      // The learner's own list still shows the whole history.
      const listed = await server.run(`query ($id: ID!) { learner(id: $id) { consentGrants(status: REVOKED) { id } } }`, { id: learner.id }, asLearner(learner.id));
      expect((listed.data?.['learner'] as { consentGrants: unknown[] }).consentGrants.length).toBeGreaterThanOrEqual(25);
      await server.run(REVOKE, { id: kept }, asLearner(learner.id));
    });

    it('records a grant to a named verifier', async () => {
      const granted = await grant({ verifier: { name: '  Acme Robotics GmbH ', id: 'https://acme.example/hr' }, purpose: 'EMPLOYMENT', scopes: ['ACHIEVEMENTS'] });
      expect(granted.data?.['grantConsent']).toMatchObject({ granteeKind: 'VERIFIER', granteeMember: null, verifier: { name: 'Acme Robotics GmbH', id: 'https://acme.example/hr' } });
    });

    const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    it.each([
      ['no recipient', { purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] }, 'input.memberId'],
      ['two recipients', { memberId: 'tuni.fi', verifier: { name: 'Acme', id: 'https://acme.example' }, purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] }, 'input.memberId'],
      ['a malformed member id', { memberId: "x'; drop table consent_grant; --", purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] }, 'input.memberId'],
      ['no scope', { memberId: 'tuni.fi', purpose: 'RECOGNITION', scopes: [] }, 'input.scopes'],
      ['an expiry in the past', { memberId: 'tuni.fi', purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'], expiresAt: inFuture(-1) }, 'input.expiresAt'],
      ['an expiry beyond two years', { memberId: 'tuni.fi', purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'], expiresAt: inFuture(800) }, 'input.expiresAt'],
      ['OTHER without a description', { memberId: 'tuni.fi', purpose: 'OTHER', scopes: ['ACHIEVEMENTS'] }, 'input.purposeDescription'],
      ['a description with control characters', { memberId: 'tuni.fi', purpose: 'OTHER', purposeDescription: 'line\nbreak', scopes: ['ACHIEVEMENTS'] }, 'input.purposeDescription'],
      ['a source member without the learner', { memberId: 'tuni.fi', purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'], sourceMemberIds: ['nowhere.example'] }, 'input.sourceMemberIds'],
      ['a verifier id that is no address', { verifier: { name: 'Acme', id: 'javascript:alert(1)' }, purpose: 'EMPLOYMENT', scopes: ['ACHIEVEMENTS'] }, 'input.verifier.id'],
    ])('refuses a grant with %s, naming the field', async (_label, input, argument) => {
      const before = await orm.em.fork().getConnection().execute('select count(*) as n from consent_grant');
      const result = await grant(input);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      const after = await orm.em.fork().getConnection().execute('select count(*) as n from consent_grant');
      expect(Number(after[0].n)).toBe(Number(before[0].n));
    });

    it('lets only a signed-in learner grant, for themselves', async () => {
      const input = { memberId: outsider, purpose: 'RECOGNITION', scopes: ['ACHIEVEMENTS'] };
      expect(codes(await grant(input, { kind: 'anonymous' }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await grant(input, staffOf(outsider)))).toEqual(['FORBIDDEN']);
      expect(codes(await grant(input, ADMIN))).toEqual(['FORBIDDEN']);
      expect(codes(await server.run(REVOKE, { id: 'not-a-grant' }, asLearner(learner.id)))).toEqual(['NOT_FOUND']);
    });
  });

});

describe('both dialects', () => {
  it('answer every learner, batch and page identically', () => {
    expect(Object.keys(answers['sqlite'] ?? {}).length).toBeGreaterThanOrEqual(4);
    expect(answers['postgresql']).toEqual(answers['sqlite']);
  });
});
