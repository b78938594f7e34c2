import type { Principal } from '../../lib/auth.js';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/core';
import type { GraphQLSchema } from 'graphql';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { DemoOffering } from '../../hub/demo.js';
import { maskError } from '../../lib/errors.js';
import { globalId } from '../../lib/ids.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { compareBytes } from '../../lib/pagination.js';
import { foldText } from '../../lib/text.js';
import { OfferingOrder } from '../../subgraphs/member/enums.js';
import type { OfferingFilter } from '../../subgraphs/member/inputs.js';
import { LearningOpportunity, LearningOutcome } from '../../subgraphs/member/model.js';
import { NO_START_DATE } from '../../subgraphs/member/queries.js';
import { TEST_POSTGRES_URL, temporaryDatabase, type TemporaryTarget } from '../helpers/databases.js';

export interface GraphQLResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface InProcessServer<TContext extends BaseContext> {
  /** Runs one operation with a fresh context, as one HTTP request would. */
  run<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: Principal): Promise<GraphQLResult<T>>;
  /** The raw response body, to check that nothing beyond message and extensions leaks. */
  runRaw(query: string, variables?: Record<string, unknown>, as?: Principal): Promise<string>;
  stop(): Promise<void>;
}

/**
 * An Apollo server over a subgraph schema, configured like lib/server.ts
 * (masked errors, no stack traces), executed in process with a context built
 * per operation the way the subgraph's server.ts builds it.
 */
export async function inProcessServer<TContext extends BaseContext>(
  schema: GraphQLSchema,
  context: (principal: Principal) => TContext,
  /** Who calls when a test does not say (the hub vouches for the caller in production). */
  defaultPrincipal: Principal,
): Promise<InProcessServer<TContext>> {
  const apollo = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => maskError(formatted, error),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const execute = async (query: string, variables: Record<string, unknown> = {}, as: Principal = defaultPrincipal) => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue: context(as) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  return {
    run: async <T>(query: string, variables?: Record<string, unknown>, as?: Principal) => (await execute(query, variables, as)) as GraphQLResult<T>,
    runRaw: async (query, variables, as) => JSON.stringify(await execute(query, variables, as)),
    stop: () => apollo.stop(),
  };
}

/** Records every SQL statement the ORM sends (knex "query" events), so tests can count them per operation. */
export function recordStatements(orm: MikroORM) {
  const statements: string[] = [];
  (orm.em as SqlEntityManager).getKnex().on('query', (query: { sql: string }) => statements.push(query.sql));
  return {
    /** Runs `action` and returns its result with the statements it cost. */
    async measure<T>(action: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
      statements.length = 0;
      const result = await action();
      return { result, statements: [...statements] };
    },
  };
}

/** Statements that read from `table` (quoted with " or ` depending on the dialect). */
export function readsFrom(statements: readonly string[], table: string): string[] {
  const pattern = new RegExp(`\\bfrom\\s+[\`"]?${table}[\`"]?(\\s|$)`, 'i');
  return statements.filter((sql) => pattern.test(sql));
}

/**
 * A fresh database of the given kind. PostgreSQL gets a locale-aware (ICU
 * en-US) default collation: the test server's default is C.UTF-8, which is
 * already byte order and would hide a query that forgets `collate "C"`.
 * PostgreSQL is never skipped: an unreachable server fails the test.
 */
export async function collationSensitiveDatabase(kind: DatabaseKind): Promise<TemporaryTarget> {
  if (kind === 'sqlite') return temporaryDatabase(kind);
  const name = `hub_test_icu_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database "${name}" template template0 encoding 'UTF8' locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind, location: url.toString() },
    drop: () => adminQuery(`drop database if exists "${name}" with (force)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${new URL(TEST_POSTGRES_URL).host} (${(error as Error).message}); these tests need it.`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Extra offerings that the demo catalogue lacks: accented and non-ASCII
 * titles (whose byte order differs from any locale's order), titles that fold
 * to the same text with ids differing only by case, undated offerings, LIKE
 * wildcards in titles, and SDG/language lists that tell "1" from "11".
 */
const EXTRAS: { local: string; title: string; startDate: string | null; sdgList: string; languageList: string }[] = [
  { local: 'x-900', title: 'Kestävä kaupunki: käytännön työpaja', startDate: null, sdgList: '1,11', languageList: 'fi,sv' },
  { local: 'X-901', title: 'KESTAVA KAUPUNKI: KAYTANNON TYOPAJA', startDate: '2026-01-12', sdgList: '11', languageList: 'fi' },
  { local: 'Zz-902', title: 'Łódź Urban Mobility Lab', startDate: null, sdgList: '11', languageList: 'en,pl' },
  { local: 'aa-903', title: 'Øresund Cross-Border Planning', startDate: '2025-09-01', sdgList: '11,17', languageList: 'en' },
  { local: 'ab-904', title: 'Straße und Stadt: urban streets', startDate: '2024-09-02', sdgList: '11', languageList: 'de,en' },
  { local: 'ac-905', title: 'Ærø energy island', startDate: '2027-01-11', sdgList: '7', languageList: 'en' },
  { local: 'ad-906', title: 'Économie circulaire – 100% recyclé', startDate: null, sdgList: '12', languageList: 'fr' },
  { local: 'ae-907', title: 'data_science for Cities', startDate: '2025-01-13', sdgList: '9', languageList: 'en' },
  { local: 'af-908', title: 'Urban sustainability TRANSITIONS', startDate: '2025-01-13', sdgList: '11,13', languageList: 'en' },
];

/** The extra offerings of a member, built on one of its demo offerings so that every column is realistic. */
export function extraOfferings(memberId: string, template: DemoOffering): DemoOffering[] {
  return EXTRAS.map((extra) => {
    const description = `${template.description} (${extra.title})`;
    return {
      ...template,
      id: globalId(memberId, extra.local),
      code: extra.local.toUpperCase(),
      title: extra.title,
      sortTitle: foldText(extra.title),
      searchText: foldText([extra.title, description, ...template.outcomes.map((outcome) => outcome.description)].join(' \n ')),
      description,
      sdgList: extra.sdgList,
      languageList: extra.languageList,
      startDate: extra.startDate as string,
      endDate: extra.startDate ? template.endDate : (null as unknown as string),
      enrolmentDeadline: extra.startDate ? template.enrolmentDeadline : (null as unknown as string),
    };
  });
}

/** Writes offerings (with their learning outcomes) the way the seeder does. */
export async function insertOfferings(orm: MikroORM, offerings: readonly DemoOffering[]): Promise<void> {
  const em = orm.em.fork();
  await em.insertMany(
    LearningOpportunity,
    offerings.map(({ outcomes: _outcomes, ...columns }) => columns as unknown as LearningOpportunity),
  );
  await em.insertMany(
    LearningOutcome,
    offerings.flatMap((offering) =>
      offering.outcomes.map((outcome) => ({ ...outcome, opportunity: offering.id }) as unknown as LearningOutcome),
    ),
  );
}

/**
 * The reference implementation of the offerings list, computed in JavaScript
 * over the generated data: which offerings a filter keeps, and in what order.
 */
export function expectedOfferings(
  offerings: readonly DemoOffering[],
  memberId: string,
  filter: Partial<OfferingFilter> = {},
  orderBy?: OfferingOrder,
): DemoOffering[] {
  const text = filter.text ? foldText(filter.text) : undefined;
  const kept = offerings.filter((offering) => {
    if (text && !offering.searchText.includes(text)) return false;
    if (filter.kinds && !filter.kinds.includes(offering.kind)) return false;
    if (filter.microCredentialTypes && !filter.microCredentialTypes.includes(offering.microCredentialType)) return false;
    if (filter.eqfLevels && !filter.eqfLevels.includes(offering.eqfLevel)) return false;
    if (filter.modes && !filter.modes.includes(offering.mode)) return false;
    if (typeof filter.creditBearing === 'boolean' && offering.creditBearing !== filter.creditBearing) return false;
    if (filter.sdg && !offering.sdgList.split(',').includes(String(filter.sdg))) return false;
    if (filter.language && !offering.languageList.split(',').includes(filter.language)) return false;
    if (filter.skillUri && !offering.outcomes.some((outcome) => outcome.skillUri === filter.skillUri)) return false;
    if (filter.institutionIds && !filter.institutionIds.includes(memberId)) return false;
    if (filter.startsOnOrAfter && !(offering.startDate && offering.startDate >= filter.startsOnOrAfter)) return false;
    if (filter.startsOnOrBefore && !(offering.startDate && offering.startDate <= filter.startsOnOrBefore)) return false;
    return true;
  });
  const order = orderBy === OfferingOrder.START_DATE ? 'start' : text && (!orderBy || orderBy === OfferingOrder.RELEVANCE) ? 'relevance' : 'title';
  const rank = (offering: DemoOffering) => (!text ? 0 : offering.sortTitle.startsWith(text) ? 0 : offering.sortTitle.includes(text) ? 1 : 2);
  return kept.sort((a, b) => {
    if (order === 'start') return compareBytes(a.startDate ?? NO_START_DATE, b.startDate ?? NO_START_DATE) || compareBytes(a.id, b.id);
    if (order === 'relevance') return rank(a) - rank(b) || compareBytes(a.sortTitle, b.sortTitle) || compareBytes(a.id, b.id);
    return compareBytes(a.sortTitle, b.sortTitle) || compareBytes(a.id, b.id);
  });
}
