import { GraphQLError } from 'graphql';
import { callService } from '../../lib/subgraph-calls.js';
import { addTwoWayTable, suppress, type SumConstraint } from '../../lib/suppression.js';
import type { AnalyticsService } from './context.js';
import { STATISTICS_READER, type PublishedCountTable, type PublishedOutcomes } from './publication.js';

/*
 * Outcomes (docs/analytics.md, "Credentials and recognition"): credentials
 * issued and revoked, counted by the issuance service, and recognition
 * requests by outcome with the time to decision, counted by the recognition
 * service, published with the same suppression as the enrolment statistics.
 * A publication of its own, standing as long as the statistics one, because
 * its sources are other services (one down does not hold the other back).
 */

interface Counted {
  member: string;
  column: string;
  count: number;
}

/** The table's cells and margins as a system of equations (lib/suppression.ts). */
function twoWay(system: { values: number[]; constraints: SumConstraint[] }, rows: readonly Counted[], members: readonly string[], columns: readonly string[]) {
  const cells = members.map((member) => columns.map((column) => rows.filter((row) => row.member === member && row.column === column).reduce((sum, row) => sum + row.count, 0)));
  const table = addTwoWayTable(system, {
    cells,
    rowTotals: cells.map((row) => row.reduce((a, b) => a + b, 0)),
    columnTotals: columns.map((_, c) => cells.reduce((sum, row) => sum + (row[c] as number), 0)),
    total: cells.flat().reduce((a, b) => a + b, 0),
  });
  return { table, members: [...members], columns: [...columns] };
}

function published(view: ReturnType<typeof twoWay>, values: readonly number[], hidden: readonly boolean[]): PublishedCountTable {
  const shown = (variable: number) => (hidden[variable] ? null : (values[variable] as number));
  return {
    columns: view.columns,
    members: view.members,
    cells: view.members.map((_, r) => view.columns.map((__, c) => shown(view.table.cell(r, c)))),
    memberTotals: view.members.map((_, r) => shown(view.table.rowTotal(r))),
    columnTotals: view.columns.map((_, c) => shown(view.table.columnTotal(c))),
    total: shown(view.table.total),
  };
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

interface CredentialAnswer { credentialCounts: { member: string; kind: string; month: string; issued: number; revoked: number }[] | null }
interface RecognitionAnswer {
  recognitionCounts: { outcomes: { member: string; outcome: string; requests: number }[]; decisionTimes: { member: string | null; decided: number; medianDays: number | null }[] } | null;
}

async function read<T>(service: AnalyticsService, source: 'issuance' | 'recognition', query: string): Promise<T | null> {
  try {
    const body = await callService(service.sources, source, STATISTICS_READER, query, {}, `no ${source} figures were published`);
    if (body.errors?.length) throw new GraphQLError(body.errors[0]?.message ?? 'error');
    return (body.data ?? null) as T | null;
  } catch (error) {
    service.logger.warn(`outcomes: the ${source} service gave no counts (${(error as Error).message})`);
    return null;
  }
}

/** Credentials: issued by month and by kind share member totals and the alliance total, so they are suppressed as one system. */
function credentialTables(rows: NonNullable<CredentialAnswer['credentialCounts']>, k: number) {
  const members = sorted(rows.map((row) => row.member));
  const system = { values: [] as number[], constraints: [] as SumConstraint[] };
  const byMonth = twoWay(system, rows.map((row) => ({ member: row.member, column: row.month, count: row.issued })), members, sorted(rows.map((row) => row.month)));
  const byKind = twoWay(system, rows.map((row) => ({ member: row.member, column: row.kind, count: row.issued })), members, sorted(rows.map((row) => row.kind)));
  // The same member total and alliance total in both tables: an equation each.
  members.forEach((_, r) => system.constraints.push({ total: byMonth.table.rowTotal(r), parts: [byKind.table.rowTotal(r)] }));
  system.constraints.push({ total: byMonth.table.total, parts: [byKind.table.total] });
  const hidden = suppress(system.values, system.constraints, k).suppressed;
  const revoked = { values: [] as number[], constraints: [] as SumConstraint[] };
  const revokedByMonth = twoWay(revoked, rows.map((row) => ({ member: row.member, column: row.month, count: row.revoked })), members, byMonth.columns);
  return {
    issuedByMonth: published(byMonth, system.values, hidden),
    issuedByKind: published(byKind, system.values, hidden),
    revokedByMonth: published(revokedByMonth, revoked.values, suppress(revoked.values, revoked.constraints, k).suppressed),
  };
}

function recognitionTables(counts: NonNullable<RecognitionAnswer['recognitionCounts']>, k: number, outcomes: readonly string[]) {
  const members = sorted(counts.outcomes.map((row) => row.member));
  const system = { values: [] as number[], constraints: [] as SumConstraint[] };
  const view = twoWay(system, counts.outcomes.map((row) => ({ member: row.member, column: row.outcome, count: row.requests })), members, outcomes);
  return {
    recognitionByOutcome: published(view, system.values, suppress(system.values, system.constraints, k).suppressed),
    // The number decided is a sum of outcome cells (a withheld one would follow from it), so it is not published;
    // the median is, where k or more were decided: an order statistic of k or more requests.
    decisionTimes: counts.decisionTimes.map((time) => ({ member: time.member, medianDays: time.decided >= k ? time.medianDays : null })),
  };
}

const CREDENTIALS = /* GraphQL */ `query CredentialCounts { credentialCounts { member kind month issued revoked } }`;
const RECOGNITION = /* GraphQL */ `query RecognitionCounts { recognitionCounts { outcomes { member outcome requests } decisionTimes { member decided medianDays } } }`;
const EMPTY: PublishedCountTable = { columns: [], members: [], cells: [], memberTotals: [], columnTotals: [], total: null };

export async function buildOutcomes(service: AnalyticsService, outcomes: readonly string[], at: Date): Promise<PublishedOutcomes> {
  const [credentials, recognition] = await Promise.all([read<CredentialAnswer>(service, 'issuance', CREDENTIALS), read<RecognitionAnswer>(service, 'recognition', RECOGNITION)]);
  const unavailable = [...(credentials?.credentialCounts ? [] : ['issuance']), ...(recognition?.recognitionCounts ? [] : ['recognition'])];
  return {
    at,
    k: service.k,
    ...(credentials?.credentialCounts ? credentialTables(credentials.credentialCounts, service.k) : { issuedByMonth: EMPTY, issuedByKind: EMPTY, revokedByMonth: EMPTY }),
    ...(recognition?.recognitionCounts ? recognitionTables(recognition.recognitionCounts, service.k, outcomes) : { recognitionByOutcome: EMPTY, decisionTimes: [] }),
    unavailable,
  };
}

/** The standing outcomes publication (rebuilt behind it like the statistics; standing.ts). */
export function currentOutcomes(service: AnalyticsService): Promise<PublishedOutcomes> {
  return service.outcomes.read();
}
