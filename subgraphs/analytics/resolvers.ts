// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Field, FieldResolver, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { parseGlobalId } from '../../lib/ids.js';
import type { AnalyticsContext } from './context.js';
import { checkSummaryAccess, feedbackView, submitFeedback, summarise, withheldOfferings } from './feedback.js';
import { Institution, Learner, LearningOpportunity, OfferingFeedbackInput, OfferingFeedbackView, QualitySummary } from './model.js';
import { OfferingFeedback } from './records.js';
import { StatisticsQueryResolver } from './statistics-resolvers.js';
import { OutcomesQueryResolver } from './outcomes-resolvers.js';
import { ImpactQueryResolver } from './impact-resolvers.js';

@ObjectType({ description: 'What came of giving feedback.' })
export class SubmitFeedbackPayload {
  @Field(() => OfferingFeedbackView)
  feedback!: OfferingFeedbackView;

  @Field(() => Boolean, { description: 'True for first feedback on this offering; false when your earlier feedback was changed (or stayed as it was).' })
  created!: boolean;

  @Field(() => Boolean, { description: 'False when the same feedback was sent again: nothing changed.' })
  changed!: boolean;
}

@Resolver()
export class FeedbackMutationResolver {
  @Mutation(() => SubmitFeedbackPayload, {
    description:
      "Gives feedback on the offering of one of your enrolments (learners; ENROLLED or COMPLETED): ratings 1–5 on content, workload against the ECTS, assessment, support and relevance, and an optional comment. One feedback per offering: sending again within the editing period changes it (a new revision), the same feedback again changes nothing. The member sees only aggregates over k or more responses.",
  })
  submitOfferingFeedback(@Arg('input', () => OfferingFeedbackInput) input: OfferingFeedbackInput, @Ctx() context: AnalyticsContext): Promise<SubmitFeedbackPayload> {
    return submitFeedback(context, input);
  }
}

@Resolver(() => Learner)
export class LearnerFeedbackResolver {
  @FieldResolver(() => [OfferingFeedbackView], { nullable: true, description: 'The feedback you gave, newest first (the learner only).' })
  async feedback(@Root() learner: Learner, @Ctx() context: AnalyticsContext): Promise<OfferingFeedbackView[]> {
    const caller = requireSignedIn(context.principal, 'feedback');
    if (!hasRole(caller, 'learner') || caller.learnerId !== learner.id) throw forbidden('Only the learner sees the feedback they gave.');
    const rows = await context.em.find(OfferingFeedback, { learnerId: learner.id }, { orderBy: { createdAt: 'desc', id: 'asc' } });
    return rows.map((row) => feedbackView(row, context.service.editableDays));
  }
}

@Resolver(() => LearningOpportunity)
export class OfferingQualityResolver {
  @FieldResolver(() => QualitySummary, {
    nullable: true,
    description: "Learners' feedback on this offering, aggregated (analysts, alliance administrators, the offering member's staff): every figure over at least k responses, and withheld too when the member's summary would otherwise give a withheld offering away; comments for the member's own staff only.",
  })
  async qualitySummary(@Root() offering: LearningOpportunity, @Ctx() context: AnalyticsContext): Promise<QualitySummary> {
    const memberId = parseGlobalId(offering.id)?.memberId ?? '';
    const caller = checkSummaryAccess(context, memberId);
    const memberRows = await context.loaders.feedbackByMember.load(memberId);
    const rows = memberRows.filter((row) => row.offeringId === offering.id);
    context.withheldOfferings ??= new Map();
    const withheldHere = context.withheldOfferings.get(memberId) ?? withheldOfferings(memberRows, context.service.k);
    context.withheldOfferings.set(memberId, withheldHere);
    const withheld = withheldHere.has(offering.id);
    // The response rate needs the member's enrolment count (withheld by the member when small: then no rate).
    context.enrolmentCounts ??= context.loaders.enrolments(caller);
    const enrolments = !withheld && rows.length >= context.service.k ? await context.enrolmentCounts.load(offering.id) : null;
    const ownStaff = hasRole(caller, 'member-staff') && caller.memberId === memberId;
    return summarise(rows, context.service.k, { enrolments, withComments: ownStaff, withheld });
  }
}

@Resolver(() => Institution)
export class InstitutionQualityResolver {
  @FieldResolver(() => QualitySummary, {
    nullable: true,
    description: "Learners' feedback on all of this member's offerings, aggregated (analysts, alliance administrators, the member's staff); no comments at this level.",
  })
  async qualitySummary(@Root() institution: Institution, @Ctx() context: AnalyticsContext): Promise<QualitySummary> {
    checkSummaryAccess(context, institution.id);
    const rows = await context.loaders.feedbackByMember.load(institution.id);
    return summarise(rows, context.service.k, { withComments: false });
  }
}

export const analyticsResolvers = [FeedbackMutationResolver, LearnerFeedbackResolver, OfferingQualityResolver, InstitutionQualityResolver, StatisticsQueryResolver, OutcomesQueryResolver, ImpactQueryResolver] as const;
