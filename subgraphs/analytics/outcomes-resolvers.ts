// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { requireSignedIn } from '../../lib/access.js';
import { RECOGNITION_OUTCOMES } from '../../lib/recognition-outcomes.js';
import type { AnalyticsContext } from './context.js';
import { Institution } from './model.js';
import { currentOutcomes } from './outcomes.js';
import { readerScope } from './statistics-resolvers.js';
import type { PublishedCountTable } from './publication.js';

@ObjectType({ description: "One member's row of a count table." })
export class CountRow {
  @Field(() => Institution)
  member!: Institution;

  @Field(() => [Int], { nullable: 'items', description: 'One count per column; null: withheld.' })
  cells!: (number | null)[];

  @Field(() => Int, { nullable: true, description: "The member's total; null: withheld." })
  total!: number | null;
}

@ObjectType({ description: 'A published member × column table of one count, suppressed with k-anonymity and complementary suppression.' })
export class CountTable {
  @Field(() => [String])
  columns!: string[];

  @Field(() => [CountRow], { description: "A member's staff: their own member's row only." })
  rows!: CountRow[];

  @Field(() => [Int], { nullable: 'items' })
  columnTotals!: (number | null)[];

  @Field(() => Int, { nullable: true, description: 'The alliance total.' })
  total!: number | null;
}

@ObjectType({ description: 'Credentials the alliance issued, as published (docs/analytics.md).' })
export class CredentialStatistics {
  @Field(() => Int)
  k!: number;

  @Field(() => DateTimeISOResolver)
  publishedAt!: Date;

  @Field(() => CountTable, { description: 'Credentials issued, by member of the achievement and month issued (YYYY-MM).' })
  issuedByMonth!: CountTable;

  @Field(() => CountTable, { description: 'Credentials issued, by member and kind (MICRO_CREDENTIAL, PARTICIPATION, PATHWAY).' })
  issuedByKind!: CountTable;

  @Field(() => CountTable, { description: 'Of the credentials issued in a month, those revoked since.' })
  revokedByMonth!: CountTable;

  @Field(() => Boolean, { description: 'The issuance service did not answer: the tables are empty until the next publication.' })
  unavailable!: boolean;
}

@ObjectType({ description: 'Median time from a recognition request to its decision.' })
export class DecisionTimeFigure {
  @Field(() => Institution, { nullable: true, description: 'The deciding member; null: the alliance.' })
  member!: Institution | null;

  @Field(() => Float, { nullable: true, description: 'Median days from submission to decision; null where fewer than k were decided.' })
  medianDays!: number | null;
}

@ObjectType({ description: 'Recognition of learning across members, as published (docs/analytics.md).' })
export class RecognitionStatistics {
  @Field(() => Int)
  k!: number;

  @Field(() => DateTimeISOResolver)
  publishedAt!: Date;

  @Field(() => CountTable, { description: `Requests by deciding member and outcome (${RECOGNITION_OUTCOMES.join(', ')}).` })
  byOutcome!: CountTable;

  @Field(() => [DecisionTimeFigure], { description: 'Per deciding member, then the alliance.' })
  decisionTimes!: DecisionTimeFigure[];

  @Field(() => Boolean, { description: 'The recognition service did not answer: the figures are empty until the next publication.' })
  unavailable!: boolean;
}

/** A published count table as the graph shows it to a reader (a member's staff: their own row). */
export function countTableView(table: PublishedCountTable, onlyMember: string | null): CountTable {
  return {
    columns: table.columns,
    rows: table.members.flatMap((member, r) => (onlyMember && member !== onlyMember ? [] : [{ member: { id: member }, cells: table.cells[r] ?? [], total: table.memberTotals[r] ?? null }])),
    columnTotals: table.columnTotals,
    total: table.total,
  };
}

@Resolver()
export class OutcomesQueryResolver {
  @Query(() => CredentialStatistics, { nullable: true, description: "Credentials issued and revoked, counted by the issuance service and published with k-anonymity and complementary suppression (analysts and alliance administrators; a member's staff: their own member's row and the alliance totals)." })
  async credentialStatistics(@Ctx() context: AnalyticsContext): Promise<CredentialStatistics> {
    const onlyMember = readerScope(requireSignedIn(context.principal, 'credential statistics'), 'Credential statistics');
    const outcomes = await currentOutcomes(context.service);
    return {
      k: outcomes.k,
      publishedAt: outcomes.at,
      issuedByMonth: countTableView(outcomes.issuedByMonth, onlyMember),
      issuedByKind: countTableView(outcomes.issuedByKind, onlyMember),
      revokedByMonth: countTableView(outcomes.revokedByMonth, onlyMember),
      unavailable: outcomes.unavailable.includes('issuance'),
    };
  }

  @Query(() => RecognitionStatistics, { nullable: true, description: "Recognition requests by outcome and the median time to decision, counted by the recognition service and published with k-anonymity and complementary suppression (analysts and alliance administrators; a member's staff: their own member's figures and the alliance's)." })
  async recognitionStatistics(@Ctx() context: AnalyticsContext): Promise<RecognitionStatistics> {
    const onlyMember = readerScope(requireSignedIn(context.principal, 'recognition statistics'), 'Recognition statistics');
    const outcomes = await currentOutcomes(context.service);
    return {
      k: outcomes.k,
      publishedAt: outcomes.at,
      byOutcome: countTableView(outcomes.recognitionByOutcome, onlyMember),
      decisionTimes: outcomes.decisionTimes
        .filter((time) => !onlyMember || time.member === null || time.member === onlyMember)
        .map((time) => ({ member: time.member ? { id: time.member } : null, medianDays: time.medianDays })),
      unavailable: outcomes.unavailable.includes('recognition'),
    };
  }
}
