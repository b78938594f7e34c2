import type { MikroORM } from '@mikro-orm/core';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type GraphQLFieldResolver, type GraphQLObjectType } from 'graphql';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { seedDemo } from '../../hub/seed.js';
import { ANONYMOUS, type Principal, type Role } from '../../lib/auth.js';
import { createHttpClient } from '../../lib/http-client.js';
import { ensureHubSigner, hubKeyFiles, localHubVerifier, type HubVerifier } from '../../lib/hub-token.js';
import { quietLogger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import type { MemberContext } from '../../subgraphs/member/context.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { createMemberLoaders } from '../../subgraphs/member/loaders.js';
import { buildMemberSchema } from '../../subgraphs/member/schema.js';
import { startMemberServer } from '../../subgraphs/member/server.js';
import { SMALLEST_SHOWN } from '../../subgraphs/member/uptake.js';
import { probeMemberBehaviour, probeTokensFromKeyFiles, smallestShownOf, type ProbeResult, type ProbeTokens } from '../../subgraphs/members/probes.js';
import { MEMBER_CONTRACT_PATH } from '../../subgraphs/members/schema.js';
import { temporaryDatabase } from '../helpers/databases.js';

/*
 * The behaviour probes of `npm run member:check` against real member
 * subgraphs: one as it ships (every probe passes), the same one with a hub
 * verifier that accepts anything (the token probes fail), one whose access
 * rule and small-count rule were broken on purpose (those probes fail), and
 * one with no learners yet (the learner probe is skipped).
 */

const run = promisify(execFile);
const MEMBER = 'ua.pt';
const EMPTY_MEMBER = 'tuni.fi';
const contract = readFileSync(MEMBER_CONTRACT_PATH, 'utf8');

/** `npm run member:check -- <args>` as npm runs it: node with the tsx loader. */
async function memberCheck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'member-check.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * The misconfiguration the probes exist for: a member that reads the claims
 * of whatever token it gets (or none) without checking signature, lifetime
 * or audience.
 */
const acceptAnything: HubVerifier = {
  async verify(header) {
    const token = header?.replace(/^Bearer\s+/i, '');
    if (!token) return ANONYMOUS;
    const claims = decodeJwt(token);
    if (claims['anon'] === true) return ANONYMOUS;
    return {
      kind: 'user',
      subject: String(claims.sub),
      roles: (claims['roles'] as Role[] | undefined) ?? [],
      ...(typeof claims['eciu_learner'] === 'string' ? { learnerId: claims['eciu_learner'] } : {}),
      ...(typeof claims['eciu_member'] === 'string' ? { memberId: claims['eciu_member'] } : {}),
    };
  },
  async verifyService() {
    return 'learners';
  },
};

/** Counts straight from the tables, with nothing withheld: what a member that forgot suppression publishes. */
async function unsuppressedUptake(em: SqlEntityManager, opportunityId?: string): Promise<Record<string, number>> {
  const knex = em.getKnex();
  const scoped = (table: string) => (opportunityId ? knex(table).where('opportunity_id', opportunityId) : knex(table));
  const [enrolments] = (await scoped('enrolment').select(
    knex.raw('count(*) as enrolments'),
    knex.raw('count(distinct account_id) as learners'),
    knex.raw("sum(case when status = 'COMPLETED' then 1 else 0 end) as completed"),
    knex.raw("sum(case when status = 'WITHDRAWN' then 1 else 0 end) as withdrawn"),
  )) as Record<string, unknown>[];
  const [achievements] = (await scoped('achievement').select(knex.raw('count(*) as assessed'), knex.raw('sum(case when passed then 1 else 0 end) as passed'))) as Record<string, unknown>[];
  const number = (value: unknown) => Number(value ?? 0);
  return {
    learners: number(enrolments?.['learners']),
    enrolments: number(enrolments?.['enrolments']),
    completed: number(enrolments?.['completed']),
    withdrawn: number(enrolments?.['withdrawn']),
    assessed: number(achievements?.['assessed']),
    passed: number(achievements?.['passed']),
    ectsAwarded: 0,
  };
}

/**
 * The real member schema with two rules broken on purpose: the records asked
 * for by id are read as if the caller were the member's own staff, and
 * uptake comes unsuppressed. Served like server.ts serves the real one.
 */
async function startBrokenMember(orm: MikroORM, verifier: HubVerifier): Promise<RunningServer> {
  const schema = await buildMemberSchema();
  const field = (type: string, name: string) => (schema.getType(type) as GraphQLObjectType).getFields()[name] as { resolve?: GraphQLFieldResolver<unknown, MemberContext> };
  const asOwnStaff = (context: MemberContext): MemberContext => ({ ...context, principal: { kind: 'user', subject: 'anyone', roles: ['member-staff'], memberId: MEMBER } });
  for (const name of ['learnerAccount', 'achievement']) {
    const target = field('Query', name);
    const original = target.resolve as GraphQLFieldResolver<unknown, MemberContext>;
    target.resolve = (source, args, context, info) => original(source, args, asOwnStaff(context), info);
  }
  field('Institution', 'uptake').resolve = (_source, _args, context) => unsuppressedUptake(context.em);
  field('LearningOpportunity', 'uptake').resolve = (source, _args, context) => unsuppressedUptake(context.em, (source as { id: string }).id);
  return startGraphQLServer<MemberContext>({
    name: `member ${MEMBER} (broken)`,
    schema,
    logger: quietLogger(),
    hubAuth: { verifier, audience: MEMBER },
    context: async (_request, principal: Principal) => {
      const em = orm.em.fork() as SqlEntityManager;
      return { memberId: MEMBER, em, databaseKind: 'sqlite', principal, clock: () => new Date(), loaders: createMemberLoaders(em, MEMBER) };
    },
  });
}

let orm: MikroORM;
let emptyOrm: MikroORM;
let drops: (() => Promise<void>)[] = [];
let compliant: RunningServer;
let open: RunningServer;
let broken: RunningServer;
let empty: RunningServer;
let hubKeys: string;
let tokens: ProbeTokens;

beforeAll(async () => {
  const database = await temporaryDatabase('sqlite');
  const emptyDatabase = await temporaryDatabase('sqlite');
  drops = [database.drop, emptyDatabase.drop];
  orm = await openMemberDatabase(database.target);
  emptyOrm = await openMemberDatabase(emptyDatabase.target);
  await seedDemo({ members: new Map([[MEMBER, { orm, profile: memberProfile(MEMBER) as never }]]) }, { learners: 20 });
  // A member that has just been deployed: its catalogue, no learners yet.
  await seedDemo({ members: new Map([[EMPTY_MEMBER, { orm: emptyOrm, profile: memberProfile(EMPTY_MEMBER) as never }]]) }, { learners: 0 });
  hubKeys = mkdtempSync(join(tmpdir(), 'hub-keys-'));
  const signer = await ensureHubSigner(hubKeys);
  tokens = await probeTokensFromKeyFiles(hubKeyFiles(hubKeys), MEMBER);
  const verifier = () => localHubVerifier(signer.jwks);
  [compliant, open, broken, empty] = await Promise.all([
    startMemberServer({ memberId: MEMBER, orm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: verifier() }),
    startMemberServer({ memberId: MEMBER, orm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: acceptAnything }),
    startBrokenMember(orm, verifier()),
    startMemberServer({ memberId: EMPTY_MEMBER, orm: emptyOrm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: verifier() }),
  ]);
});
afterAll(async () => {
  await Promise.all([compliant, open, broken, empty].map((server) => server?.stop()));
  await orm?.close();
  await emptyOrm?.close();
  for (const drop of drops) await drop();
});

/** The probes' results by name; `null` tokens: probed as without --member. */
async function probe(url: string, probeTokens: ProbeTokens | null = tokens): Promise<Map<string, ProbeResult>> {
  const client = createHttpClient();
  try {
    const results = await probeMemberBehaviour(client, url, { smallestShown: SMALLEST_SHOWN, ...(probeTokens ? { tokens: probeTokens } : {}) });
    return new Map(results.map((result) => [result.probe, result]));
  } finally {
    await client.close();
  }
}

const UNSIGNED = 'refuses calls without a hub token';
const FOREIGN_KEY = "refuses a token signed by a key that is not the hub's";
const EXPIRED = 'refuses an expired hub token';
const AUDIENCE = 'refuses a hub token for another audience';
const ISOLATION = "refuses a learner reading another learner's records";
const SMALL_COUNTS = 'withholds small counts';
const TOKEN_PROBES = [UNSIGNED, FOREIGN_KEY, EXPIRED, AUDIENCE];

describe('probing what a member refuses', () => {
  it('reads the small-count threshold from the contract, the one the member subgraph applies', () => {
    expect(smallestShownOf(contract)).toBe(SMALLEST_SHOWN);
  });

  it('passes every probe on a member running this codebase', async () => {
    const results = await probe(compliant.url);
    expect([...results.keys()]).toEqual([...TOKEN_PROBES, ISOLATION, SMALL_COUNTS]);
    for (const result of results.values()) expect(result, result.probe).toMatchObject({ outcome: 'passed' });
    expect(results.get(UNSIGNED)?.reason).toBe('refused (HTTP 401 UNAUTHENTICATED).');
    expect(results.get(ISOLATION)?.reason).toMatch(/^learner \S+ asked for account ua\.pt:\S+ and achievement ua\.pt:\S+ of learner \S+: refused \(FORBIDDEN\)\.$/);
    expect(results.get(SMALL_COUNTS)?.reason).toMatch(/^no count from 1 to 9 published in \d+ figure set\(s\)/);
  });

  it('fails the token probes of a member whose hub verifier accepts anything, and still passes its data rules', async () => {
    const results = await probe(open.url);
    for (const name of TOKEN_PROBES) {
      expect(results.get(name), name).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('it answered (HTTP 200, memberContractVersion "1.'), fix: expect.any(String) });
    }
    expect(results.get(ISOLATION)?.outcome).toBe('passed');
    expect(results.get(SMALL_COUNTS)?.outcome).toBe('passed');
  });

  it("fails the isolation and small-count probes of a member whose rules were broken, naming the record and the figure", async () => {
    const results = await probe(broken.url);
    for (const name of TOKEN_PROBES) expect(results.get(name)?.outcome, name).toBe('passed');
    expect(results.get(ISOLATION)).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/the member returned account ua\.pt:\S+ and achievement ua\.pt:\S+\.$/) });
    expect(results.get(SMALL_COUNTS)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/published count\(s\) from 1 to 9 .*: ua\.pt:\S+ "[^"]+" \w+ = [1-9]\b/),
      fix: expect.stringContaining('Withhold (null) every count from 1 to 9'),
    });
  });

  it('skips the isolation probe, without passing it, on a member with fewer than two learners', async () => {
    const results = await probe(empty.url, await probeTokensFromKeyFiles(hubKeyFiles(hubKeys), EMPTY_MEMBER));
    expect(results.get(ISOLATION)).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^skipped: fewer than two learners/) });
    expect(results.get(SMALL_COUNTS)?.outcome).toBe('passed');
  });

  it('probes only the unsigned call without hub keys, and counts the rest as not probed', async () => {
    const results = await probe(open.url, null);
    expect([...results.values()].map((result) => result.outcome)).toEqual(['failed', 'failed']);
    expect([...results.values()][1]?.reason).toBe('not probed: these need tokens the hub signs.');
  });
});

describe('npm run member:check', () => {
  it('prints a ✓ line per probe and exits 0 for a compliant member', async () => {
    const result = await memberCheck(compliant.url, '--member', MEMBER, '--hub-keys', hubKeys);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const name of [...TOKEN_PROBES, ISOLATION, SMALL_COUNTS]) expect(result.stdout).toContain(`  ✓ ${name}: `);
    expect(result.stdout).not.toContain('✗');
    expect(result.stdout).toContain('✓ Compatible: the hub can route to this member, and it refuses what it must.');
  });

  it('prints a ✗ line with the fix for each failed probe and exits 1 for a member that accepts any token', async () => {
    const result = await memberCheck(open.url, '--member', MEMBER, '--hub-keys', hubKeys);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  ✓ types, fields, arguments, entity keys, contract version, ids and cursors match the contract.');
    expect(result.stdout).toMatch(/ {2}✗ refuses calls without a hub token: it answered \(HTTP 200, memberContractVersion "[\d.]+"\)\.\n {6}fix: Answer 401/);
    expect(result.stdout).toContain(`  ✓ ${ISOLATION}: `);
    expect(result.stdout).toContain('✗ Not compatible: 4 problem(s) (0 in the schema, 4 failed probe(s))');
  });

  it('marks the skipped probe with – and still exits 0 for a member without learners', async () => {
    const result = await memberCheck(empty.url, '--member', EMPTY_MEMBER, '--hub-keys', hubKeys);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`  – ${ISOLATION}: skipped: fewer than two learners`);
    expect(result.stdout).toContain('(1 probe(s) skipped, see – above)');
  });
});
