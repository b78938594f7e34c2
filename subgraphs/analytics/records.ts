import { AuditRecord } from '../../lib/audited-writes.js';

/*
 * What the analytics service stores: learners' feedback on offerings (the
 * quality-assurance side of issue 13) and the audit of every write. Plain
 * classes mapped by database.ts; the GraphQL types are in model.ts.
 */

/** One learner's feedback on one offering: ratings 1–5 on fixed dimensions and an optional comment. */
export class OfferingFeedback {
  id!: string;
  /** The learner; null once they erased their account (the ratings stay in the aggregates, the comment is gone). */
  learnerId?: string | null;
  /** The enrolment it was given for (the member holds it). */
  enrolmentId!: string;
  offeringId!: string;
  memberId!: string;
  content!: number;
  workload!: number;
  assessment!: number;
  support!: number;
  relevance!: number;
  comment?: string | null;
  /** The offering's ECTS when the feedback was given (perceived workload is read against it). */
  ects!: number;
  createdAt!: Date;
  updatedAt!: Date;
  /** Each edit a new revision; editable until `editableUntil`. */
  revision!: number;
}

export class AnalyticsAudit extends AuditRecord {}
