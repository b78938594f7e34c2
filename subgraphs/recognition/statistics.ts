// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Ctx, Directive, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { RECOGNITION_OUTCOMES, recognitionOutcomeOf } from '../../lib/recognition-outcomes.js';
import type { RecognitionContext } from './context.js';
import { RecognitionRequest } from './records.js';

/*
 * Recognition counts, counted where the requests are: per deciding member,
 * requests by outcome, and the median days from submission to decision.
 * For the analytics service, which publishes them after suppression
 * (docs/analytics.md); exact, hence hidden from clients. The median is
 * computed here, so no request's duration leaves the service.
 */


@ObjectType({ description: "One member's recognition requests with one outcome." })
export class RecognitionOutcomeCount {
  @Field(() => String)
  member!: string;

  @Field(() => String, { description: `One of ${RECOGNITION_OUTCOMES.join(', ')} (APPEALED: decided, then appealed).` })
  outcome!: string;

  @Field(() => Int)
  requests!: number;
}

@ObjectType({ description: 'Time from submission to decision over the decided requests of one member (member null: the alliance).' })
export class DecisionTime {
  @Field(() => String, { nullable: true })
  member!: string | null;

  @Field(() => Int, { description: 'Requests decided (a decision date recorded).' })
  decided!: number;

  @Field(() => Float, { nullable: true, description: 'Median days from submission to decision, one decimal; null without decisions.' })
  medianDays!: number | null;
}

@ObjectType({ description: "Recognition's exact counts (published only after suppression)." })
export class RecognitionCounts {
  @Field(() => [RecognitionOutcomeCount])
  outcomes!: RecognitionOutcomeCount[];

  @Field(() => [DecisionTime], { description: 'Per member, then the alliance (member null).' })
  decisionTimes!: DecisionTime[];
}

const DAY_MS = 86_400_000;
const PAGE = 5_000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.round(value * 10) / 10;
}

@Resolver()
export class RecognitionStatisticsResolver {
  @Directive('@inaccessible')
  @Query(() => RecognitionCounts, { description: 'Recognition requests by member and outcome, and decision times, for the analytics service (analysts, alliance administrators).' })
  async recognitionCounts(@Ctx() context: RecognitionContext): Promise<RecognitionCounts> {
    const caller = requireSignedIn(context.principal, 'recognition counts');
    if (!hasRole(caller, 'analyst') && !hasRole(caller, 'alliance-admin')) throw forbidden('Recognition counts are for analysts and alliance administrators.');
    const counts = new Map<string, RecognitionOutcomeCount>();
    const days = new Map<string, number[]>();
    for (let after = ''; ; ) {
      const page = await context.em.find(RecognitionRequest, { id: { $gt: after } }, { fields: ['id', 'memberId', 'state', 'submittedAt', 'decidedAt'], orderBy: { id: 'asc' }, limit: PAGE });
      for (const request of page) {
        const outcome = recognitionOutcomeOf(request.state);
        const key = `${request.memberId}\u0000${outcome}`;
        const count = counts.get(key) ?? { member: request.memberId, outcome, requests: 0 };
        count.requests += 1;
        counts.set(key, count);
        if (request.decidedAt) {
          const list = days.get(request.memberId) ?? [];
          list.push((request.decidedAt.getTime() - request.submittedAt.getTime()) / DAY_MS);
          days.set(request.memberId, list);
        }
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    const members = [...days.keys()].sort();
    return {
      outcomes: [...counts.values()].sort((a, b) => a.member.localeCompare(b.member) || a.outcome.localeCompare(b.outcome)),
      decisionTimes: [
        ...members.map((member) => ({ member, decided: days.get(member)!.length, medianDays: median(days.get(member)!) })),
        { member: null, decided: [...days.values()].reduce((sum, list) => sum + list.length, 0), medianDays: median([...days.values()].flat()) },
      ],
    };
  }
}
