// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Directive, Field, Float, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { checkUptakeAccess } from './access.js';
import type { MemberContext } from './context.js';
import { LearningOpportunity } from './model.js';

/*
 * The member's counts for the alliance statistics (member contract 1.7.0;
 * docs/analytics.md): aggregated here, where the data is, grouped by the
 * dimensions asked for - never a row per person. Every dimension is an
 * attribute of the offering, so the member counts per offering (index-only
 * scans) and sums those into the groups asked for. These counts are exact and
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

/** Each dimension's value for an offering. */
const VALUE: Record<StatisticsDimension, (offering: LearningOpportunity) => string> = {
  KIND: (offering) => offering.kind,
  MICRO_CREDENTIAL_TYPE: (offering) => offering.microCredentialType,
  EQF_LEVEL: (offering) => String(offering.eqfLevel),
  ISCED_F: (offering) => offering.iscedF ?? 'unknown',
  MODE: (offering) => offering.mode,
  TERM: (offering) => offering.startDate?.slice(0, 7) ?? 'unknown',
};

interface OfferingCounts {
  enrolments: number;
  completions: number;
  passed: number;
  ectsAwarded: number;
}

/**
 * Counts per offering from two index-only scans (enrolment by offering and
 * status, achievement by offering and result): every dimension is an
 * attribute of the offering, so any grouping is a sum over offerings.
 */
async function countsByOffering(context: MemberContext): Promise<Map<string, OfferingCounts>> {
  const knex = context.em.getKnex();
  const [enrolments, achievements] = await Promise.all([
    knex('enrolment').select('opportunity_id', 'status').count({ n: '*' }).groupBy('opportunity_id', 'status') as Promise<{ opportunity_id: string; status: string; n: number | string }[]>,
    knex('achievement').select('opportunity_id').count({ n: '*' }).sum({ ects: 'ects_awarded' }).where('passed', true).groupBy('opportunity_id') as Promise<{ opportunity_id: string; n: number | string; ects: number | string | null }[]>,
  ]);
  const counts = new Map<string, OfferingCounts>();
  const entry = (id: string) => {
    let found = counts.get(id);
    if (!found) counts.set(id, (found = { enrolments: 0, completions: 0, passed: 0, ectsAwarded: 0 }));
    return found;
  };
  for (const row of enrolments) {
    const counted = entry(row.opportunity_id);
    counted.enrolments += Number(row.n);
    if (row.status === 'COMPLETED') counted.completions += Number(row.n);
  }
  for (const row of achievements) {
    const counted = entry(row.opportunity_id);
    counted.passed += Number(row.n);
    counted.ectsAwarded += Number(row.ects ?? 0);
  }
  return counts;
}

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
    description: "This member's enrolment counts grouped by the dimensions given (any of them, each once; none: the member's totals), for the analytics service (analysts, alliance administrators, the member's own staff). Exact counts: hidden from clients, published only after the alliance-wide suppression.",
  })
  async memberStatistics(@Arg('groupBy', () => [StatisticsDimension]) groupBy: StatisticsDimension[], @Ctx() context: MemberContext): Promise<MemberStatisticsRow[]> {
    checkUptakeAccess(context);
    if (new Set(groupBy).size !== groupBy.length) throw badUserInput('"groupBy" names a dimension twice.', 'groupBy');
    const [counts, offerings] = await Promise.all([countsByOffering(context), context.em.find(LearningOpportunity, {}, { fields: ['id', 'kind', 'microCredentialType', 'eqfLevel', 'iscedF', 'mode', 'startDate'] as never })]);
    const groups = new Map<string, MemberStatisticsRow>();
    for (const offering of offerings) {
      const counted = counts.get(offering.id);
      if (!counted) continue;
      const keys = groupBy.map((dimension) => VALUE[dimension](offering));
      const key = JSON.stringify(keys);
      const group = groups.get(key) ?? { member: context.memberId, keys, enrolments: 0, completions: 0, passed: 0, ectsAwarded: 0 };
      group.enrolments += counted.enrolments;
      group.completions += counted.completions;
      group.passed += counted.passed;
      group.ectsAwarded += counted.ectsAwarded;
      groups.set(key, group);
    }
    return [...groups.values()].map((group) => ({ ...group, ectsAwarded: Math.round(group.ectsAwarded * 10) / 10 })).sort((a, b) => JSON.stringify(a.keys).localeCompare(JSON.stringify(b.keys)));
  }
}
