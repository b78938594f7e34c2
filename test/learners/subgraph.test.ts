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
import { ANONYMOUS } from '../../lib/auth.js';

/*
 * The learner register in process on both dialects: learners and their links
 * to member accounts exactly as the demo generator made them, references
 * resolved in one query per batch, and ids checked before they reach SQL.
 */

const LEARNERS = 60;
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
    server = await inProcessServer(await buildLearnersSchema(), (): LearnersContext => {
      const em = orm.em.fork() as SqlEntityManager;
      return { em, databaseKind: kind, principal: ANONYMOUS, loaders: createLearnersLoaders(em) };
    });
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
});

describe('both dialects', () => {
  it('answer every learner, batch and page identically', () => {
    expect(Object.keys(answers['sqlite'] ?? {}).length).toBeGreaterThanOrEqual(4);
    expect(answers['postgresql']).toEqual(answers['sqlite']);
  });
});
