// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { unknownMember } from '../../lib/errors.js';
import { connectionType } from '../../lib/graphql-types.js';
import { isMemberId, UUID_PATTERN } from '../../lib/ids.js';
import { buildPage, decodeCursor, encodeCursor, pageSize, type Page } from '../../lib/pagination.js';
import { isDecidingStaff, mayReadRequest } from './access.js';
import type { RecognitionContext } from './context.js';
import { RecognitionState } from './enums.js';
import {
  Institution,
  Learner,
  RecognitionConsent,
  RecognitionDecision,
  RecognitionEvidenceItem,
  RecognitionHistoryEntry,
  RecognitionRequest,
  RecognitionRule,
  RecognitionTarget,
  SubmitRecognitionPayload,
} from './model.js';
import { RecognitionRequest as RequestRow } from './records.js';
import { decideRequest, learnerStep } from './decisions.js';
import { DecideRecognitionInput, EvidenceInput, SubmitRecognitionRequestInput } from './inputs.js';
import { submitRequest } from './requests.js';
import { decideByRules } from './rules.js';
import { decisionView, evidenceView, historyView, isDecision, targetView } from './views.js';

export const RecognitionRequestConnection = connectionType(RecognitionRequest, 'RecognitionRequest');

const QUEUE_CURSOR = { order: 'SUBMITTED', shape: ['string', 'string'] as const };

/** A request the caller may see, or null (an unknown id and someone else's look the same). */
export async function readRequest(context: RecognitionContext, id: string): Promise<RequestRow | null> {
  requireSignedIn(context.principal, 'recognition requests');
  if (!UUID_PATTERN.test(id)) return null;
  const request = await context.loaders.request.load(id);
  return request && mayReadRequest(context.principal, request) ? request : null;
}

function checkedStates(states: RecognitionState[] | null | undefined): RecognitionState[] | null {
  return states && states.length > 0 ? [...new Set(states)] : null;
}

@Resolver(() => Learner)
export class LearnerRecognitionResolver {
  @FieldResolver(() => [RecognitionRequest], {
    nullable: true,
    description:
      "The learner's recognition requests, newest first: all of them for the learner, those addressed to their member for a member's staff.",
  })
  async recognitionRequests(
    @Root() learner: Learner,
    @Ctx() context: RecognitionContext,
    @Arg('states', () => [RecognitionState], { nullable: true, description: 'Only requests in these states.' }) states?: RecognitionState[] | null,
  ): Promise<RequestRow[]> {
    const principal = requireSignedIn(context.principal, 'recognition requests');
    const own = hasRole(principal, 'learner') && principal.learnerId === learner.id;
    if (!own && !(hasRole(principal, 'member-staff') && principal.memberId)) throw forbidden("Only the learner and the staff of the members they asked see a learner's recognition requests.");
    const wanted = checkedStates(states);
    const rows = await context.loaders.requestsByLearner.load(learner.id);
    return rows.filter((row) => (own || row.memberId === principal.memberId) && (!wanted || wanted.includes(row.state as RecognitionState)));
  }
}

const CLIENT_KEY = { nullable: true, description: 'An idempotency key (or send the Idempotency-Key header): a retry with the same key gets the same answer and changes nothing more.' };

@Resolver(() => RecognitionRequest)
export class RecognitionRequestResolver {
  @Mutation(() => SubmitRecognitionPayload, {
    description:
      "Asks a member to recognise your evidence towards one of its offerings or a free credit slot (learners only). Shares with that member's staff the evidence named, and nothing else; a request its published rules cover is decided at once. The same request again returns the first one.",
  })
  async submitRecognitionRequest(
    @Arg('input', () => SubmitRecognitionRequestInput) input: SubmitRecognitionRequestInput,
    @Ctx() context: RecognitionContext,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<SubmitRecognitionPayload> {
    const { request, created } = await submitRequest(context, input, clientKey, decideByRules);
    return { request: request as unknown as RecognitionRequest, created };
  }

  @Mutation(() => RecognitionRequest, {
    description:
      "Decides a request (staff of the deciding member): RECOGNISED, PARTIALLY_RECOGNISED, REJECTED (naming the substantial difference) or MORE_INFORMATION_NEEDED. Only open requests (SUBMITTED, APPEALED, waiting for information) take a decision; it is recorded and never edited.",
  })
  async decideRecognitionRequest(
    @Arg('input', () => DecideRecognitionInput) input: DecideRecognitionInput,
    @Ctx() context: RecognitionContext,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<RequestRow> {
    return decideRequest(context, input, clientKey);
  }

  @Mutation(() => RecognitionRequest, { description: 'Appeals the decision on your request, once: it is reopened (APPEALED) for a new decision, which is final.' })
  appealRecognitionDecision(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('grounds', () => String, { description: 'Why the decision should be reviewed (10–2,000 characters).' }) grounds: string,
    @Ctx() context: RecognitionContext,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<RequestRow> {
    return learnerStep(context, 'appeal', requestId, grounds, clientKey);
  }

  @Mutation(() => RecognitionRequest, { description: 'Answers the question of the deciding member (MORE_INFORMATION_NEEDED), optionally with more evidence; the request goes back to the member.' })
  provideRecognitionInformation(
    @Arg('requestId', () => ID) requestId: string,
    @Arg('message', () => String, { description: 'Your answer (3–5,000 characters).' }) message: string,
    @Ctx() context: RecognitionContext,
    @Arg('evidence', () => [EvidenceInput], { nullable: true, description: 'More evidence, shared with the deciding member like the rest.' }) evidence?: EvidenceInput[] | null,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<RequestRow> {
    return learnerStep(context, 'answer', requestId, message, clientKey, evidence);
  }

  @Mutation(() => RecognitionRequest, { description: 'Withdraws your open request; the evidence is then free for another request.' })
  withdrawRecognitionRequest(
    @Arg('requestId', () => ID) requestId: string,
    @Ctx() context: RecognitionContext,
    @Arg('reason', () => String, { nullable: true, description: 'Why, for the record (up to 500 characters).' }) reason?: string | null,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<RequestRow> {
    return learnerStep(context, 'withdraw', requestId, reason, clientKey);
  }

  @Query(() => RecognitionRequest, { nullable: true, description: 'A recognition request by id (its learner, and staff of the deciding member); null when there is none you may see.' })
  recognitionRequest(@Arg('id', () => ID) id: string, @Ctx() context: RecognitionContext): Promise<RequestRow | null> {
    return readRequest(context, id);
  }

  @Query(() => RecognitionRequestConnection, {
    nullable: true,
    description: "The requests addressed to a member, oldest first (the recognition office's queue; that member's staff only).",
  })
  async recognitionRequests(
    @Arg('memberId', () => ID) memberId: string,
    @Ctx() context: RecognitionContext,
    @Arg('states', () => [RecognitionState], { nullable: true, description: 'Only requests in these states (e.g. SUBMITTED, APPEALED: the open ones).' }) states?: RecognitionState[] | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first?: number | null,
  ): Promise<Page<RequestRow>> {
    const principal = requireSignedIn(context.principal, "a member's recognition requests");
    if (!isMemberId(memberId) || (context.service.knownMembers && !context.service.knownMembers.has(memberId))) throw unknownMember(memberId.slice(0, 253), 'memberId');
    if (!isDecidingStaff(principal, { memberId })) throw forbidden(`Only staff of ${memberId} see the recognition requests addressed to it.`);
    const limit = pageSize(first);
    const wanted = checkedStates(states);
    const where: Record<string, unknown> = { memberId, ...(wanted ? { state: { $in: wanted } } : {}) };
    const total = await context.em.count(RequestRow, where);
    if (after) {
      const [at, id] = decodeCursor(after, QUEUE_CURSOR.order, QUEUE_CURSOR.shape) as [string, string];
      const since = new Date(at);
      where['$or'] = [{ submittedAt: { $gt: since } }, { submittedAt: since, id: { $gt: id } }];
    }
    const rows = await context.em.find(RequestRow, where, { orderBy: { submittedAt: 'asc', id: 'asc' }, limit: limit + 1 });
    return buildPage(rows, limit, total, (row) => encodeCursor(QUEUE_CURSOR.order, [row.submittedAt.toISOString(), row.id]), after);
  }

  @FieldResolver(() => Learner)
  learner(@Root() request: RequestRow): Learner {
    return { id: request.learnerId };
  }

  @FieldResolver(() => Institution, { description: 'The deciding member.' })
  member(@Root() request: RequestRow): Institution {
    return { id: request.memberId };
  }

  @FieldResolver(() => RecognitionTarget)
  target(@Root() request: RequestRow): RecognitionTarget {
    return targetView(request);
  }

  @FieldResolver(() => [RecognitionEvidenceItem], { description: 'The evidence the request names, as read when it was named.' })
  async evidence(@Root() request: RequestRow, @Ctx() context: RecognitionContext): Promise<RecognitionEvidenceItem[]> {
    const rows = await context.loaders.evidenceByRequest.load(request.id);
    return rows.map((row) => evidenceView(row, isDecidingStaff(context.principal, request)));
  }

  @FieldResolver(() => [RecognitionHistoryEntry], { description: 'Every step, oldest first: who, when, why. Never edited.' })
  async history(@Root() request: RequestRow, @Ctx() context: RecognitionContext): Promise<RecognitionHistoryEntry[]> {
    const events = await context.loaders.eventsByRequest.load(request.id);
    return events.map((event) => historyView(event, isDecidingStaff(context.principal, request)));
  }

  @FieldResolver(() => RecognitionDecision, { nullable: true, description: 'The decision in force (the latest); earlier ones stay in `history`.' })
  async decision(@Root() request: RequestRow, @Ctx() context: RecognitionContext): Promise<RecognitionDecision | null> {
    const events = await context.loaders.eventsByRequest.load(request.id);
    const latest = events.filter(isDecision).at(-1);
    return latest ? decisionView(latest, isDecidingStaff(context.principal, request)) : null;
  }

  @FieldResolver(() => RecognitionRule, { nullable: true, description: 'The rule that decided it, when one did.' })
  async rule(@Root() request: RequestRow, @Ctx() context: RecognitionContext) {
    return request.ruleId ? context.loaders.rule.load(request.ruleId) : null;
  }

  @FieldResolver(() => Boolean, { description: 'True when the learner may still appeal (decided, not yet appealed).' })
  appealable(@Root() request: RequestRow): boolean {
    return !request.appealed && [RecognitionState.RECOGNISED, RecognitionState.PARTIALLY_RECOGNISED, RecognitionState.REJECTED].includes(request.state as RecognitionState);
  }

  @FieldResolver(() => RecognitionConsent, { description: "The learner's consent to share the named evidence with the deciding member." })
  async consent(@Root() request: RequestRow, @Ctx() context: RecognitionContext): Promise<RecognitionConsent> {
    const rows = await context.loaders.evidenceByRequest.load(request.id);
    return { givenAt: request.consentedAt, sharedWith: { id: request.memberId }, evidenceShared: rows.length };
  }
}
