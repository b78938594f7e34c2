// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Field, ID, InputType } from 'type-graphql';
import { EnrolmentDecision, EnrolmentDeclineReason } from './enums.js';

/*
 * The enrolment inputs of the member contract. The learners subgraph's
 * `applyForOffering` takes the same input (one definition, so the two
 * subgraphs' types cannot drift apart) and passes it on to the member.
 */

@InputType({ description: 'Who you are, for the member to create your account there (only when you have none at that member yet).' })
export class ApplicantDetailsInput {
  @Field(() => String, { description: '1–128 characters.' })
  givenName!: string;

  @Field(() => String, { description: '1–128 characters.' })
  familyName!: string;

  @Field(() => String, { description: 'Where the member writes to you about the application.' })
  email!: string;
}

@InputType({ description: 'An application for an offering.' })
export class EnrolmentApplicationInput {
  @Field(() => ID, { description: 'The offering, e.g. "tuni.fi:mm-101".' })
  opportunityId!: string;

  @Field(() => String, { description: "The language you will follow it in: one of the offering's `languages` (ISO 639-1)." })
  language!: string;

  @Field(() => Boolean, { nullable: true, description: "Your declaration that you meet the offering's `prerequisites` (required when it has any; staff check it before admitting you)." })
  prerequisitesMet?: boolean | null;

  @Field(() => ApplicantDetailsInput, { nullable: true, description: 'Needed only when you have no account at this member yet.' })
  applicant?: ApplicantDetailsInput | null;
}

@InputType({ description: "The member's staff's decision on an application." })
export class EnrolmentDecisionInput {
  @Field(() => EnrolmentDecision)
  decision!: EnrolmentDecision;

  @Field(() => EnrolmentDeclineReason, { nullable: true, description: 'Why, when declining (required then).' })
  reason?: EnrolmentDeclineReason | null;

  @Field(() => String, { nullable: true, description: 'A note the learner sees (1–500 characters; required for reason OTHER).' })
  note?: string | null;
}

