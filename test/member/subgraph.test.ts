import type { Principal } from '../../lib/auth.js';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile, type MemberProfile } from '../../hub/alliance.js';
import { DEMO_SKILLS } from '../../hub/catalogue.js';
import { generateCatalogues, generateLearner, learnerId, type DemoAccount, type DemoOffering } from '../../hub/demo.js';
import { seedDemo } from '../../hub/seed.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { compareBytes, encodeCursor } from '../../lib/pagination.js';
import type { MemberContext } from '../../subgraphs/member/context.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { cycleOfEqfLevel, EnrolmentStatus, LearningMode, OfferingOrder, OpportunityKind } from '../../subgraphs/member/enums.js';
import { gradingScheme } from '../../subgraphs/member/grading.js';
import type { OfferingFilter } from '../../subgraphs/member/inputs.js';
import { createMemberLoaders } from '../../subgraphs/member/loaders.js';
import { buildMemberSchema } from '../../subgraphs/member/schema.js';
import { temporaryDatabase } from '../helpers/databases.js';
import {
  expectedOfferings,
  extraOfferings,
  inProcessServer,
  insertOfferings,
  readsFrom,
  recordStatements,
  type GraphQLResult,
  type InProcessServer,
} from './helpers.js';

/*
 * The member subgraph in process: the schema `buildMemberSchema()` serves,
 * with the per-request context server.ts builds, over SQLite databases seeded
 * with the demo data. Expectations come from the demo generator itself.
 */

/** A member at level FULL (no external accreditation) and one at level NONE. */
const MEMBER = 'tuni.fi';
const NONE_MEMBER = 'utwente.nl';
const LEARNERS = 60;

const catalogues = generateCatalogues();
const demoCatalogue = catalogues.get(MEMBER) as DemoOffering[];
const extras = extraOfferings(MEMBER, demoCatalogue.find((offering) => offering.id === `${MEMBER}:mm-200`) as DemoOffering);
/** Every offering in the member's database. */
const catalogue = [...demoCatalogue, ...extras];
const learners = Array.from({ length: LEARNERS }, (_, index) => ({ index, learner: generateLearner(index, catalogues) }));
/** The member's learner accounts with the index of the learner they belong to. */
const accounts = learners.flatMap(({ index, learner }) =>
  learner.accounts.filter((account) => account.memberId === MEMBER).map((account) => ({ index, allianceId: learner.id, account })),
);
const enrolments = accounts.flatMap(({ account }) => account.enrolments);
const achievements = enrolments.flatMap((enrolment) => (enrolment.achievement ? [{ ...enrolment.achievement, enrolmentId: enrolment.id, opportunityId: enrolment.opportunityId }] : []));
/** Records of another member, which this member must not know. */
const foreignAccount = learners.flatMap(({ learner }) => learner.accounts).find((account) => account.memberId === NONE_MEMBER) as DemoAccount;

interface Served {
  orm: MikroORM;
  drop: () => Promise<void>;
  server: InProcessServer<MemberContext>;
  sql: ReturnType<typeof recordStatements>;
}
const served = new Map<string, Served>();
const member = (id: string) => served.get(id) as Served;
const run = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Principal) => member(MEMBER).server.run<T>(query, variables, as);

beforeAll(async () => {
  const schema = await buildMemberSchema();
  const targets = new Map<string, { orm: MikroORM; profile: MemberProfile }>();
  for (const memberId of [MEMBER, NONE_MEMBER]) {
    const database = await temporaryDatabase('sqlite');
    const orm = await openMemberDatabase(database.target);
    const context = (principal: Principal): MemberContext => {
      const em = orm.em.fork() as SqlEntityManager;
      return { memberId, em, databaseKind: 'sqlite', principal, clock: () => new Date(), loaders: createMemberLoaders(em, memberId) };
    };
    // Unless a test says otherwise, the caller is the member's own staff, who may read all its records.
    const server = await inProcessServer(schema, context, staffOf(memberId));
    served.set(memberId, { orm, drop: database.drop, server, sql: recordStatements(orm) });
    targets.set(memberId, { orm, profile: memberProfile(memberId) as MemberProfile });
  }
  await seedDemo({ members: targets }, { learners: LEARNERS });
  await insertOfferings(member(MEMBER).orm, extras);
});

afterAll(async () => {
  for (const { server, orm, drop } of served.values()) {
    await server.stop();
    await orm.close(true);
    await drop();
  }
});

const iso = (date: Date) => date.toISOString();

function staffOf(memberId: string, sharing?: Record<string, ('ACHIEVEMENTS' | 'ENROLMENTS')[]>): Principal {
  return { kind: 'user', subject: `staff@${memberId}`, roles: ['member-staff'], memberId, ...(sharing ? { sharing } : {}) };
}

describe('federation entities', () => {
  const ENTITIES = /* GraphQL */ `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Institution { id name shortName country associate accreditationAuthority website qualityAssurance { body arrangement } }
      ... on LearningOpportunity { id title ects }
      ... on LearnerAccount { id studentNumber givenName familyName email createdAt }
      ... on Enrolment { id status enrolledAt statusChangedAt }
      ... on Achievement { id assessedOn grade passed ectsAwarded supervision }
    }
  }`;
  const profile = memberProfile(MEMBER) as MemberProfile;

  /** Per @key type: the table, known ids with the data they must resolve to, an unknown id and another member's id. */
  const TYPES: { typename: string; table: string; known: () => { id: string; expected: Record<string, unknown> }[]; foreign: string }[] = [
    {
      typename: 'Institution',
      table: 'institution',
      known: () => [
        {
          id: MEMBER,
          expected: {
            id: MEMBER,
            name: profile.name,
            shortName: profile.shortName,
            country: profile.country,
            associate: profile.associate,
            accreditationAuthority: profile.accreditationAuthority,
            website: profile.website,
            qualityAssurance: { body: profile.qaBody, arrangement: profile.qaArrangement },
          },
        },
      ],
      foreign: NONE_MEMBER,
    },
    {
      typename: 'LearningOpportunity',
      table: 'learning_opportunity',
      known: () => catalogue.map((offering) => ({ id: offering.id, expected: { id: offering.id, title: offering.title, ects: offering.ects } })),
      foreign: `${NONE_MEMBER}:mm-200`,
    },
    {
      typename: 'LearnerAccount',
      table: 'learner_account',
      known: () =>
        accounts.map(({ account }) => ({
          id: account.id,
          expected: {
            id: account.id,
            studentNumber: account.studentNumber,
            givenName: account.givenName,
            familyName: account.familyName,
            email: account.email,
            createdAt: iso(account.createdAt),
          },
        })),
      foreign: foreignAccount.id,
    },
    {
      typename: 'Enrolment',
      table: 'enrolment',
      known: () =>
        enrolments.map((enrolment) => ({
          id: enrolment.id,
          expected: { id: enrolment.id, status: enrolment.status, enrolledAt: iso(enrolment.enrolledAt), statusChangedAt: iso(enrolment.statusChangedAt) },
        })),
      foreign: (foreignAccount.enrolments[0] as { id: string }).id,
    },
    {
      typename: 'Achievement',
      table: 'achievement',
      known: () =>
        achievements.map((achievement) => ({
          id: achievement.id,
          expected: {
            id: achievement.id,
            assessedOn: achievement.assessedOn,
            grade: achievement.grade,
            passed: achievement.passed,
            ectsAwarded: achievement.ectsAwarded,
            supervision: achievement.supervision,
          },
        })),
      foreign: `${NONE_MEMBER}:ach-0000000-1`,
    },
  ];

  it.each(TYPES)('resolves a batch of $typename references with one SQL query, null for unknown and foreign ids', async ({ typename, table, known, foreign }) => {
    const items = known();
    expect(items.length).toBeGreaterThan(0);
    const ids = [...items.map((item) => item.id), `${MEMBER}:unknown-1`, foreign];
    const { result, statements } = await member(MEMBER).sql.measure(() =>
      run(ENTITIES, { representations: ids.map((id) => ({ __typename: typename, id })) }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toEqual([...items.map((item) => item.expected), null, null]);
    expect(statements).toHaveLength(1);
    expect(readsFrom(statements, table)).toHaveLength(1);
  });

  it('resolves references of all five types in one call with one query per table', async () => {
    const representations = [
      { __typename: 'Achievement', id: (achievements[0] as { id: string }).id },
      { __typename: 'LearningOpportunity', id: (catalogue[0] as DemoOffering).id },
      { __typename: 'Institution', id: MEMBER },
      { __typename: 'Enrolment', id: (enrolments[0] as { id: string }).id },
      { __typename: 'LearnerAccount', id: (accounts[0] as { account: DemoAccount }).account.id },
      { __typename: 'Achievement', id: (achievements[1] as { id: string }).id },
      { __typename: 'LearningOpportunity', id: (catalogue[1] as DemoOffering).id },
      { __typename: 'Enrolment', id: (enrolments[1] as { id: string }).id },
      { __typename: 'LearnerAccount', id: (accounts[1] as { account: DemoAccount }).account.id },
    ];
    const { result, statements } = await member(MEMBER).sql.measure(() => run(ENTITIES, { representations }));
    expect(result.errors).toBeUndefined();
    expect((result.data?.['_entities'] as { id: string }[]).map((entity) => entity.id)).toEqual(representations.map((item) => item.id));
    expect(statements).toHaveLength(5);
    for (const table of ['institution', 'learning_opportunity', 'learner_account', 'enrolment', 'achievement']) {
      expect(readsFrom(statements, table)).toHaveLength(1);
    }
  });

  it('loads the nested records of a batch of accounts with one query per field', async () => {
    const { result, statements } = await member(MEMBER).sql.measure(() =>
      run(
        /* GraphQL */ `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on LearnerAccount { id enrolments { id opportunity { id learningOutcomes { position } } achievement { id acquiredSkills { level } } } }
          }
        }`,
        { representations: accounts.map(({ account }) => ({ __typename: 'LearnerAccount', id: account.id })) },
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.['_entities']).toHaveLength(accounts.length);
    // accounts, their enrolments, the enrolled offerings, their outcomes, the achievements and their skills.
    for (const table of ['learner_account', 'enrolment', 'learning_opportunity', 'learning_outcome', 'achievement', 'acquired_skill']) {
      expect(readsFrom(statements, table)).toHaveLength(1);
    }
    expect(statements).toHaveLength(6);
  });
});

/** Every field of an offering, as the member contract serves it. */
const OFFERING_FIELDS = /* GraphQL */ `
  id code title description kind microCredentialType ects workloadHours eqfLevel cycle iscedF assessmentType mode learningSetting
  qualityAssurance prerequisites supervision stackability stackableTowards sdgs languages startDate endDate enrolmentDeadline capacity
  creditBearing moreInformationUrl countries
  institution { id name country accreditationAuthority qualityAssurance { body arrangement } }
  learningOutcomes { position description skill { uri } expectedProficiency }
  externalAccreditation { reference body decidedOn validUntil url }
`;

/** What the contract must serve for a generated offering of `profile`. */
function servedOffering(offering: DemoOffering, profile: MemberProfile) {
  return {
    id: offering.id,
    code: offering.code,
    title: offering.title,
    description: offering.description,
    kind: offering.kind,
    microCredentialType: offering.microCredentialType,
    ects: offering.ects,
    workloadHours: offering.workloadHours,
    eqfLevel: offering.eqfLevel,
    cycle: cycleOfEqfLevel(offering.eqfLevel),
    iscedF: offering.iscedF,
    assessmentType: offering.assessmentType,
    mode: offering.mode,
    learningSetting: offering.learningSetting,
    qualityAssurance: offering.qualityAssurance,
    prerequisites: offering.prerequisites,
    supervision: offering.supervision,
    stackability: offering.stackability,
    stackableTowards: offering.stackableTowards,
    sdgs: offering.sdgList.split(',').map(Number),
    languages: offering.languageList.split(','),
    startDate: offering.startDate,
    endDate: offering.endDate,
    enrolmentDeadline: offering.enrolmentDeadline,
    capacity: offering.capacity,
    creditBearing: offering.creditBearing,
    moreInformationUrl: offering.moreInformationUrl,
    countries: [profile.country],
    institution: {
      id: profile.id,
      name: profile.name,
      country: profile.country,
      accreditationAuthority: profile.accreditationAuthority,
      qualityAssurance: { body: profile.qaBody, arrangement: profile.qaArrangement },
    },
    learningOutcomes: offering.outcomes.map((outcome) => ({
      position: outcome.position,
      description: outcome.description,
      skill: { uri: outcome.skillUri },
      expectedProficiency: outcome.expectedProficiency,
    })),
    externalAccreditation: offering.accreditationReference
      ? {
          reference: offering.accreditationReference,
          body: offering.accreditationBody,
          decidedOn: offering.accreditationDecidedOn,
          validUntil: offering.accreditationValidUntil,
          url: offering.accreditationUrl,
        }
      : null,
  };
}

describe('offerings: Annex I elements', () => {
  it('serves every Annex I element of every offering, as the member recorded it', async () => {
    const result = await run(/* GraphQL */ `{ offerings(first: 100) { totalCount nodes { ${OFFERING_FIELDS} } } }`);
    expect(result.errors).toBeUndefined();
    const nodes = result.data?.['offerings'].nodes as { id: string }[];
    expect(nodes).toHaveLength(catalogue.length);
    const byId = new Map(catalogue.map((offering) => [offering.id, offering]));
    for (const node of nodes) expect(node).toEqual(servedOffering(byId.get(node.id) as DemoOffering, memberProfile(MEMBER) as MemberProfile));
    // The optional elements occur both present and absent, and every cycle the demo's EQF levels allow is there.
    expect(nodes.some((node: any) => node.prerequisites !== null) && nodes.some((node: any) => node.prerequisites === null)).toBe(true);
    expect(new Set(nodes.map((node: any) => node.stackability))).toEqual(new Set(['STACKABLE', 'STAND_ALONE']));
    expect(new Set(nodes.map((node: any) => node.cycle))).toEqual(new Set(['SHORT_CYCLE', 'FIRST_CYCLE', 'SECOND_CYCLE']));
    expect(nodes.every((node: any) => node.externalAccreditation === null)).toBe(true);
  });

  it('shows an external accreditation for a member at level NONE exactly where the demo data made one', async () => {
    const profile = memberProfile(NONE_MEMBER) as MemberProfile;
    expect(profile.accreditationAuthority).toBe('NONE');
    const result = await member(NONE_MEMBER).server.run(/* GraphQL */ `{ offerings(first: 100) { nodes { ${OFFERING_FIELDS} } } }`);
    expect(result.errors).toBeUndefined();
    const expected = (catalogues.get(NONE_MEMBER) as DemoOffering[]).map((offering) => servedOffering(offering, profile));
    const nodes = result.data?.['offerings'].nodes as { id: string; externalAccreditation: unknown }[];
    expect([...nodes].sort((a, b) => compareBytes(a.id, b.id))).toEqual(expected.sort((a, b) => compareBytes(a.id, b.id)));
    const accredited = nodes.filter((node) => node.externalAccreditation !== null);
    expect(accredited.length).toBeGreaterThan(0);
    expect(accredited.length).toBeLessThan(nodes.length);
  });

  it('answers an offering by id only for ids of this member', async () => {
    const own = (catalogue[0] as DemoOffering).id;
    const result = await run(
      /* GraphQL */ `query ($own: ID!, $foreign: ID!) {
        own: offering(id: $own) { id } foreign: offering(id: $foreign) { id } malformed: offering(id: "no colon") { id }
      }`,
      { own, foreign: `${NONE_MEMBER}:mm-200` },
    );
    expect(result).toEqual({ data: { own: { id: own }, foreign: null, malformed: null } });
  });
});

interface OfferingsPage {
  totalCount: number;
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const OFFERINGS_PAGE = /* GraphQL */ `query ($filter: OfferingFilter, $orderBy: OfferingOrder, $first: Int, $after: String) {
  offerings(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function offeringsPage(variables: { filter?: Partial<OfferingFilter>; orderBy?: OfferingOrder; first?: number; after?: string | null }): Promise<OfferingsPage> {
  const result = await run<{ offerings: OfferingsPage }>(OFFERINGS_PAGE, variables);
  expect(result.errors).toBeUndefined();
  return result.data?.offerings as OfferingsPage;
}

/** Every page of an offerings list, `first` at a time. */
async function walkOfferings(filter: Partial<OfferingFilter> | undefined, orderBy: OfferingOrder | undefined, first: number) {
  const pages: OfferingsPage[] = [];
  let after: string | null = null;
  for (let round = 0; round < 100; round += 1) {
    const page = await offeringsPage({ ...(filter ? { filter } : {}), ...(orderBy ? { orderBy } : {}), first, after });
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

const ids = (offerings: readonly DemoOffering[]) => offerings.map((offering) => offering.id);

describe('offerings: filters', () => {
  const FILTERS: { name: string; filter: Partial<OfferingFilter>; count?: number }[] = [
    { name: 'a text, ignoring case and accents', filter: { text: 'ÚRBAN' } },
    { name: 'an unaccented text matching accented titles', filter: { text: 'kestava kaupunki' }, count: 2 },
    { name: 'an accented text matching unaccented titles', filter: { text: 'Sustáinable TAMPERE' }, count: 1 },
    { name: 'a text with a LIKE wildcard, taken literally', filter: { text: '100%' }, count: 1 },
    { name: 'a text with an underscore, taken literally', filter: { text: 'a_s' }, count: 1 },
    { name: 'kinds', filter: { kinds: [OpportunityKind.CHALLENGE, OpportunityKind.COURSE] } },
    { name: 'EQF levels', filter: { eqfLevels: [5, 7] } },
    { name: 'SDG 1, which must not match SDG 11', filter: { sdg: 1 }, count: 1 },
    { name: 'SDG 17', filter: { sdg: 17 } },
    { name: 'SDG 3, which must not match SDG 13', filter: { sdg: 3 }, count: 1 },
    { name: 'a language', filter: { language: 'fi' } },
    { name: 'a language listed second', filter: { language: 'sv' }, count: 1 },
    { name: 'modes', filter: { modes: [LearningMode.ONLINE, LearningMode.PRESENTIAL] } },
    { name: 'credit-bearing offerings', filter: { creditBearing: true } },
    { name: 'offerings without credits', filter: { creditBearing: false }, count: 1 },
    { name: 'an ESCO skill', filter: { skillUri: DEMO_SKILLS.workInTeams } },
    { name: 'a start date range (undated offerings excluded)', filter: { startsOnOrAfter: '2025-01-13', startsOnOrBefore: '2026-01-12' } },
    { name: 'a start date lower bound', filter: { startsOnOrAfter: '2026-06-01' } },
    { name: 'several conditions at once', filter: { text: 'urban', kinds: [OpportunityKind.MICRO_MODULE], startsOnOrBefore: '2026-12-31' } },
  ];

  it.each(FILTERS)('returns exactly the offerings matching $name', async ({ filter, count }) => {
    const expected = ids(expectedOfferings(catalogue, MEMBER, filter));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(catalogue.length);
    if (count !== undefined) expect(expected).toHaveLength(count);
    const page = await offeringsPage({ filter, first: 100 });
    expect(page.edges.map((edge) => edge.node.id)).toEqual(expected);
    expect(page.totalCount).toBe(expected.length);
  });

  it('returns offerings of one member only when filtered by institutionIds', async () => {
    const own = await offeringsPage({ filter: { institutionIds: [NONE_MEMBER, MEMBER] }, first: 100 });
    expect(own.totalCount).toBe(catalogue.length);
    const { result, statements } = await member(MEMBER).sql.measure(() => offeringsPage({ filter: { institutionIds: [NONE_MEMBER] }, first: 100 }));
    expect(result).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    // Another member's offerings are not even looked for.
    expect(statements).toHaveLength(0);
  });

  it("lists the member's own offerings under its institution", async () => {
    const result = await run(/* GraphQL */ `{ institution(id: "${MEMBER}") { offerings(filter: { kinds: [CHALLENGE] }, first: 100) { totalCount nodes { id } } } }`);
    const expected = ids(expectedOfferings(catalogue, MEMBER, { kinds: [OpportunityKind.CHALLENGE] }));
    expect(result.data?.['institution'].offerings).toEqual({ totalCount: expected.length, nodes: expected.map((id) => ({ id })) });
  });
});

describe('offerings: order', () => {
  it('orders by relevance when a text is given without orderBy', async () => {
    const filter = { text: 'urban' };
    const page = await offeringsPage({ filter, first: 100 });
    const relevance = ids(expectedOfferings(catalogue, MEMBER, filter, OfferingOrder.RELEVANCE));
    expect(page.edges.map((edge) => edge.node.id)).toEqual(relevance);
    // The case is telling: relevance differs from title order here.
    expect(relevance).not.toEqual(ids(expectedOfferings(catalogue, MEMBER, filter, OfferingOrder.TITLE)));
    const titles = page.edges.slice(0, 2).map((edge) => catalogue.find((offering) => offering.id === edge.node.id)?.sortTitle);
    expect(titles.every((title) => title?.startsWith('urban'))).toBe(true);
  });

  it('orders by title (folded, byte order) when no text is given', async () => {
    const page = await offeringsPage({ first: 100 });
    expect(page.edges.map((edge) => edge.node.id)).toEqual(ids(expectedOfferings(catalogue, MEMBER, {}, OfferingOrder.TITLE)));
    // Titles starting with æ, ø and ł (which folding keeps) sort after z in byte order; equal folded titles by id, upper case first.
    expect(page.edges.slice(-3).map((edge) => edge.node.id)).toEqual([`${MEMBER}:ac-905`, `${MEMBER}:aa-903`, `${MEMBER}:Zz-902`]);
    const kestava = page.edges.map((edge) => edge.node.id).filter((id) => /:x-90[01]$/i.test(id));
    expect(kestava).toEqual([`${MEMBER}:X-901`, `${MEMBER}:x-900`]);
  });

  it('falls back to title order when RELEVANCE is asked without a text', async () => {
    const page = await offeringsPage({ orderBy: OfferingOrder.RELEVANCE, first: 100 });
    expect(page.edges.map((edge) => edge.node.id)).toEqual(ids(expectedOfferings(catalogue, MEMBER, {}, OfferingOrder.TITLE)));
  });

  it('orders by start date with undated offerings last', async () => {
    const page = await offeringsPage({ orderBy: OfferingOrder.START_DATE, first: 100 });
    const order = page.edges.map((edge) => edge.node.id);
    expect(order).toEqual(ids(expectedOfferings(catalogue, MEMBER, {}, OfferingOrder.START_DATE)));
    const undated = catalogue.filter((offering) => !offering.startDate).map((offering) => offering.id);
    expect(undated.length).toBeGreaterThan(1);
    expect(new Set(order.slice(-undated.length))).toEqual(new Set(undated));
  });

  it('orders by title when a text is given with orderBy TITLE', async () => {
    const filter = { text: 'urban' };
    const page = await offeringsPage({ filter, orderBy: OfferingOrder.TITLE, first: 100 });
    expect(page.edges.map((edge) => edge.node.id)).toEqual(ids(expectedOfferings(catalogue, MEMBER, filter, OfferingOrder.TITLE)));
  });
});

describe('offerings: pagination', () => {
  const WALKS: { name: string; filter?: Partial<OfferingFilter>; orderBy?: OfferingOrder; first: number }[] = [
    { name: 'by title', first: 3 },
    { name: 'by relevance', filter: { text: 'urban' }, first: 2 },
    { name: 'by start date', orderBy: OfferingOrder.START_DATE, first: 4 },
    { name: 'by start date, filtered', filter: { sdg: 11 }, orderBy: OfferingOrder.START_DATE, first: 1 },
  ];

  it.each(WALKS)('walks the list $name page by page without gaps or repeats', async ({ filter, orderBy, first }) => {
    const pages = await walkOfferings(filter, orderBy, first);
    const walked = pages.flatMap((page) => page.edges.map((edge) => edge.node.id));
    const expected = ids(expectedOfferings(catalogue, MEMBER, filter ?? {}, orderBy));
    expect(walked).toEqual(expected);
    expect(pages.length).toBe(Math.ceil(expected.length / first));
    for (const page of pages) {
      expect(page.totalCount).toBe(expected.length);
      expect(page.edges.length).toBeLessThanOrEqual(first);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]?.cursor);
    }
    expect(pages.map((page) => page.pageInfo.hasPreviousPage)).toEqual(pages.map((_, index) => index > 0));
    expect(pages.map((page) => page.pageInfo.hasNextPage)).toEqual(pages.map((_, index) => index < pages.length - 1));
  });

  it('answers first: 0 with the total and no items', async () => {
    const page = await offeringsPage({ filter: { sdg: 11 }, first: 0 });
    expect(page.totalCount).toBe(expectedOfferings(catalogue, MEMBER, { sdg: 11 }).length);
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: false, startCursor: null, endCursor: null });
  });

  it('uses the default page size of 20 without first', async () => {
    const result = await run(/* GraphQL */ `{ offerings { totalCount nodes { id } } }`);
    expect(result.data?.['offerings'].nodes).toHaveLength(Math.min(20, catalogue.length));
  });

  it.each([
    ['a TITLE cursor', OfferingOrder.TITLE, OfferingOrder.START_DATE, undefined],
    ['a START_DATE cursor', OfferingOrder.START_DATE, OfferingOrder.TITLE, undefined],
    ['a RELEVANCE cursor', OfferingOrder.RELEVANCE, OfferingOrder.TITLE, 'urban'],
  ])('rejects %s in a list of another order', async (_name, from, to, text) => {
    const filter = text ? { text } : undefined;
    const first = await offeringsPage({ ...(filter ? { filter } : {}), orderBy: from, first: 2 });
    const cursor = first.pageInfo.endCursor as string;
    const result = await run(OFFERINGS_PAGE, { ...(filter ? { filter } : {}), orderBy: to, after: cursor });
    expect(result.data?.['offerings']).toBeNull();
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
  });
});

describe('offerings: bad input', () => {
  const BAD: { name: string; variables: Record<string, unknown>; argument: string }[] = [
    { name: 'first over 100', variables: { first: 101 }, argument: 'first' },
    { name: 'a negative first', variables: { first: -1 }, argument: 'first' },
    { name: 'a one-character text', variables: { filter: { text: 'u' } }, argument: 'filter.text' },
    { name: 'a text of one character between spaces', variables: { filter: { text: '   u   ' } }, argument: 'filter.text' },
    { name: 'an over-long text', variables: { filter: { text: 'x'.repeat(201) } }, argument: 'filter.text' },
    { name: 'SDG 18', variables: { filter: { sdg: 18 } }, argument: 'filter.sdg' },
    { name: 'SDG 0', variables: { filter: { sdg: 0 } }, argument: 'filter.sdg' },
    { name: 'a language that is no ISO 639-1 code', variables: { filter: { language: 'english' } }, argument: 'filter.language' },
    { name: 'an upper-case language', variables: { filter: { language: 'EN' } }, argument: 'filter.language' },
    { name: 'an EQF level 9', variables: { filter: { eqfLevels: [6, 9] } }, argument: 'filter.eqfLevels' },
    { name: 'a skill that is no URI', variables: { filter: { skillUri: "x' or 1=1 --" } }, argument: 'filter.skillUri' },
    { name: 'an inverted date range', variables: { filter: { startsOnOrAfter: '2026-01-02', startsOnOrBefore: '2026-01-01' } }, argument: 'filter.startsOnOrAfter' },
    { name: 'a malformed cursor', variables: { after: 'not a cursor!' }, argument: 'after' },
    { name: 'a well-formed cursor of another list', variables: { after: encodeCursor('ID', ['tuni.fi:lrn-1']) }, argument: 'after' },
    { name: 'a cursor with a wrong number of values', variables: { after: encodeCursor('TITLE', ['urban']) }, argument: 'after' },
    // Found failing: the length is checked before accents are removed, so these search with "" or "a" and match everything.
    { name: 'a text of accents only', variables: { filter: { text: '´´' } }, argument: 'filter.text' },
    { name: 'a text of one letter once accents are ignored', variables: { filter: { text: 'a\u0301' } }, argument: 'filter.text' },
    // Found failing: a tampered RELEVANCE cursor whose rank is no integer reaches SQL (wrong page on SQLite, SQL error on PostgreSQL).
    {
      name: 'a RELEVANCE cursor whose rank is not an integer',
      variables: { filter: { text: 'urban' }, after: encodeCursor('RELEVANCE', ['abc', 'urban', `${MEMBER}:co-300`]) },
      argument: 'after',
    },
  ];

  it.each(BAD)('rejects $name with BAD_USER_INPUT naming the argument and no stack trace', async ({ variables, argument }) => {
    const raw = await member(MEMBER).server.runRaw(OFFERINGS_PAGE, variables);
    const result = JSON.parse(raw) as GraphQLResult;
    expect(result.data?.['offerings']).toBeNull();
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors ?? [];
    expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect(error?.message).toContain(`"${argument}"`);
    expect(raw).not.toMatch(/stacktrace|exception|\.ts:\d+|\bat \S+ \(/i);
  });

  it('rejects first over 100 in a member institution’s offerings and in learnerAccounts too', async () => {
    const result = await run(/* GraphQL */ `{ institution(id: "${MEMBER}") { offerings(first: 101) { totalCount } } learnerAccounts(first: 101) { totalCount } }`);
    expect(result.errors?.map((error) => error.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', argument: 'first' },
      { code: 'BAD_USER_INPUT', argument: 'first' },
    ]);
  });
});

describe('learner records', () => {
  const ACCOUNT = /* GraphQL */ `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on LearnerAccount {
        id
        learner { id }
        institution { id }
        enrolments { id status opportunity { id } learnerAccount { id } achievement { id } }
        completed: enrolments(status: COMPLETED) { id }
        enrolled: enrolments(status: ENROLLED) { id }
        achievements {
          id grade passed ectsAwarded assessedOn supervision
          gradingScheme { code description }
          acquiredSkills { skill { uri } level }
          enrolment { id status achievement { id } }
          opportunity { id }
          learnerAccount { id }
        }
        passed: achievements(passed: true) { id }
        failed: achievements(passed: false) { id }
      }
    }
  }`;

  it('serves every account with its enrolments and achievements as the generator made them', async () => {
    const result = await run(ACCOUNT, { representations: accounts.map(({ account }) => ({ __typename: 'LearnerAccount', id: account.id })) });
    expect(result.errors).toBeUndefined();
    const served = result.data?.['_entities'] as any[];
    const scheme = gradingScheme((memberProfile(MEMBER) as MemberProfile).gradingScheme);
    accounts.forEach(({ account, allianceId }, position) => {
      // Oldest first, as the contract says; ties by id.
      const inOrder = [...account.enrolments].sort((a, b) => a.enrolledAt.getTime() - b.enrolledAt.getTime() || compareBytes(a.id, b.id));
      const assessed = inOrder.flatMap((enrolment) => (enrolment.achievement ? [{ enrolment, achievement: enrolment.achievement }] : []));
      assessed.sort((a, b) => compareBytes(a.achievement.assessedOn, b.achievement.assessedOn) || compareBytes(a.achievement.id, b.achievement.id));
      const withStatus = (status: EnrolmentStatus) => inOrder.filter((enrolment) => enrolment.status === status).map((enrolment) => ({ id: enrolment.id }));
      expect(served[position]).toEqual({
        id: account.id,
        learner: { id: allianceId },
        institution: { id: MEMBER },
        enrolments: inOrder.map((enrolment) => ({
          id: enrolment.id,
          status: enrolment.status,
          opportunity: { id: enrolment.opportunityId },
          learnerAccount: { id: account.id },
          achievement: enrolment.achievement ? { id: enrolment.achievement.id } : null,
        })),
        completed: withStatus(EnrolmentStatus.COMPLETED),
        enrolled: withStatus(EnrolmentStatus.ENROLLED),
        achievements: assessed.map(({ enrolment, achievement }) => ({
          id: achievement.id,
          grade: achievement.grade,
          passed: achievement.passed,
          ectsAwarded: achievement.ectsAwarded,
          assessedOn: achievement.assessedOn,
          supervision: achievement.supervision,
          gradingScheme: { code: scheme.code, description: scheme.description },
          acquiredSkills: achievement.skills.map((skill) => ({ skill: { uri: skill.skillUri }, level: skill.level })),
          enrolment: { id: enrolment.id, status: EnrolmentStatus.COMPLETED, achievement: { id: achievement.id } },
          opportunity: { id: enrolment.opportunityId },
          learnerAccount: { id: account.id },
        })),
        passed: assessed.filter(({ achievement }) => achievement.passed).map(({ achievement }) => ({ id: achievement.id })),
        failed: assessed.filter(({ achievement }) => !achievement.passed).map(({ achievement }) => ({ id: achievement.id })),
      });
    });
    // The demo gives this member passed and failed assessments, and enrolments in several states.
    expect(served.some((account) => account.passed.length > 0)).toBe(true);
    expect(served.some((account) => account.failed.length > 0)).toBe(true);
    expect(served.some((account) => account.achievements.some((achievement: any) => achievement.acquiredSkills.length > 0))).toBe(true);
    expect(new Set(served.flatMap((account) => account.enrolments.map((enrolment: any) => enrolment.status))).size).toBeGreaterThanOrEqual(3);
  });

  it('links each account to the alliance learner id the demo generator gave it', async () => {
    const result = await run(/* GraphQL */ `{ learnerAccounts(first: 100) { nodes { id createdAt givenName learner { id } } } }`);
    type Node = { id: string; createdAt: string; givenName: string; learner: { id: string } };
    const served = new Map((result.data?.['learnerAccounts'].nodes as Node[]).map((node) => [node.id, node]));
    expect(served.size).toBe(accounts.length);
    for (const { account, index } of accounts) {
      expect(served.get(account.id)).toEqual({ id: account.id, createdAt: iso(account.createdAt), givenName: account.givenName, learner: { id: learnerId(index) } });
    }
  });

  it('pages through learner accounts by id without gaps or repeats', async () => {
    const expected = accounts.map(({ account }) => account.id).sort(compareBytes);
    const walked: string[] = [];
    let after: string | null = null;
    for (let round = 0; round < 50; round += 1) {
      const result: GraphQLResult = await run(
        /* GraphQL */ `query ($after: String) { learnerAccounts(first: 4, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const page = result.data?.['learnerAccounts'];
      expect(page.totalCount).toBe(expected.length);
      walked.push(...page.nodes.map((node: { id: string }) => node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(expected);
    expect(expected.length).toBeGreaterThan(8);
  });

  it('answers records by id for this member only', async () => {
    const { account } = accounts[0] as { account: DemoAccount };
    const enrolment = account.enrolments[0] as { id: string };
    const achievement = achievements[0] as { id: string };
    const result = await run(
      /* GraphQL */ `query ($account: ID!, $enrolment: ID!, $achievement: ID!, $foreign: ID!) {
        learnerAccount(id: $account) { id } enrolment(id: $enrolment) { id } achievement(id: $achievement) { id }
        foreignAccount: learnerAccount(id: $foreign) { id } unknown: achievement(id: "tuni.fi:ach-none") { id } malformed: enrolment(id: "x") { id }
      }`,
      { account: account.id, enrolment: enrolment.id, achievement: achievement.id, foreign: foreignAccount.id },
    );
    expect(result).toEqual({
      data: {
        learnerAccount: { id: account.id },
        enrolment: { id: enrolment.id },
        achievement: { id: achievement.id },
        foreignAccount: null,
        unknown: null,
        malformed: null,
      },
    });
  });
});

describe('who may read learner records (entity references included)', () => {
  const withAchievements = accounts.filter(({ account }) => account.enrolments.some((enrolment) => enrolment.achievement));
  const [mine, theirs] = withAchievements as [(typeof accounts)[number], (typeof accounts)[number]];
  const achievementOf = (entry: (typeof accounts)[number]) =>
    entry.account.enrolments.find((enrolment) => enrolment.achievement)?.achievement?.id as string;
  const learnerCalling = (allianceId: string): Principal => ({ kind: 'user', subject: `sub-${allianceId}`, roles: ['learner'], learnerId: allianceId });
  const OTHER_STAFF = staffOf(NONE_MEMBER);
  const ANALYST: Principal = { kind: 'user', subject: 'analyst', roles: ['analyst'] };
  const ADMIN: Principal = { kind: 'user', subject: 'admin', roles: ['alliance-admin'] };
  const ANONYMOUS_CALLER: Principal = { kind: 'anonymous' };

  const ACCOUNT = /* GraphQL */ `query ($id: ID!) { learnerAccount(id: $id) { id givenName familyName achievements { id grade } } }`;
  const ENTITIES = /* GraphQL */ `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on LearnerAccount { id givenName email }
      ... on Achievement { id grade learnerAccount { givenName } }
      ... on Enrolment { id status }
    }
  }`;
  const code = (result: GraphQLResult) => result.errors?.map((error) => error.extensions?.['code']);
  const representations = (entry: (typeof accounts)[number]) => [
    { __typename: 'LearnerAccount', id: entry.account.id },
    { __typename: 'Achievement', id: achievementOf(entry) },
    { __typename: 'Enrolment', id: (entry.account.enrolments[0] as DemoEnrolmentLike).id },
  ];
  type DemoEnrolmentLike = { id: string };

  it('refuses anonymous callers with UNAUTHENTICATED, by id, by reference and in lists', async () => {
    const byId = await run(ACCOUNT, { id: mine.account.id }, ANONYMOUS_CALLER);
    expect(byId.data?.['learnerAccount']).toBeNull();
    expect(code(byId)).toEqual(['UNAUTHENTICATED']);
    const references = await run(ENTITIES, { representations: representations(mine) }, ANONYMOUS_CALLER);
    expect(references.data?.['_entities']).toEqual([null, null, null]);
    expect(new Set(code(references))).toEqual(new Set(['UNAUTHENTICATED']));
    const list = await run('{ learnerAccounts { totalCount } }', {}, ANONYMOUS_CALLER);
    expect(list.data?.['learnerAccounts']).toBeNull();
    expect(code(list)).toEqual(['UNAUTHENTICATED']);
  });

  it('shows a learner their own records and only theirs', async () => {
    const own = await run(ACCOUNT, { id: mine.account.id }, learnerCalling(mine.allianceId));
    expect(own.errors).toBeUndefined();
    expect(own.data?.['learnerAccount']).toMatchObject({ id: mine.account.id, givenName: mine.account.givenName });
    const ownReferences = await run(ENTITIES, { representations: representations(mine) }, learnerCalling(mine.allianceId));
    expect(ownReferences.errors).toBeUndefined();
    expect((ownReferences.data?.['_entities'] as unknown[]).every((entity) => entity !== null)).toBe(true);
    const list = await run<{ learnerAccounts: { totalCount: number; nodes: { id: string }[] } }>(
      '{ learnerAccounts(first: 100) { totalCount nodes { id } } }',
      {},
      learnerCalling(mine.allianceId),
    );
    expect(list.data?.learnerAccounts).toEqual({ totalCount: 1, nodes: [{ id: mine.account.id }] });
  });

  it("refuses a learner another learner's records with FORBIDDEN and nothing of theirs", async () => {
    const caller = learnerCalling(mine.allianceId);
    const raw = await member(MEMBER).server.runRaw(ACCOUNT, { id: theirs.account.id }, caller);
    const byId = JSON.parse(raw) as GraphQLResult;
    expect(byId.data?.['learnerAccount']).toBeNull();
    expect(code(byId)).toEqual(['FORBIDDEN']);
    const references = await member(MEMBER).server.runRaw(ENTITIES, { representations: representations(theirs) }, caller);
    expect((JSON.parse(references) as GraphQLResult).data?.['_entities']).toEqual([null, null, null]);
    for (const text of [raw, references]) {
      expect(text).not.toContain(theirs.account.givenName);
      expect(text).not.toContain(theirs.account.email);
      expect(text).not.toMatch(/stack|select |\/work\//i);
    }
  });

  it("refuses another member's staff without sharing, and serves exactly the shared scope with it", async () => {
    const without = await run(ENTITIES, { representations: representations(mine) }, OTHER_STAFF);
    expect(without.data?.['_entities']).toEqual([null, null, null]);
    expect(new Set(code(without))).toEqual(new Set(['FORBIDDEN']));
    expect(without.errors?.[0]?.message).toContain(`Staff of ${NONE_MEMBER}`);

    const sharingAchievements = staffOf(NONE_MEMBER, { [mine.allianceId]: ['ACHIEVEMENTS'] });
    const shared = await run(ENTITIES, { representations: representations(mine) }, sharingAchievements);
    const [account, achievement, enrolment] = shared.data?.['_entities'] as unknown[];
    expect(account).toMatchObject({ id: mine.account.id, givenName: mine.account.givenName });
    expect(achievement).toMatchObject({ id: achievementOf(mine), learnerAccount: { givenName: mine.account.givenName } });
    // Enrolments were not shared.
    expect(enrolment).toBeNull();
    expect(code(shared)).toEqual(['FORBIDDEN']);

    // Sharing by one learner opens nothing of another.
    const other = await run(ENTITIES, { representations: representations(theirs) }, sharingAchievements);
    expect(other.data?.['_entities']).toEqual([null, null, null]);
    // A list shows the other member's staff only the learners who share with it.
    const list = await run<{ learnerAccounts: { nodes: { id: string }[] } }>('{ learnerAccounts(first: 100) { nodes { id } } }', {}, sharingAchievements);
    expect(list.data?.learnerAccounts.nodes).toEqual([{ id: mine.account.id }]);
  });

  it('never shows analysts or alliance administrators a person’s record', async () => {
    for (const [caller, message] of [
      [ANALYST, /aggregates only/],
      [ADMIN, /do not read learners' records/],
    ] as const) {
      const byId = await run(ACCOUNT, { id: mine.account.id }, caller);
      expect(byId.data?.['learnerAccount']).toBeNull();
      expect(code(byId)).toEqual(['FORBIDDEN']);
      expect(byId.errors?.[0]?.message).toMatch(message);
      const references = await run(ENTITIES, { representations: representations(mine) }, caller);
      expect(references.data?.['_entities']).toEqual([null, null, null]);
      const list = await run('{ learnerAccounts { totalCount } }', {}, caller);
      expect(code(list)).toEqual(['FORBIDDEN']);
    }
  });

  it('lets its own staff read every record', async () => {
    const references = await run(ENTITIES, { representations: [...representations(mine), ...representations(theirs)] }, staffOf(MEMBER));
    expect(references.errors).toBeUndefined();
    expect((references.data?.['_entities'] as unknown[]).every((entity) => entity !== null)).toBe(true);
  });
});

describe('memberStatistics (the counts the analytics service publishes)', () => {
  const STATISTICS = /* GraphQL */ `{ memberStatistics(groupBy: [KIND, TERM]) { member keys enrolments completions passed ectsAwarded } }`;

  it('counts this member\'s enrolments by offering attributes, equal to the rows behind them', async () => {
    const result = await run<{ memberStatistics: { member: string; keys: string[]; enrolments: number; completions: number; passed: number }[] }>(STATISTICS, {}, { kind: 'user', subject: 'analyst@eciu.eu', roles: ['analyst'] });
    expect(result.errors).toBeUndefined();
    const rows = result.data?.memberStatistics ?? [];
    expect(rows.every((row) => row.member === MEMBER && row.keys.length === 2)).toBe(true);
    const knex = (member(MEMBER).orm.em.fork() as SqlEntityManager).getKnex();
    const [{ n }] = (await knex('enrolment').count({ n: '*' })) as [{ n: number }];
    expect(rows.reduce((sum, row) => sum + row.enrolments, 0)).toBe(Number(n));
    const [{ p }] = (await knex('achievement').where('passed', true).count({ p: '*' })) as [{ p: number }];
    expect(rows.reduce((sum, row) => sum + row.passed, 0)).toBe(Number(p));
  });

  it('is refused to learners, other members\' staff and anonymous callers, and takes each dimension once', async () => {
    for (const principal of [{ kind: 'user', subject: 'l', roles: ['learner'], learnerId: 'eciu-x' }, staffOf(NONE_MEMBER)] as Principal[]) {
      const result = await run(STATISTICS, {}, principal);
      expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
    expect((await run(STATISTICS, {}, { kind: 'anonymous' })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const twice = await run(`{ memberStatistics(groupBy: [KIND, KIND]) { member } }`, {}, staffOf(MEMBER));
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'groupBy' });
    // Month, home member and SDG are counted by queries of their own.
    const mixed = await run(`{ memberStatistics(groupBy: [MONTH, KIND]) { member } }`, {}, staffOf(MEMBER));
    expect(mixed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'groupBy' });
    expect(mixed.errors?.[0]?.message).toMatch(/MONTH is counted on its own/);
    for (const principal of [{ kind: 'user', subject: 'l', roles: ['learner'], learnerId: 'eciu-x' }, staffOf(NONE_MEMBER)] as Principal[]) {
      expect((await run(`{ memberSkillCounts { skillUri awards } }`, {}, principal)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
    // The corrections feed: the issuance service (alliance administrators' identity) and this member's staff only.
    const corrections = `{ achievementCorrections(since: "2020-01-01T00:00:00Z") { achievementId revision } }`;
    for (const principal of [{ kind: 'user', subject: 'l', roles: ['learner'], learnerId: 'eciu-x' }, staffOf(NONE_MEMBER), { kind: 'user', subject: 'a', roles: ['analyst'] }] as Principal[]) {
      expect((await run(corrections, {}, principal)).errors?.[0]?.extensions?.['code'], principal.kind === 'user' ? principal.roles[0] : 'anonymous').toBe('FORBIDDEN');
    }
    expect((await run(corrections, {}, { kind: 'anonymous' })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect((await run(corrections, {}, { kind: 'user', subject: 'service:issuance', roles: ['alliance-admin'] })).errors).toBeUndefined();
    expect((await run(corrections, {}, staffOf(MEMBER))).errors).toBeUndefined();
  });

  it('takes the home member only as a member id when an application makes an account', async () => {
    const offering = (await run<{ offerings: { nodes: { id: string; languages: string[] }[] } }>(`{ offerings(first: 1) { nodes { id languages } } }`, {}, { kind: 'anonymous' })).data?.offerings.nodes[0];
    const learner: Principal = { kind: 'user', subject: 'new', roles: ['learner'], learnerId: 'eciu-homemember01' };
    const applied = await run(
      `mutation ($input: EnrolmentApplicationInput!, $home: String) { submitEnrolmentApplication(input: $input, homeMember: $home) { created } }`,
      { input: { opportunityId: offering?.id, language: offering?.languages[0], applicant: { givenName: 'A', familyName: 'B', email: 'a.b@example.org' } }, home: 'DROP TABLE' },
      learner,
    );
    expect(applied.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'homeMember' });
  });

  it('counts by month, by home member and by SDG, and skill awards, each adding up to the rows behind them', async () => {
    type Row = { keys: string[]; enrolments: number; completions: number; passed: number };
    const analystPrincipal: Principal = { kind: 'user', subject: 'analyst@eciu.eu', roles: ['analyst'] };
    const knex = (member(MEMBER).orm.em.fork() as SqlEntityManager).getKnex();
    const [{ n }] = (await knex('enrolment').count({ n: '*' })) as [{ n: number }];
    const [{ c }] = (await knex('enrolment').where('status', 'COMPLETED').count({ c: '*' })) as [{ c: number }];
    const [{ p }] = (await knex('achievement').where('passed', true).count({ p: '*' })) as [{ p: number }];
    for (const dimension of ['MONTH', 'HOME_MEMBER']) {
      const rows = (await run<{ memberStatistics: Row[] }>(`{ memberStatistics(groupBy: [${dimension}]) { keys enrolments completions passed } }`, {}, analystPrincipal)).data?.memberStatistics ?? [];
      expect(rows.reduce((sum, row) => sum + row.enrolments, 0), dimension).toBe(Number(n));
      expect(rows.reduce((sum, row) => sum + row.completions, 0), dimension).toBe(Number(c));
      expect(rows.reduce((sum, row) => sum + row.passed, 0), dimension).toBe(Number(p));
      if (dimension === 'MONTH') expect(rows.every((row) => /^\d{4}-\d{2}$/.test(row.keys[0] as string)), JSON.stringify(rows.map((row) => row.keys))).toBe(true);
      else expect(rows.every((row) => /^[a-z0-9.-]+\.[a-z]+$/.test(row.keys[0] as string))).toBe(true);
    }
    // By month: the enrolments of a month are those enrolled in it.
    const month = (await run<{ memberStatistics: Row[] }>(`{ memberStatistics(groupBy: [MONTH]) { keys enrolments } }`, {}, analystPrincipal)).data?.memberStatistics ?? [];
    const dates = (await knex('enrolment').select('enrolled_at')) as { enrolled_at: number | string }[];
    const first = month[0] as Row;
    expect(first.enrolments).toBe(dates.filter((row) => new Date(typeof row.enrolled_at === 'string' && /^\d+$/.test(row.enrolled_at) ? Number(row.enrolled_at) : row.enrolled_at).toISOString().slice(0, 7) === first.keys[0]).length);
    // By SDG: an offering counts under each of its SDGs.
    const sdg = (await run<{ memberStatistics: Row[] }>(`{ memberStatistics(groupBy: [SDG]) { keys enrolments } }`, {}, analystPrincipal)).data?.memberStatistics ?? [];
    const offerings = (await knex('learning_opportunity as o').leftJoin('enrolment as e', 'e.opportunity_id', 'o.id').select('o.sdg_list').count({ e: 'e.id' }).groupBy('o.id', 'o.sdg_list')) as { sdg_list: string; e: number | string }[];
    const expected = new Map<string, number>();
    for (const offering of offerings) for (const goal of offering.sdg_list.split(',').filter(Boolean).concat(offering.sdg_list ? [] : ['none'])) expected.set(goal, (expected.get(goal) ?? 0) + Number(offering.e));
    for (const row of sdg) expect(row.enrolments, `SDG ${row.keys[0]}`).toBe(expected.get(row.keys[0] as string));
    // Skill awards: one per skill of a passed assessment.
    const skills = (await run<{ memberSkillCounts: { member: string; skillUri: string; awards: number }[] }>(`{ memberSkillCounts { member skillUri awards } }`, {}, analystPrincipal)).data?.memberSkillCounts ?? [];
    const [{ s }] = (await knex('acquired_skill as k').join('achievement as a', 'a.id', 'k.achievement_id').where('a.passed', true).count({ s: '*' })) as [{ s: number }];
    expect(skills.reduce((sum, row) => sum + row.awards, 0)).toBe(Number(s));
    expect(skills.every((row) => row.member === MEMBER && row.skillUri.startsWith('http://data.europa.eu/esco/'))).toBe(true);
  });
});
