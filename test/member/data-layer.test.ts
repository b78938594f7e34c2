import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile, type MemberProfile } from '../../hub/alliance.js';
import { DEMO_SKILLS } from '../../hub/catalogue.js';
import { generateCatalogues, generateLearner, type DemoOffering } from '../../hub/demo.js';
import { seedDemo } from '../../hub/seed.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { compareBytes, encodeCursor } from '../../lib/pagination.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { LearningMode, OfferingOrder, OpportunityKind } from '../../subgraphs/member/enums.js';
import type { OfferingFilter } from '../../subgraphs/member/inputs.js';
import { LearnerAccount } from '../../subgraphs/member/model.js';
import { findAccountsPage, findCohortPage, findOfferingsPage } from '../../subgraphs/member/queries.js';
import { countsByOwnQuery, StatisticsDimension } from '../../subgraphs/member/statistics.js';
import { uptakeLoader } from '../../subgraphs/member/uptake.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { collationSensitiveDatabase, expectedOfferings, extraOfferings, insertOfferings } from './helpers.js';

/*
 * The member's list queries on both SQL dialects: the same data must come
 * back in the same order on SQLite and on PostgreSQL, because cursors are
 * compared byte-wise across members and in the router. PostgreSQL runs on a
 * database with a locale-aware default collation, so a missing `collate "C"`
 * shows up here.
 */

const MEMBER = 'tuni.fi';
const LEARNERS = 30;
const PAGE_SIZES = [1, 4, 100];

const catalogues = generateCatalogues();
const demoCatalogue = catalogues.get(MEMBER) as DemoOffering[];
const extras = extraOfferings(MEMBER, demoCatalogue.find((offering) => offering.id === `${MEMBER}:mm-200`) as DemoOffering);
const catalogue = [...demoCatalogue, ...extras];
/** Accounts whose ids differ from the demo's by case, so that id order depends on the collation. */
const EXTRA_ACCOUNTS = ['Zed-1', 'alpha-2', 'ZZ-3'].map((local, index) => ({
  id: `${MEMBER}:${local}`,
  givenName: 'Extra',
  familyName: `Account ${index}`,
  createdAt: new Date(Date.UTC(2025, 0, 1 + index)),
}));
const accountIds = [
  ...Array.from({ length: LEARNERS }, (_, index) => generateLearner(index, catalogues))
    .flatMap((learner) => learner.accounts)
    .filter((account) => account.memberId === MEMBER)
    .map((account) => account.id),
  ...EXTRA_ACCOUNTS.map((account) => account.id),
];

/** The demo enrolments at this member, with the account each belongs to. */
const demoEnrolments = Array.from({ length: LEARNERS }, (_, index) => generateLearner(index, catalogues))
  .flatMap((learner) => learner.accounts)
  .filter((account) => account.memberId === MEMBER)
  .flatMap((account) => account.enrolments.map((enrolment) => ({ ...enrolment, accountId: account.id, homeMemberId: account.homeMemberId })));

const SCENARIOS: { name: string; filter?: Partial<OfferingFilter>; orderBy?: OfferingOrder }[] = [
  { name: 'all offerings by title' },
  { name: 'all offerings by start date', orderBy: OfferingOrder.START_DATE },
  { name: 'a text by relevance', filter: { text: 'urban' } },
  { name: 'an accented text by relevance', filter: { text: 'KESTÄVÄ' } },
  { name: 'a text by title', filter: { text: 'cit' }, orderBy: OfferingOrder.TITLE },
  { name: 'a text by start date', filter: { text: 'ban' }, orderBy: OfferingOrder.START_DATE },
  { name: 'a LIKE wildcard taken literally', filter: { text: '100%' } },
  { name: 'an underscore taken literally', filter: { text: 'a_s' } },
  { name: 'a backslash taken literally', filter: { text: 'c\\i' } },
  { name: 'SDG 1 (not 11) by title', filter: { sdg: 1 } },
  { name: 'SDG 11 by start date', filter: { sdg: 11 }, orderBy: OfferingOrder.START_DATE },
  { name: 'a language', filter: { language: 'fi' } },
  { name: 'kinds and EQF levels', filter: { kinds: [OpportunityKind.MICRO_MODULE, OpportunityKind.CHALLENGE], eqfLevels: [5, 6] } },
  { name: 'modes and credits', filter: { modes: [LearningMode.ONLINE, LearningMode.BLENDED], creditBearing: true }, orderBy: OfferingOrder.START_DATE },
  { name: 'an ESCO skill', filter: { skillUri: DEMO_SKILLS.circularEconomy } },
  { name: 'a date range', filter: { startsOnOrAfter: '2025-01-13', startsOnOrBefore: '2026-01-12' }, orderBy: OfferingOrder.START_DATE },
  { name: 'own institution ids', filter: { institutionIds: [MEMBER] } },
  { name: "another member's institution ids", filter: { institutionIds: ['dcu.ie'] } },
];

/** What each dialect answered, compared at the end. */
const answers: Record<string, Record<string, unknown>> = {};

describe.each(DATABASE_KINDS)('member data layer on %s', (kind) => {
  let orm: MikroORM;
  let drop: () => Promise<void>;
  const answer: Record<string, unknown> = (answers[kind] = {});
  const em = () => orm.em.fork() as SqlEntityManager;

  beforeAll(async () => {
    const database = await collationSensitiveDatabase(kind);
    drop = database.drop;
    orm = await openMemberDatabase(database.target);
    await seedDemo({ members: new Map([[MEMBER, { orm, profile: memberProfile(MEMBER) as MemberProfile }]]) }, { learners: LEARNERS });
    await insertOfferings(orm, extras);
    await em().insertMany(LearnerAccount, EXTRA_ACCOUNTS as LearnerAccount[]);
  });

  afterAll(async () => {
    await orm?.close(true);
    await drop?.();
  });

  it('has entities and committed migrations that agree', async () => {
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
    expect(await orm.getMigrator().getPendingMigrations()).toEqual([]);
  });

  it('runs on a database whose plain text order is the one this dialect is tested with', async () => {
    // SQLite compares bytes; the PostgreSQL database is locale-aware, so only `collate "C"` gives byte order there.
    const rows = (await em().getConnection().execute(`select case when 'Zeta' < 'alpha' then 1 else 0 end as bytewise`)) as { bytewise: number }[];
    expect(Number(rows[0]?.bytewise)).toBe(kind === 'sqlite' ? 1 : 0);
  });

  it.each(SCENARIOS)('returns $name in the promised order at every page size', async ({ name, filter, orderBy }) => {
    const expected = expectedOfferings(catalogue, MEMBER, filter ?? {}, orderBy).map((offering) => offering.id);
    const bySize: Record<number, string[]> = {};
    for (const first of PAGE_SIZES) {
      const walked: string[] = [];
      const totals = new Set<number>();
      let after: string | null = null;
      for (let round = 0; round < 100; round += 1) {
        const page = await findOfferingsPage(em(), kind, MEMBER, { filter: (filter ?? null) as OfferingFilter | null, orderBy: orderBy ?? null, first, after });
        totals.add(page.totalCount);
        expect(page.nodes.length).toBeLessThanOrEqual(first);
        walked.push(...page.nodes.map((node) => node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(walked, `page size ${first}`).toEqual(expected);
      expect([...totals]).toEqual([expected.length]);
      bySize[first] = walked;
    }
    answer[name] = bySize;
  });

  it('answers first: 0 with the total only', async () => {
    const page = await findOfferingsPage(em(), kind, MEMBER, { filter: { sdg: 11 } as OfferingFilter, first: 0 });
    expect(page.nodes).toEqual([]);
    expect(page.totalCount).toBe(expectedOfferings(catalogue, MEMBER, { sdg: 11 }).length);
    answer['first 0'] = page.totalCount;
  });

  // Found failing: the rank of a RELEVANCE cursor is not type-checked, so a tampered cursor reaches SQL.
  it.each([
    ['a rank that is a string', ['abc', 'urban', `${MEMBER}:co-300`]],
    ['a rank that is a fraction', [0.5, 'urban', `${MEMBER}:co-300`]],
  ])('rejects a RELEVANCE cursor with %s as BAD_USER_INPUT naming "after"', async (_name, values) => {
    const after = encodeCursor(OfferingOrder.RELEVANCE, values);
    const attempt = findOfferingsPage(em(), kind, MEMBER, { filter: { text: 'urban' } as OfferingFilter, first: 3, after });
    await expect(attempt).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
  });

  it('maps every column of a row the same way on both dialects', async () => {
    const page = await findOfferingsPage(em(), kind, MEMBER, { first: 100 });
    const rows = page.nodes.map((node) => ({ ...node }));
    for (const row of rows) {
      expect(typeof row.creditBearing).toBe('boolean');
      expect(typeof row.ects).toBe('number');
      expect(typeof row.eqfLevel).toBe('number');
    }
    answer['rows'] = JSON.parse(JSON.stringify(rows));
  });

  it('pages learner accounts by id in byte order', async () => {
    const expected = [...accountIds].sort(compareBytes);
    for (const first of [3, 100]) {
      const walked: string[] = [];
      let after: string | null = null;
      for (let round = 0; round < 100; round += 1) {
        const page = await findAccountsPage(em(), kind, { first, after, learners: 'all' });
        expect(page.totalCount).toBe(expected.length);
        walked.push(...page.nodes.map((node) => node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(walked).toEqual(expected);
      answer[`accounts by ${first}`] = walked;
    }
  });

  it("pages an offering's passed achievements (its cohort) by id, for bulk issuance", async () => {
    const byOffering = new Map<string, string[]>();
    for (const enrolment of demoEnrolments) {
      if (enrolment.achievement?.passed) byOffering.set(enrolment.opportunityId, [...(byOffering.get(enrolment.opportunityId) ?? []), enrolment.achievement.id]);
    }
    const [opportunityId, ids] = [...byOffering].sort((a, b) => b[1].length - a[1].length)[0] as [string, string[]];
    const expected = [...ids].sort(compareBytes);
    // At least three, so that pages of one and of two both need a cursor.
    expect(expected.length).toBeGreaterThanOrEqual(3);
    for (const first of [1, 2, 100]) {
      const walked: string[] = [];
      let after: string | null = null;
      for (let round = 0; round < 100; round += 1) {
        const page = await findCohortPage(em(), kind, { opportunityId, passed: true, first, after });
        expect(page.totalCount).toBe(expected.length);
        walked.push(...page.nodes.map((node) => node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(walked, `page size ${first}`).toEqual(expected);
    }
    answer['cohort'] = expected;
  });

  it('counts uptake from the tables: every count it shows is the true one', async () => {
    const offeringIds = [...new Set(demoEnrolments.map((enrolment) => enrolment.opportunityId))].sort();
    const uptake = await uptakeLoader(em()).loadMany(['*', ...offeringIds]);
    const truth = (of: (enrolment: (typeof demoEnrolments)[number]) => boolean) => demoEnrolments.filter(of);
    const expected = (scope: string | null) => {
      const mine = truth((enrolment) => scope === null || enrolment.opportunityId === scope);
      const passed = mine.filter((enrolment) => enrolment.achievement?.passed);
      return {
        learners: new Set(mine.map((enrolment) => enrolment.accountId)).size,
        enrolments: mine.length,
        completed: mine.filter((enrolment) => enrolment.status === 'COMPLETED').length,
        withdrawn: mine.filter((enrolment) => enrolment.status === 'WITHDRAWN').length,
        assessed: mine.filter((enrolment) => enrolment.achievement).length,
        passed: passed.length,
        ectsAwarded: Math.round(passed.reduce((sum, enrolment) => sum + (enrolment.achievement?.ectsAwarded ?? 0), 0) * 10) / 10,
      };
    };
    let shown = 0;
    for (const [index, scope] of [null, ...offeringIds].entries()) {
      const figures = uptake[index] as unknown as Record<string, number | null>;
      expect(figures).not.toBeInstanceOf(Error);
      for (const [name, value] of Object.entries(expected(scope))) {
        if (figures[name] === null) continue;
        shown += 1;
        expect(figures[name], `${scope ?? 'catalogue'} ${name}`).toBe(value);
      }
    }
    // The catalogue's totals at least are large enough to be shown.
    expect(shown).toBeGreaterThan(5);
    answer['uptake'] = uptake;
  });

  it('counts by month and by home member in SQL, equal to the rows behind them (dates in UTC on both dialects)', async () => {
    const context = { em: em(), databaseKind: kind, memberId: MEMBER };
    const tally = (keyOf: (enrolment: (typeof demoEnrolments)[number]) => { enrolments?: string; completions?: string; passed?: string }) => {
      const expected = new Map<string, { enrolments: number; completions: number; passed: number }>();
      for (const enrolment of demoEnrolments) {
        for (const [measure, key] of Object.entries(keyOf(enrolment)) as [('enrolments' | 'completions' | 'passed'), string | undefined][]) {
          if (!key) continue;
          const counts = expected.get(key) ?? { enrolments: 0, completions: 0, passed: 0 };
          counts[measure] += 1;
          expected.set(key, counts);
        }
      }
      return expected;
    };
    const byMonth = tally((enrolment) => ({
      enrolments: enrolment.enrolledAt.toISOString().slice(0, 7),
      completions: enrolment.status === 'COMPLETED' ? enrolment.statusChangedAt.toISOString().slice(0, 7) : undefined,
      passed: enrolment.achievement?.passed ? enrolment.achievement.assessedOn.slice(0, 7) : undefined,
    }));
    const byHome = tally((enrolment) => ({
      enrolments: enrolment.homeMemberId,
      completions: enrolment.status === 'COMPLETED' ? enrolment.homeMemberId : undefined,
      passed: enrolment.achievement?.passed ? enrolment.homeMemberId : undefined,
    }));
    for (const [dimension, expected] of [[StatisticsDimension.MONTH, byMonth], [StatisticsDimension.HOME_MEMBER, byHome]] as const) {
      const rows = await countsByOwnQuery(context, dimension);
      expect(new Map(rows.map((row) => [row.keys[0], { enrolments: row.enrolments, completions: row.completions, passed: row.passed }])), dimension).toEqual(expected);
      answer[dimension] = rows;
    }
    expect(byHome.size).toBeGreaterThan(1);
  });
});

describe('both dialects', () => {
  it('answer every list identically', () => {
    expect(Object.keys(answers['sqlite'] ?? {}).length).toBeGreaterThan(SCENARIOS.length);
    expect(answers['postgresql']).toEqual(answers['sqlite']);
  });
});
