// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Arg, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { StatisticsDimension } from '../member/statistics.js';
import type { AnalyticsContext } from './context.js';
import { Institution } from './model.js';
import type { PublishedCounts, PublishedTable } from './publication.js';
import { multiMemberLearners } from './mobility.js';
import { currentPublication } from './statistics.js';

@ObjectType({ description: 'Counts of one cell of a published table. Null: withheld (fewer than k, or hidden so that no withheld count can be worked out from the others).' })
export class StatisticsCell {
  @Field(() => String, { nullable: true, description: "The dimension's value (null for a total)." })
  key!: string | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments, whatever their status.' })
  enrolments!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments completed.' })
  completions!: number | null;

  @Field(() => Int, { nullable: true, description: 'Passed assessments.' })
  passed!: number | null;

  @Field(() => Float, { nullable: true, description: 'ECTS credits awarded (published where `passed` is).' })
  ectsAwarded!: number | null;

  @Field(() => Float, { nullable: true, description: 'passed ÷ completions, where both are published.' })
  passRate!: number | null;
}

@ObjectType({ description: "One member's row of a published table." })
export class StatisticsRow {
  @Field(() => Institution)
  member!: Institution;

  @Field(() => [StatisticsCell], { description: "One cell per column (empty in the table by member alone)." })
  cells!: StatisticsCell[];

  @Field(() => StatisticsCell, { description: "The member's total." })
  total!: StatisticsCell;
}

@ObjectType({ description: 'A published table of the alliance statistics: members × one dimension, with member totals, column totals and the alliance total, suppressed together with every other table of the same publication.' })
export class StatisticsTable {
  @Field(() => StatisticsDimension, { nullable: true, description: 'The columns; null: members only.' })
  dimension!: StatisticsDimension | null;

  @Field(() => Int, { description: 'The k applied.' })
  k!: number;

  @Field(() => DateTimeISOResolver, { description: 'When this publication was built (it stands for a few minutes; every table of it agrees with every other).' })
  publishedAt!: Date;

  @Field(() => [String], { description: "The dimension's values, in column order." })
  columns!: string[];

  @Field(() => [StatisticsRow], { description: "One row per member (a member's staff: their own member's only)." })
  rows!: StatisticsRow[];

  @Field(() => [StatisticsCell], { description: 'Column totals over all members.' })
  columnTotals!: StatisticsCell[];

  @Field(() => StatisticsCell, { description: 'The alliance total.' })
  total!: StatisticsCell;

  @Field(() => [Institution], { description: 'Members that did not answer when this was built: their counts are missing.' })
  unavailableMembers!: Institution[];
}

@ObjectType({ description: 'Learners whose home member (their first account) is the row and who also study at the column member.' })
export class MobilityFlow {
  @Field(() => Institution)
  home!: Institution;

  @Field(() => Institution)
  host!: Institution;

  @Field(() => Int, { nullable: true, description: 'Learners; null when withheld.' })
  learners!: number | null;
}

@ObjectType({ description: 'Learners with accounts at this many members.' })
export class MemberCountShare {
  @Field(() => Int)
  members!: number;

  @Field(() => Int, { nullable: true, description: 'Learners; null when withheld.' })
  learners!: number | null;
}

@ObjectType({ description: 'Mobility across the alliance, from the learner register, published with the same suppression as the statistics.' })
export class MobilityTable {
  @Field(() => Int)
  k!: number;

  @Field(() => DateTimeISOResolver)
  publishedAt!: Date;

  @Field(() => [MobilityFlow], { description: 'Every home × host pair with learners (withheld ones as null).' })
  flows!: MobilityFlow[];

  @Field(() => [MemberCountShare], { description: 'Learners by how many members they study at.' })
  byMemberCount!: MemberCountShare[];

  @Field(() => Int, { nullable: true, description: 'Learners who study at two or more members.' })
  multiMemberLearners!: number | null;

  @Field(() => Int, { nullable: true, description: 'Learners in the register with an account at a member.' })
  learners!: number | null;
}

function cell(counts: PublishedCounts, key: string | null): StatisticsCell {
  const passRate = counts.passed !== null && counts.completions ? Math.round((counts.passed / counts.completions) * 100) / 100 : null;
  return { key, ...counts, passRate };
}

function view(table: PublishedTable, publishedAt: Date, k: number, unavailable: string[], onlyMember: string | null): StatisticsTable {
  const rows = table.members.flatMap((member, r) =>
    onlyMember && member !== onlyMember ? [] : [{ member: { id: member }, cells: (table.cells[r] ?? []).map((counts, c) => cell(counts, table.columns[c] ?? null)), total: cell(table.memberTotals[r] as PublishedCounts, null) }],
  );
  return {
    dimension: table.dimension,
    k,
    publishedAt,
    columns: table.columns,
    rows,
    columnTotals: table.columnTotals.map((counts, c) => cell(counts, table.columns[c] ?? null)),
    total: cell(table.total, null),
    unavailableMembers: unavailable.map((id) => ({ id })),
  };
}

/** Analysts and administrators read every row; a member's staff their own member's row and the alliance totals. */
export function readerScope(caller: SignedIn, what: string): string | null {
  if (hasRole(caller, 'analyst') || hasRole(caller, 'alliance-admin')) return null;
  if (hasRole(caller, 'member-staff') && caller.memberId) return caller.memberId;
  throw forbidden(`${what} are for analysts, alliance administrators and members' staff.`);
}

@Resolver()
export class StatisticsQueryResolver {
  @Query(() => StatisticsTable, {
    nullable: true,
    description:
      "The alliance statistics by member, or by member and one dimension (analysts and alliance administrators; a member's staff see their own member's row and the alliance totals). Counts are aggregated by each member, merged here, and published with k-anonymity and complementary suppression over all tables together (docs/analytics.md).",
  })
  async allianceStatistics(@Ctx() context: AnalyticsContext, @Arg('by', () => StatisticsDimension, { nullable: true, description: 'The columns; leave out for members only.' }) by?: StatisticsDimension | null): Promise<StatisticsTable> {
    const onlyMember = readerScope(requireSignedIn(context.principal, 'alliance statistics'), 'Alliance statistics');
    const publication = await currentPublication(context.service);
    const table = by ? (publication.byDimension.get(by) as PublishedTable) : publication.byMember;
    return view(table, publication.at, publication.k, publication.unavailable, onlyMember);
  }

  @Query(() => MobilityTable, {
    nullable: true,
    description: 'Learner mobility between members (analysts and alliance administrators): flows from home member to host members and learners by number of members, counted by the learner register and published with k-anonymity and complementary suppression.',
  })
  async mobility(@Ctx() context: AnalyticsContext): Promise<MobilityTable> {
    const caller = requireSignedIn(context.principal, 'mobility figures');
    if (!hasRole(caller, 'analyst') && !hasRole(caller, 'alliance-admin')) throw forbidden('Mobility figures are for analysts and alliance administrators.');
    const publication = await currentPublication(context.service);
    const { mobility } = publication;
    const flows = mobility.members.flatMap((home, r) =>
      mobility.members.flatMap((host, c) => (home === host || mobility.flows[r]?.[c] === 0 ? [] : [{ home: { id: home }, host: { id: host }, learners: mobility.flows[r]?.[c] ?? null }])),
    );
    return {
      k: publication.k,
      publishedAt: publication.at,
      flows,
      byMemberCount: mobility.byMemberCount,
      multiMemberLearners: multiMemberLearners(mobility),
      learners: mobility.learners,
    };
  }
}
