// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, Directive, Field, ID, Mutation, ObjectType, Resolver } from 'type-graphql';
import { EnrolmentApplicationInput } from '../member/enrolment-inputs.js';
import type { LearnersContext } from './context.js';
import { applyForOffering } from './enrolment.js';
import { LearnerAccount } from './model.js';

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An enrolment at a member; resolved by the member that holds it.' })
export class Enrolment {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'What came of an application for an offering.' })
export class EnrolmentApplication {
  @Field(() => Enrolment, { description: "The application (status APPLIED until the member's staff decide), at the member that runs the offering." })
  enrolment!: Enrolment;

  @Field(() => LearnerAccount, { description: 'Your account at that member.' })
  account!: LearnerAccount;

  @Field(() => Boolean, { description: 'True for a new application; false when your open application (or place) for this offering was answered again.' })
  created!: boolean;

  @Field(() => Boolean, { description: 'True when you had no account at that member and it created one.' })
  accountCreated!: boolean;

  @Field(() => Boolean, { description: 'True when the account was linked to you in the learner register now (it was not before).' })
  accountLinked!: boolean;
}

@Resolver()
export class EnrolmentResolver {
  @Mutation(() => EnrolmentApplication, {
    description:
      "Applies for an offering at any member (learners only). The member checks its enrolment deadline, the language you will follow it in, your declaration that you meet its prerequisites and the places left, and its staff then admit or decline you (`decideEnrolment`); cancel with `cancelEnrolment`. If you have no account at that member it creates one from `applicant`, and the learner register links it to you, so the application shows in `Learner.enrolments` and pathway progress at once. Applying again while the application is open answers it again.",
  })
  async applyForOffering(@Arg('input', () => EnrolmentApplicationInput) input: EnrolmentApplicationInput, @Ctx() context: LearnersContext): Promise<EnrolmentApplication> {
    const result = await applyForOffering(context, context.enrolment, input);
    return {
      enrolment: { id: result.enrolmentId },
      account: { id: result.accountId },
      created: result.created,
      accountCreated: result.accountCreated,
      accountLinked: result.accountLinked,
    };
  }
}
