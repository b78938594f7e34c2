// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Directive, Field, Float, Int, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { utcMonth } from '../../lib/orm.js';
import { READ_IN_PROCESS } from '../../lib/sqlite-reads.js';
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
  SDG_CHALLENGE = 'SDG_CHALLENGE',
  MONTH = 'MONTH',
  HOME_MEMBER = 'HOME_MEMBER',
  SDG = 'SDG',
}

/** Dimensions of the enrolment or the learner rather than the offering: counted by their own query, asked for alone. */
const OWN_QUERY = new Set<StatisticsDimension>([StatisticsDimension.MONTH, StatisticsDimension.HOME_MEMBER, StatisticsDimension.SDG]);

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
      SDG_CHALLENGE: { description: '"yes" for a challenge-based offering on at least one UN Sustainable Development Goal, else "no" (the active-citizen indicator).' },
      MONTH: { description: 'The month it happened (YYYY-MM, UTC): enrolments by the month enrolled, completions by the month completed, passes and ECTS by the month assessed. Asked for alone.' },
      HOME_MEMBER: { description: "The learner's home member (their first account's member; \"unknown\" for accounts from before member contract 1.8.0). Asked for alone." },
      SDG: { description: 'A UN Sustainable Development Goal of the offering ("1"–"17", "none"): an offering counts under each of its SDGs, so the groups overlap and do not add up to the total. Asked for alone.' },
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
  SDG_CHALLENGE: (offering) => (offering.kind === 'CHALLENGE' && offering.sdgList.split(',').some(Boolean) ? 'yes' : 'no'),
  MONTH: () => 'unknown',
  HOME_MEMBER: () => 'unknown',
  SDG: () => 'unknown',
};

/** An offering's SDGs as the SDG dimension's values (each counts the offering once). */
function sdgValues(offering: LearningOpportunity): string[] {
  const sdgs = offering.sdgList.split(',').filter(Boolean);
  return sdgs.length > 0 ? sdgs : ['none'];
}

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
  const reads = context.reads ?? READ_IN_PROCESS;
  const [enrolments, achievements] = await Promise.all([
    reads.rows<{ opportunity_id: string; status: string; n: number | string }>(knex('enrolment').select('opportunity_id', 'status').count({ n: '*' }).groupBy('opportunity_id', 'status')),
    reads.rows<{ opportunity_id: string; n: number | string; ects: number | string | null }>(knex('achievement').select('opportunity_id').count({ n: '*' }).sum({ ects: 'ects_awarded' }).where('passed', true).groupBy('opportunity_id')),
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

type Groups = Map<string, MemberStatisticsRow>;

function addTo(groups: Groups, member: string, keys: string[], counted: Partial<OfferingCounts>): void {
  const key = JSON.stringify(keys);
  const group = groups.get(key) ?? { member, keys, enrolments: 0, completions: 0, passed: 0, ectsAwarded: 0 };
  group.enrolments += counted.enrolments ?? 0;
  group.completions += counted.completions ?? 0;
  group.passed += counted.passed ?? 0;
  group.ectsAwarded += counted.ectsAwarded ?? 0;
  groups.set(key, group);
}

function sorted(groups: Groups): MemberStatisticsRow[] {
  return [...groups.values()].map((group) => ({ ...group, ectsAwarded: Math.round(group.ectsAwarded * 10) / 10 })).sort((a, b) => JSON.stringify(a.keys).localeCompare(JSON.stringify(b.keys)));
}

/** The counts by a dimension of the enrolment or the learner (MONTH, HOME_MEMBER), grouped in SQL. */
export async function countsByOwnQuery(context: Pick<MemberContext, 'em' | 'databaseKind' | 'memberId' | 'reads'>, dimension: StatisticsDimension.MONTH | StatisticsDimension.HOME_MEMBER): Promise<MemberStatisticsRow[]> {
  return sorted(await (dimension === StatisticsDimension.MONTH ? countsByMonth(context) : countsByHomeMember(context)));
}

/** By month: enrolled, completed (the status change) and assessed, each grouped in SQL. */
async function countsByMonth(context: Pick<MemberContext, 'em' | 'databaseKind' | 'memberId' | 'reads'>): Promise<Groups> {
  const knex = context.em.getKnex();
  const reads = context.reads ?? READ_IN_PROCESS;
  const enrolled = utcMonth(context.databaseKind, 'enrolled_at');
  const completed = utcMonth(context.databaseKind, 'status_changed_at');
  const [enrolments, completions, passed] = await Promise.all([
    reads.rows<{ month: string | null; n: number | string }>(knex('enrolment').select(knex.raw(`${enrolled} as month`)).count({ n: '*' }).groupByRaw(enrolled)),
    reads.rows<{ month: string | null; n: number | string }>(knex('enrolment').select(knex.raw(`${completed} as month`)).count({ n: '*' }).where('status', 'COMPLETED').groupByRaw(completed)),
    reads.rows<{ month: string | null; n: number | string; ects: number | string | null }>(knex('achievement').select(knex.raw('substr(assessed_on, 1, 7) as month')).count({ n: '*' }).sum({ ects: 'ects_awarded' }).where('passed', true).groupByRaw('substr(assessed_on, 1, 7)')),
  ]);
  const groups: Groups = new Map();
  for (const row of enrolments) addTo(groups, context.memberId, [row.month ?? 'unknown'], { enrolments: Number(row.n) });
  for (const row of completions) addTo(groups, context.memberId, [row.month ?? 'unknown'], { completions: Number(row.n) });
  for (const row of passed) addTo(groups, context.memberId, [row.month ?? 'unknown'], { passed: Number(row.n), ectsAwarded: Number(row.ects ?? 0) });
  return groups;
}

/** By the learner's home member, kept on their account here: two grouped joins. */
async function countsByHomeMember(context: Pick<MemberContext, 'em' | 'databaseKind' | 'memberId' | 'reads'>): Promise<Groups> {
  const knex = context.em.getKnex();
  const reads = context.reads ?? READ_IN_PROCESS;
  const [enrolments, passed] = await Promise.all([
    reads.rows<{ home: string | null; status: string; n: number | string }>(knex('enrolment as e').join('learner_account as l', 'l.id', 'e.account_id').select('l.home_member_id as home', 'e.status').count({ n: '*' }).groupBy('l.home_member_id', 'e.status')),
    reads.rows<{ home: string | null; n: number | string; ects: number | string | null }>(knex('achievement as a').join('learner_account as l', 'l.id', 'a.account_id').select('l.home_member_id as home').count({ n: '*' }).sum({ ects: 'a.ects_awarded' }).where('a.passed', true).groupBy('l.home_member_id')),
  ]);
  const groups: Groups = new Map();
  for (const row of enrolments) addTo(groups, context.memberId, [row.home ?? 'unknown'], { enrolments: Number(row.n), completions: row.status === 'COMPLETED' ? Number(row.n) : 0 });
  for (const row of passed) addTo(groups, context.memberId, [row.home ?? 'unknown'], { passed: Number(row.n), ectsAwarded: Number(row.ects ?? 0) });
  return groups;
}

@ObjectType({ description: "Passed assessments at one member that showed one ESCO skill (exact; published only after suppression)." })
export class MemberSkillCount {
  @Field(() => String)
  member!: string;

  @Field(() => String, { description: 'The ESCO skill URI.' })
  skillUri!: string;

  @Field(() => Int, { description: 'Passed assessments that showed the skill.' })
  awards!: number;
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
    const alone = groupBy.find((dimension) => OWN_QUERY.has(dimension));
    if (alone && groupBy.length > 1) throw badUserInput(`"groupBy": ${alone} is counted on its own; ask for it alone.`, 'groupBy');
    if (alone === StatisticsDimension.MONTH || alone === StatisticsDimension.HOME_MEMBER) return countsByOwnQuery(context, alone);
    const [counts, offerings] = await Promise.all([countsByOffering(context), context.em.find(LearningOpportunity, {}, { fields: ['id', 'kind', 'microCredentialType', 'eqfLevel', 'iscedF', 'mode', 'startDate', 'sdgList'] as never })]);
    const groups = new Map<string, MemberStatisticsRow>();
    for (const offering of offerings) {
      const counted = counts.get(offering.id);
      if (!counted) continue;
      const keyLists = alone === StatisticsDimension.SDG ? sdgValues(offering).map((sdg) => [sdg]) : [groupBy.map((dimension) => VALUE[dimension](offering))];
      for (const keys of keyLists) addTo(groups, context.memberId, keys, counted);
    }
    return sorted(groups);
  }

  @Directive('@inaccessible')
  @Query(() => [MemberSkillCount], {
    nullable: true,
    description: "This member's passed assessments per ESCO skill shown in them (skill awards), for the analytics service (analysts, alliance administrators, the member's own staff). Exact counts: hidden from clients, published only after the alliance-wide suppression.",
  })
  async memberSkillCounts(@Ctx() context: MemberContext): Promise<MemberSkillCount[]> {
    checkUptakeAccess(context);
    // One aggregate over the skills shown, a count per skill (never a row per learner), from the index on
    // skill_uri alone: skills are recorded for passed assessments only (curation, the file import and the
    // OEAPI sync refuse them otherwise, and a correction to a fail removes them), so no join is needed -
    // the join to achievement cost 15 times as much at 300,000 learners.
    const rows = await (context.reads ?? READ_IN_PROCESS).rows<{ skill_uri: string; n: number | string }>(context.em.getKnex()('acquired_skill').select('skill_uri').count({ n: '*' }).groupBy('skill_uri'));
    return rows.map((row) => ({ member: context.memberId, skillUri: row.skill_uri, awards: Number(row.n) })).sort((a, b) => a.skillUri.localeCompare(b.skillUri));
  }
}
