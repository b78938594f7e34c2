// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Directive, Field, Float, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { checkUptakeAccess } from './access.js';
import type { MemberContext } from './context.js';

/*
 * The member's counts for the alliance statistics (member contract 1.7.0;
 * docs/analytics.md): aggregated here, where the data is, grouped by the
 * dimensions asked for - never a row per person. These counts are exact and
 * include small ones, so the field is hidden from clients (@inaccessible):
 * the analytics service reads it as the analyst and publishes only after
 * suppression over the whole alliance.
 */

export enum StatisticsDimension {
  KIND = 'KIND',
  MICRO_CREDENTIAL_TYPE = 'MICRO_CREDENTIAL_TYPE',
  EQF_LEVEL = 'EQF_LEVEL',
  ISCED_F = 'ISCED_F',
  MODE = 'MODE',
  TERM = 'TERM',
}

export function registerStatisticsEnums(): void {
  registerEnumType(StatisticsDimension, {
    name: 'StatisticsDimension',
    description: 'What the alliance statistics break counts down by (besides the member).',
    valuesConfig: {
      KIND: { description: 'Offering kind (micro-module, challenge, course).' },
      MICRO_CREDENTIAL_TYPE: { description: 'The micro-credential type a pass earns.' },
      EQF_LEVEL: { description: 'EQF level of the offering.' },
      ISCED_F: { description: 'ISCED-F 2013 field of the offering ("unknown" when it names none).' },
      MODE: { description: 'Online, on site or blended.' },
      TERM: { description: 'The month the offering starts (YYYY-MM), the term it belongs to.' },
    },
  });
}

/** Each dimension's column in learning_opportunity, as SQL both dialects read the same. */
const COLUMN: Record<StatisticsDimension, string> = {
  KIND: 'o.kind',
  MICRO_CREDENTIAL_TYPE: 'o.micro_credential_type',
  EQF_LEVEL: 'cast(o.eqf_level as varchar(2))',
  ISCED_F: "coalesce(o.isced_f, 'unknown')",
  MODE: 'o.mode',
  TERM: "coalesce(substr(o.start_date, 1, 7), 'unknown')",
};

@ObjectType({ description: 'Counts of one group of enrolments at one member (exact; published only after suppression).' })
export class MemberStatisticsRow {
  @Field(() => String, { description: 'The member.' })
  member!: string;

  @Field(() => [String], { description: 'The group: one value per dimension asked for, in that order.' })
  keys!: string[];

  @Field(() => Int, { description: 'Enrolments, whatever their status.' })
  enrolments!: number;

  @Field(() => Int, { description: 'Enrolments completed.' })
  completions!: number;

  @Field(() => Int, { description: 'Passed assessments.' })
  passed!: number;

  @Field(() => Float, { description: 'ECTS credits awarded.' })
  ectsAwarded!: number;
}

@Resolver()
export class StatisticsResolver {
  @Directive('@inaccessible')
  @Query(() => [MemberStatisticsRow], {
    nullable: true,
    description: "This member's enrolment counts grouped by the dimensions given (at most 2), for the analytics service (analysts, alliance administrators, the member's own staff). Exact counts: hidden from clients, published only after the alliance-wide suppression.",
  })
  async memberStatistics(@Arg('groupBy', () => [StatisticsDimension]) groupBy: StatisticsDimension[], @Ctx() context: MemberContext): Promise<MemberStatisticsRow[]> {
    checkUptakeAccess(context);
    if (groupBy.length > 2 || new Set(groupBy).size !== groupBy.length) throw badUserInput('"groupBy" takes at most 2 different dimensions.', 'groupBy');
    const knex = context.em.getKnex();
    const columns = groupBy.map((dimension, index) => knex.raw(`${COLUMN[dimension]} as k${index}`));
    const query = knex('enrolment as e')
      .join('learning_opportunity as o', 'o.id', 'e.opportunity_id')
      .leftJoin('achievement as a', 'a.enrolment_id', 'e.id')
      .select(columns)
      .count({ enrolments: '*' })
      .select(knex.raw(`sum(case when e.status = 'COMPLETED' then 1 else 0 end) as completions`))
      .select(knex.raw(`sum(case when a.passed then 1 else 0 end) as passed`))
      .select(knex.raw(`coalesce(sum(case when a.passed then a.ects_awarded else 0 end), 0) as ects`));
    groupBy.forEach((dimension) => query.groupByRaw(COLUMN[dimension]));
    const rows = (await query) as Record<string, string | number | null>[];
    return rows.map((row) => ({
      member: context.memberId,
      keys: groupBy.map((_, index) => String(row[`k${index}`] ?? 'unknown')),
      enrolments: Number(row['enrolments'] ?? 0),
      completions: Number(row['completions'] ?? 0),
      passed: Number(row['passed'] ?? 0),
      ectsAwarded: Math.round(Number(row['ects'] ?? 0) * 10) / 10,
    }));
  }
}
