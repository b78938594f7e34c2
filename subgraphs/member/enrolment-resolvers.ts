// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import { forbidden, requireSignedIn } from '../../lib/access.js';
import { connectionType } from '../../lib/graphql-types.js';
import { pageInIdOrder } from '../../lib/orm.js';
import { pageSize } from '../../lib/pagination.js';
import { isOwnStaff } from './access.js';
import type { MemberContext } from './context.js';
import { EnrolmentApplicationInput, EnrolmentDecisionInput } from './enrolment-inputs.js';
import { applyForOffering, cancelEnrolment, decideEnrolment } from './enrolment.js';
import { EnrolmentDeclineReason, EnrolmentStatus } from './enums.js';
import { Enrolment, Institution, LearningOpportunity } from './model.js';

export const EnrolmentConnection = connectionType(Enrolment, 'Enrolment');

@ObjectType({ description: 'The answer to an application at a member.' })
export class MemberEnrolmentApplication {
  @Field(() => Enrolment)
  enrolment!: Enrolment;

  @Field(() => Boolean, { description: 'True for a new application; false when your open application (or place) for the offering was answered again.' })
  created!: boolean;

  @Field(() => Boolean, { description: 'True when you had no account at this member and one was created.' })
  accountCreated!: boolean;
}

@Resolver()
export class EnrolmentMutationResolver {
  // The portal's mutation is the learners subgraph's `applyForOffering`, which also links a new
  // account in the learner register; this one is what it calls, through the member router.
  @Directive('@inaccessible')
  @Mutation(() => MemberEnrolmentApplication, {
    description: "Applies for one of this member's offerings as the signed-in learner (learners only): checks the enrolment deadline, the language, the declared prerequisites and the places left, creates the learner's account here if there is none, and leaves the application APPLIED for the staff. Applying again while an application is open answers it again.",
  })
  submitEnrolmentApplication(
    @Arg('input', () => EnrolmentApplicationInput) input: EnrolmentApplicationInput,
    @Ctx() context: MemberContext,
    @Arg('homeMember', () => String, { nullable: true, description: "The learner's home member as the learner register knows it (member contract 1.8.0), kept on a new account for the statistics by home member; none: this member." })
    homeMember?: string | null,
  ) {
    return applyForOffering(context, { ...input, homeMember: homeMember ?? null });
  }

  @Mutation(() => Enrolment, {
    description: "Admits (ENROLLED) or declines (NOT_ADMITTED, with a reason) an application (this member's staff only). Admitting checks the places left. The same decision again changes nothing; a different one on a decided enrolment is INVALID_STATE.",
  })
  decideEnrolment(@Arg('id', () => ID) id: string, @Arg('input', () => EnrolmentDecisionInput) input: EnrolmentDecisionInput, @Ctx() context: MemberContext) {
    return decideEnrolment(context, id, input);
  }

  @Mutation(() => Enrolment, {
    description: "Cancels your application or place (WITHDRAWN): the learner it belongs to, or this member's staff for them. Cancelling again changes nothing; a completed or declined enrolment cannot be cancelled (INVALID_STATE).",
  })
  cancelEnrolment(
    @Arg('id', () => ID) id: string,
    @Ctx() context: MemberContext,
    @Arg('reason', () => String, { nullable: true, description: 'Why, for the member (1–500 characters).' }) reason?: string | null,
  ) {
    return cancelEnrolment(context, id, reason);
  }
}

@Resolver(() => Institution)
export class InstitutionEnrolmentsResolver {
  @FieldResolver(() => EnrolmentConnection, {
    nullable: true,
    description: "Enrolments in this member's offerings ordered by id, one page at a time (this member's own staff): e.g. `status: APPLIED` for the applications waiting for a decision.",
  })
  enrolments(
    @Root() institution: Institution,
    @Ctx() context: MemberContext,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
    @Arg('opportunityId', () => ID, { nullable: true, description: 'Only the enrolments in this offering.' }) opportunityId?: string | null,
    @Arg('status', () => EnrolmentStatus, { nullable: true, description: 'Only the enrolments with this status.' }) status?: EnrolmentStatus | null,
  ) {
    requireSignedIn(context.principal, "a member's enrolments");
    if (!isOwnStaff(context) || institution.id !== context.memberId) throw forbidden(`The enrolments at ${context.memberId} are for its own staff.`);
    const base = context.em.getKnex()('enrolment as e');
    if (status) base.where('e.status', status);
    if (opportunityId) base.andWhere('e.opportunity_id', opportunityId);
    return pageInIdOrder(context.em, context.databaseKind, base, { alias: 'e', entity: Enrolment, first: pageSize(first), after: after ?? null });
  }
}

@Resolver(() => LearningOpportunity)
export class OpportunityPlacesResolver {
  @FieldResolver(() => Int, { nullable: true, description: 'Places left (capacity minus learners ENROLLED); null when the offering has no limit.' })
  async placesLeft(@Root() opportunity: LearningOpportunity, @Ctx() context: MemberContext): Promise<number | null> {
    if (opportunity.capacity === null || opportunity.capacity === undefined) return null;
    return Math.max(0, opportunity.capacity - (await context.loaders.placesTaken.load(opportunity.id)));
  }
}

@Resolver(() => Enrolment)
export class EnrolmentReasonResolver {
  @FieldResolver(() => EnrolmentDeclineReason, { nullable: true, description: 'Why an application was declined (NOT_ADMITTED).' })
  declineReason(@Root() enrolment: Enrolment): EnrolmentDeclineReason | null {
    return enrolment.status === EnrolmentStatus.NOT_ADMITTED ? ((enrolment.statusReasonCode as EnrolmentDeclineReason | null | undefined) ?? null) : null;
  }
}

export const enrolmentResolvers = [EnrolmentMutationResolver, InstitutionEnrolmentsResolver, OpportunityPlacesResolver, EnrolmentReasonResolver] as const;
