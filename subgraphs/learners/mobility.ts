// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import { READ_IN_PROCESS } from '../../lib/sqlite-reads.js';
import 'reflect-metadata';
import { Ctx, Directive, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import type { LearnersContext } from './context.js';

/*
 * Mobility, counted where the data is: the learner register links each
 * learner to their accounts at members, so it can count, without any row
 * about a person leaving it, how many learners study at how many members and
 * how learners flow from their home member (the member of their first
 * account) to the others. Exact counts: hidden from clients; the analytics
 * service publishes them after suppression (docs/analytics.md).
 */

@ObjectType({ description: 'Learners whose home member is `home` and who also have an account at `host`.' })
export class MobilityFlowCount {
  @Field(() => String)
  home!: string;

  @Field(() => String)
  host!: string;

  @Field(() => Int)
  learners!: number;
}

@ObjectType({ description: 'How many learners have accounts at this many members.' })
export class MemberCountBucket {
  @Field(() => Int)
  members!: number;

  @Field(() => Int)
  learners!: number;
}

@ObjectType({ description: "The register's exact mobility counts (published only after suppression)." })
export class MobilityCounts {
  @Field(() => [MobilityFlowCount])
  flows!: MobilityFlowCount[];

  @Field(() => [MemberCountBucket])
  byMemberCount!: MemberCountBucket[];
}

@Resolver()
export class MobilityResolver {
  @Directive('@inaccessible')
  @Query(() => MobilityCounts, { nullable: true, description: 'Mobility counts from the learner register, for the analytics service (analysts, alliance administrators).' })
  async mobilityCounts(@Ctx() context: LearnersContext): Promise<MobilityCounts> {
    const caller = requireSignedIn(context.principal, 'mobility counts');
    if (!hasRole(caller, 'analyst') && !hasRole(caller, 'alliance-admin')) throw forbidden('Mobility counts are for analysts and alliance administrators.');
    const knex = context.em.getKnex();
    const reads = context.reads ?? READ_IN_PROCESS;
    // The home member: the member of the learner's first account (ties by member id).
    const flows = await reads.rows<{ home: string; host: string; learners: number | string }>(knex
      .with('ranked', knex.raw('select learner_id, member_id, row_number() over (partition by learner_id order by linked_at, member_id) as rn from learner_account_link'))
      .select('h.member_id as home', 'l.member_id as host')
      .count({ learners: '*' })
      .from('ranked as h')
      .join('learner_account_link as l', function joinOthers() {
        this.on('l.learner_id', '=', 'h.learner_id').andOn('l.member_id', '<>', 'h.member_id');
      })
      .where('h.rn', 1)
      .groupBy('h.member_id', 'l.member_id'));
    const buckets = await reads.rows<{ members: number | string; learners: number | string }>(knex
      .select('c as members')
      .count({ learners: '*' })
      .from(knex('learner_account_link').select('learner_id').count({ c: '*' }).groupBy('learner_id').as('per'))
      .groupBy('c'));
    return {
      flows: flows.map((row) => ({ home: row.home, host: row.host, learners: Number(row.learners) })).sort((a, b) => a.home.localeCompare(b.home) || a.host.localeCompare(b.host)),
      byMemberCount: buckets.map((row) => ({ members: Number(row.members), learners: Number(row.learners) })).sort((a, b) => a.members - b.members),
    };
  }
}
