// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';

/*
 * The GraphQL types of learner feedback and quality-assurance summaries
 * (docs/analytics.md). Summaries are aggregates only: a figure over fewer
 * than k responses is withheld, and comments go only to the offering
 * member's own staff, without dates or any learner identity.
 */

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An alliance learner; the learners subgraph owns it.' })
export class Learner {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An offering of a member; the member owns it.' })
export class LearningOpportunity {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An alliance member; the member owns it.' })
export class Institution {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'Ratings 1 (poor) to 5 (excellent); for workload, 1 = far less work than the ECTS suggest, 3 = as stated, 5 = far more.' })
export class FeedbackRatings {
  @Field(() => Int, { description: 'The content: clear, up to date, well organised.' })
  content!: number;

  @Field(() => Int, { description: 'The workload against the ECTS credits (1 far less, 3 as stated, 5 far more).' })
  workload!: number;

  @Field(() => Int, { description: 'The assessment: fair, matching what was taught.' })
  assessment!: number;

  @Field(() => Int, { description: 'Support from teachers and the member.' })
  support!: number;

  @Field(() => Int, { description: 'Relevance for your goals (studies, work, society).' })
  relevance!: number;
}

@InputType({ description: 'Ratings 1–5 on each quality dimension (see FeedbackRatings).' })
export class FeedbackRatingsInput {
  @Field(() => Int)
  content!: number;

  @Field(() => Int)
  workload!: number;

  @Field(() => Int)
  assessment!: number;

  @Field(() => Int)
  support!: number;

  @Field(() => Int)
  relevance!: number;
}

@InputType({ description: 'Feedback on an offering you were enrolled in.' })
export class OfferingFeedbackInput {
  @Field(() => ID, { description: 'Your enrolment (ENROLLED or COMPLETED), e.g. "tuni.fi:enr-…".' })
  enrolmentId!: string;

  @Field(() => FeedbackRatingsInput)
  ratings!: FeedbackRatingsInput;

  @Field(() => String, { nullable: true, description: "A comment (up to 2,000 characters). The member's staff read comments only once k or more learners gave feedback, without names or dates; analysts never." })
  comment?: string | null;
}

@ObjectType({ description: 'Your feedback on an offering (only you see it as such).' })
export class OfferingFeedbackView {
  @Field(() => ID)
  id!: string;

  @Field(() => LearningOpportunity)
  offering!: LearningOpportunity;

  @Field(() => ID, { description: 'The enrolment it was given for.' })
  enrolmentId!: string;

  @Field(() => FeedbackRatings)
  ratings!: FeedbackRatings;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => Int, { description: 'Each change a new revision, from 1.' })
  revision!: number;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;

  @Field(() => DateTimeISOResolver, { description: 'Until when you can change it.' })
  editableUntil!: Date;
}

@ObjectType({ description: 'Average ratings (1–5, one decimal).' })
export class FeedbackAverages {
  @Field(() => Float)
  content!: number;

  @Field(() => Float)
  workload!: number;

  @Field(() => Float)
  assessment!: number;

  @Field(() => Float)
  support!: number;

  @Field(() => Float)
  relevance!: number;

  @Field(() => Float, { description: 'The mean of content, assessment, support and relevance (workload is not better or worse by being higher).' })
  overall!: number;
}

@ObjectType({ description: 'Responses in one month (of the feedback being given).' })
export class QualityMonth {
  @Field(() => String, { description: 'YYYY-MM.' })
  month!: string;

  @Field(() => Int, { nullable: true, description: 'Responses; null when withheld.' })
  responses!: number | null;

  @Field(() => Float, { nullable: true, description: 'Overall average; null when withheld.' })
  overall!: number | null;

  @Field(() => Boolean, { description: 'Withheld: fewer than k responses, or hidden so that another withheld month cannot be worked out from the total.' })
  withheld!: boolean;
}

@ObjectType({ description: "A quality-assurance summary of learners' feedback: aggregates only, each over at least k responses." })
export class QualitySummary {
  @Field(() => Int, { description: 'The k applied: figures over fewer responses are withheld.' })
  k!: number;

  @Field(() => Boolean, { description: 'Fewer than k responses: every figure below is withheld.' })
  withheld!: boolean;

  @Field(() => Int, { nullable: true, description: 'Responses (null when withheld).' })
  responses!: number | null;

  @Field(() => Float, { nullable: true, description: 'Responses per enrolment (0–1), when the member publishes the offering\'s enrolment count.' })
  responseRate!: number | null;

  @Field(() => FeedbackAverages, { nullable: true })
  averages!: FeedbackAverages | null;

  @Field(() => Float, { nullable: true, description: 'Share of responses saying the workload is more than the ECTS suggest (workload 4–5).' })
  workloadMoreThanStated!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of responses saying the workload is less than the ECTS suggest (workload 1–2).' })
  workloadLessThanStated!: number | null;

  @Field(() => [QualityMonth], { description: 'Responses per month, oldest first (empty when withheld).' })
  trend!: QualityMonth[];

  @Field(() => [String], { nullable: true, description: "Comments, in alphabetical order, without names or dates: the offering member's own staff only, once k or more responses exist (null otherwise)." })
  comments!: string[] | null;
}
