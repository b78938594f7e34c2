import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { addAuditRow } from '../../lib/audited-writes.js';
import { badUserInput } from '../../lib/errors.js';
import { parseGlobalId } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { callService } from '../../lib/subgraph-calls.js';
import { suppress } from '../../lib/suppression.js';
import type { AnalyticsContext } from './context.js';
import type { FeedbackRatingsInput, OfferingFeedbackInput, OfferingFeedbackView, QualitySummary } from './model.js';
import { AnalyticsAudit, OfferingFeedback } from './records.js';

/*
 * Learner feedback for quality assurance (docs/analytics.md, "Feedback").
 * A learner who was enrolled (ENROLLED or COMPLETED, as the member holds it)
 * gives feedback once per offering and may change it for a while; summaries
 * are aggregates over at least k responses, months withheld with
 * complementary suppression, comments only for the offering member's staff.
 */

export const DIMENSIONS = ['content', 'workload', 'assessment', 'support', 'relevance'] as const;
const QUALITY = ['content', 'assessment', 'support', 'relevance'] as const;
const MAX_COMMENT = 2_000;
const ELIGIBLE = new Set(['ENROLLED', 'COMPLETED']);

const ENROLMENT_QUERY = /* GraphQL */ `
  query FeedbackEnrolment($id: ID!) {
    enrolment(id: $id) { id status learnerAccount { learner { id } } opportunity { id ects institution { id } } }
  }
`;

interface EnrolmentAnswer {
  enrolment: { id: string; status: string; learnerAccount: { learner: { id: string } | null }; opportunity: { id: string; ects: number; institution: { id: string } } } | null;
}

function checkRatings(ratings: FeedbackRatingsInput): void {
  for (const dimension of DIMENSIONS) {
    const value = ratings[dimension];
    if (!Number.isInteger(value) || value < 1 || value > 5) throw badUserInput(`"input.ratings.${dimension}" must be 1 to 5; got ${value}.`, `input.ratings.${dimension}`);
  }
}

function checkComment(comment: string | null | undefined): string | null {
  if (comment === null || comment === undefined) return null;
  const text = comment.trim();
  if (text.length === 0) return null;
  if (text.length > MAX_COMMENT) throw badUserInput(`"input.comment" may be at most ${MAX_COMMENT} characters.`, 'input.comment');
  // Line breaks are fine in a comment; other control characters are not.
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) throw badUserInput('"input.comment" must not contain control characters.', 'input.comment');
  return text;
}

export function feedbackView(row: OfferingFeedback, editableDays: number): OfferingFeedbackView {
  return {
    id: row.id,
    offering: { id: row.offeringId },
    enrolmentId: row.enrolmentId,
    ratings: { content: row.content, workload: row.workload, assessment: row.assessment, support: row.support, relevance: row.relevance },
    comment: row.comment ?? null,
    revision: row.revision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    editableUntil: new Date(row.createdAt.getTime() + editableDays * 86_400_000),
  };
}

/** What the audit keeps of a feedback: the ratings, and only whether there is a comment. */
function auditView(row: OfferingFeedback): Record<string, unknown> {
  return { offeringId: row.offeringId, enrolmentId: row.enrolmentId, ...Object.fromEntries(DIMENSIONS.map((dimension) => [dimension, row[dimension]])), comment: row.comment ? 'given' : null, revision: row.revision };
}

/** The learner's enrolment as the member holds it (read as the learner: the member's access rules apply). */
async function learnersEnrolment(context: AnalyticsContext, caller: SignedIn, enrolmentId: string): Promise<NonNullable<EnrolmentAnswer['enrolment']>> {
  const none = () => new GraphQLError('You have no enrolment with this id.', { extensions: { code: 'NOT_FOUND', argument: 'input.enrolmentId' } });
  if (!parseGlobalId(enrolmentId)) throw badUserInput('"input.enrolmentId" must be an enrolment id of the form <member id>:<local id>.', 'input.enrolmentId');
  const body = await callService(context.service.sources, 'members', caller, ENROLMENT_QUERY, { id: enrolmentId }, 'no feedback was saved');
  const enrolment = (body.data as EnrolmentAnswer | null | undefined)?.enrolment ?? null;
  if (!enrolment) {
    const code = body.errors?.[0]?.extensions?.['code'];
    // Someone else's enrolment and one that does not exist look the same; a member that is down says so.
    if (code === 'MEMBER_UNAVAILABLE' || code === 'MEMBER_ERROR') throw new GraphQLError(body.errors?.[0]?.message ?? 'The member did not answer.', { extensions: { code: String(code) } });
    throw none();
  }
  if (enrolment.learnerAccount.learner?.id !== caller.learnerId) throw none();
  return enrolment;
}

/** Gives or changes the learner's feedback on the offering of one of their enrolments. */
export async function submitFeedback(context: AnalyticsContext, input: OfferingFeedbackInput): Promise<{ feedback: OfferingFeedbackView; created: boolean; changed: boolean }> {
  const caller = requireSignedIn(context.principal, 'feedback');
  if (!hasRole(caller, 'learner') || !caller.learnerId) throw forbidden('Only a learner gives feedback, on offerings they were enrolled in.');
  checkRatings(input.ratings);
  const comment = checkComment(input.comment);
  const enrolment = await learnersEnrolment(context, caller, input.enrolmentId);
  if (!ELIGIBLE.has(enrolment.status)) {
    throw new GraphQLError(`Feedback is for offerings you were enrolled in (ENROLLED or COMPLETED); this enrolment is ${enrolment.status}.`, { extensions: { code: 'NOT_ELIGIBLE', argument: 'input.enrolmentId' } });
  }
  const { service } = context;
  const now = service.now();
  const values = { content: input.ratings.content, workload: input.ratings.workload, assessment: input.ratings.assessment, support: input.ratings.support, relevance: input.ratings.relevance, comment };
  return context.em.fork().transactional(async (em) => {
    const tx = em as SqlEntityManager;
    const existing = await tx.findOne(OfferingFeedback, { learnerId: caller.learnerId, offeringId: enrolment.opportunity.id });
    if (existing) {
      const editableUntil = new Date(existing.createdAt.getTime() + service.editableDays * 86_400_000);
      const same = DIMENSIONS.every((dimension) => existing[dimension] === values[dimension]) && (existing.comment ?? null) === comment;
      if (same) return { feedback: feedbackView(existing, service.editableDays), created: false, changed: false };
      if (now > editableUntil) {
        throw new GraphQLError(`Feedback can be changed for ${service.editableDays} days after it was given; this one was fixed on ${editableUntil.toISOString().slice(0, 10)}.`, { extensions: { code: 'INVALID_STATE' } });
      }
      const before = auditView(existing);
      Object.assign(existing, values, { updatedAt: now, revision: existing.revision + 1, enrolmentId: enrolment.id });
      addAuditRow(tx, AnalyticsAudit, caller, 'changeOfferingFeedback', { type: 'OfferingFeedback', id: existing.id }, before, auditView(existing), now);
      await tx.flush();
      return { feedback: feedbackView(existing, service.editableDays), created: false, changed: true };
    }
    const row = tx.create(OfferingFeedback, {
      id: randomUUID(),
      learnerId: caller.learnerId,
      enrolmentId: enrolment.id,
      offeringId: enrolment.opportunity.id,
      memberId: enrolment.opportunity.institution.id,
      ...values,
      ects: enrolment.opportunity.ects,
      createdAt: now,
      updatedAt: now,
      revision: 1,
    } as never);
    addAuditRow(tx, AnalyticsAudit, caller, 'submitOfferingFeedback', { type: 'OfferingFeedback', id: row.id }, null, auditView(row), now);
    await tx.flush();
    return { feedback: feedbackView(row, service.editableDays), created: true, changed: true };
  });
}

/** Analysts and alliance administrators see every member's summaries; a member's staff their own member's. */
export function checkSummaryAccess(context: AnalyticsContext, memberId: string): SignedIn {
  const caller = requireSignedIn(context.principal, 'quality summaries');
  if (hasRole(caller, 'analyst') || hasRole(caller, 'alliance-admin')) return caller;
  if (hasRole(caller, 'member-staff') && caller.memberId === memberId) return caller;
  throw forbidden(`Quality summaries of ${memberId} are for analysts, alliance administrators and its own staff.`);
}

/**
 * Which of a member's offerings have their summary withheld: the response
 * counts per offering and the member's total form one published table, so
 * beside those under k a complementary one is withheld too - otherwise the
 * member's summary minus the others would give a withheld offering's count
 * (and with it its average) away.
 */
export function withheldOfferings(rows: readonly OfferingFeedback[], k: number): Set<string> {
  const offerings = [...new Set(rows.map((row) => row.offeringId))].sort();
  const counts = offerings.map((id) => rows.filter((row) => row.offeringId === id).length);
  const { suppressed } = suppress([...counts, rows.length], [{ total: counts.length, parts: counts.map((_, index) => index) }], k);
  return new Set(offerings.filter((_, index) => suppressed[index]));
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * The summary of a set of feedback rows. `enrolments`: the offering's
 * enrolment count when known (for the response rate). Comments only when
 * `withComments` (the offering member's own staff) and k or more responses.
 */
export function summarise(rows: readonly OfferingFeedback[], k: number, options: { enrolments?: number | null; withComments: boolean; withheld?: boolean }): QualitySummary {
  if (rows.length < k || options.withheld) {
    return { k, withheld: true, responses: null, responseRate: null, averages: null, workloadMoreThanStated: null, workloadLessThanStated: null, trend: [], comments: null };
  }
  const mean = (pick: (row: OfferingFeedback) => number) => rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
  const overallOf = (row: OfferingFeedback) => QUALITY.reduce((sum, dimension) => sum + row[dimension], 0) / QUALITY.length;
  const averages = {
    content: round(mean((row) => row.content)),
    workload: round(mean((row) => row.workload)),
    assessment: round(mean((row) => row.assessment)),
    support: round(mean((row) => row.support)),
    relevance: round(mean((row) => row.relevance)),
    overall: round(mean(overallOf)),
  };
  // Responses per month, with their total: a month under k is withheld, and another one with it so that the total does not give it away.
  const byMonth = new Map<string, OfferingFeedback[]>();
  for (const row of rows) {
    const month = row.createdAt.toISOString().slice(0, 7);
    const group = byMonth.get(month);
    if (group) group.push(row);
    else byMonth.set(month, [row]);
  }
  const months = [...byMonth.keys()].sort();
  const counts = months.map((month) => (byMonth.get(month) as OfferingFeedback[]).length);
  const { suppressed } = suppress([...counts, rows.length], [{ total: counts.length, parts: counts.map((_, index) => index) }], k);
  const trend = months.map((month, index) => {
    const group = byMonth.get(month) as OfferingFeedback[];
    const withheld = Boolean(suppressed[index]);
    return { month, withheld, responses: withheld ? null : group.length, overall: withheld ? null : round(group.reduce((sum, row) => sum + overallOf(row), 0) / group.length) };
  });
  const enrolments = options.enrolments ?? null;
  return {
    k,
    withheld: false,
    responses: rows.length,
    responseRate: enrolments && enrolments > 0 ? round(Math.min(1, rows.length / enrolments), 2) : null,
    averages,
    workloadMoreThanStated: round(rows.filter((row) => row.workload >= 4).length / rows.length, 2),
    workloadLessThanStated: round(rows.filter((row) => row.workload <= 2).length / rows.length, 2),
    trend,
    comments: options.withComments ? rows.flatMap((row) => (row.comment ? [row.comment] : [])).sort((a, b) => a.localeCompare(b)) : null,
  };
}
