// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import DataLoader from 'dataloader';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { MAX_BATCH } from '../../lib/loaders.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { MemberContext } from './context.js';

/*
 * Uptake: what analysts see. Counts only, never a person: and a count small
 * enough to point at a few people (1 to SMALLEST_SHOWN - 1) is withheld, as
 * statistical offices do with small cells, so that "2 enrolments, 1 failed"
 * for a small offering cannot be matched to the learners in it.
 */

/** Counts from 1 to this minus one are withheld (null). */
export const SMALLEST_SHOWN = 5;

@ObjectType({
  description: `How much an offering (or a member's whole catalogue) was taken up. Counts from 1 to ${SMALLEST_SHOWN - 1} are withheld (null) so that no count points at a few people; 0 is shown.`,
})
export class Uptake {
  @Field(() => Int, { nullable: true, description: 'Learners (accounts) with at least one enrolment.' })
  learners!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments, whatever their status.' })
  enrolments!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments completed.' })
  completed!: number | null;

  @Field(() => Int, { nullable: true, description: 'Enrolments withdrawn.' })
  withdrawn!: number | null;

  @Field(() => Int, { nullable: true, description: 'Assessed achievements.' })
  assessed!: number | null;

  @Field(() => Int, { nullable: true, description: 'Passed assessments.' })
  passed!: number | null;

  @Field(() => Float, { nullable: true, description: 'ECTS credits awarded (withheld with `passed`).' })
  ectsAwarded!: number | null;
}

interface Counts {
  learners: number;
  enrolments: number;
  completed: number;
  withdrawn: number;
  assessed: number;
  passed: number;
  ectsAwarded: number;
}

const shown = (count: number): number | null => (count === 0 || count >= SMALLEST_SHOWN ? count : null);

function toUptake(counts: Counts): Uptake {
  const passed = shown(counts.passed);
  return {
    learners: shown(counts.learners),
    enrolments: shown(counts.enrolments),
    completed: shown(counts.completed),
    withdrawn: shown(counts.withdrawn),
    assessed: shown(counts.assessed),
    passed,
    ectsAwarded: passed === null ? null : Math.round(counts.ectsAwarded * 10) / 10,
  };
}

const EMPTY: Counts = { learners: 0, enrolments: 0, completed: 0, withdrawn: 0, assessed: 0, passed: 0, ectsAwarded: 0 };

/**
 * Uptake per offering, for a batch of offerings: two grouped SQL queries per
 * batch. The key '*' stands for the member's whole catalogue.
 */
export function uptakeLoader(em: SqlEntityManager): DataLoader<string, Uptake> {
  return new DataLoader<string, Uptake>(
    async (keys) => {
      const knex = em.getKnex();
      const ids = keys.filter((key) => key !== '*');
      const wholeCatalogue = keys.includes('*');
      const enrolmentColumns = [
        knex.raw('count(*) as enrolments'),
        knex.raw('count(distinct account_id) as learners'),
        knex.raw("sum(case when status = 'COMPLETED' then 1 else 0 end) as completed"),
        knex.raw("sum(case when status = 'WITHDRAWN' then 1 else 0 end) as withdrawn"),
      ];
      const achievementColumns = [
        knex.raw('count(*) as assessed'),
        knex.raw('sum(case when passed then 1 else 0 end) as passed'),
        knex.raw('sum(case when passed then ects_awarded else 0 end) as ects'),
      ];
      const counts = new Map<string, Counts>();
      const merge = (key: string, values: Partial<Counts>) => counts.set(key, { ...(counts.get(key) ?? EMPTY), ...values });
      type Row = Record<string, string | number | null>;
      const number = (value: string | number | null | undefined) => Number(value ?? 0);
      if (ids.length > 0) {
        const enrolments = (await knex('enrolment').select('opportunity_id', ...enrolmentColumns).whereIn('opportunity_id', ids).groupBy('opportunity_id')) as Row[];
        for (const row of enrolments) {
          merge(String(row['opportunity_id']), { enrolments: number(row['enrolments']), learners: number(row['learners']), completed: number(row['completed']), withdrawn: number(row['withdrawn']) });
        }
        const achievements = (await knex('achievement').select('opportunity_id', ...achievementColumns).whereIn('opportunity_id', ids).groupBy('opportunity_id')) as Row[];
        for (const row of achievements) merge(String(row['opportunity_id']), { assessed: number(row['assessed']), passed: number(row['passed']), ectsAwarded: number(row['ects']) });
      }
      if (wholeCatalogue) {
        const [enrolments] = (await knex('enrolment').select(...enrolmentColumns)) as Row[];
        const [achievements] = (await knex('achievement').select(...achievementColumns)) as Row[];
        merge('*', {
          enrolments: number(enrolments?.['enrolments']),
          learners: number(enrolments?.['learners']),
          completed: number(enrolments?.['completed']),
          withdrawn: number(enrolments?.['withdrawn']),
          assessed: number(achievements?.['assessed']),
          passed: number(achievements?.['passed']),
          ectsAwarded: number(achievements?.['ects']),
        });
      }
      return keys.map((key) => toUptake(counts.get(key) ?? EMPTY));
    },
    { maxBatchSize: MAX_BATCH },
  );
}

/** Analysts and administrators see every member's uptake; a member's staff their own member's. */
export function checkUptakeAccess(context: MemberContext): void {
  const principal = requireSignedIn(context.principal, 'uptake figures');
  if (hasRole(principal, 'analyst') || hasRole(principal, 'alliance-admin')) return;
  if (hasRole(principal, 'member-staff') && principal.memberId === context.memberId) return;
  throw forbidden(`Uptake figures of ${context.memberId} are for analysts, alliance administrators and the member's own staff.`);
}
