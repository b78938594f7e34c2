import { randomUUID, createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badUserInput, checkedText, unknownMember } from '../../lib/errors.js';
import { isMemberId, parseGlobalId } from '../../lib/ids.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { actingLearner, mayReadRequest, requestNotFound } from './access.js';
import { audit, idempotentWrite } from './audit.js';
import type { RecognitionContext } from './context.js';
import { ActorRole, EvidenceKind, RecognitionAction, RecognitionState, RecognitionTargetKind } from './enums.js';
import { checkedLongText, resolveEvidence, type ResolvedEvidence } from './evidence.js';
import type { EvidenceInput, SubmitRecognitionRequestInput } from './inputs.js';
import { RecognitionEvent, RecognitionEvidence, RecognitionRequest } from './records.js';
import { callSubgraph } from './sources.js';

/*
 * Submitting a recognition request: check the target at the deciding member,
 * read the evidence as the learner (evidence.ts), record the learner's
 * consent to share exactly that evidence, and store the request with its
 * first history step in one transaction (with its audit row and idempotency
 * key). A request the member's published rules cover is decided in the same
 * transaction (rules.ts).
 */

/** States in which a request still claims its evidence (a rejected or withdrawn one frees it). */
const CLAIMING = [RecognitionState.SUBMITTED, RecognitionState.MORE_INFORMATION_NEEDED, RecognitionState.RECOGNISED, RecognitionState.PARTIALLY_RECOGNISED, RecognitionState.APPEALED];

interface TargetFacts {
  kind: RecognitionTargetKind;
  offeringId: string | null;
  title: string;
  ects: number;
  eqfLevel: number | null;
  iscedF: string | null;
}

const OFFERING_QUERY = /* GraphQL */ `
  query RecognitionTarget($ids: [_Any!]!) {
    offerings: _entities(representations: $ids) { ... on LearningOpportunity { id title ects eqfLevel iscedF institution { id } } }
  }
`;

/** Rounds to hundredths: ECTS come as 1.5, 2.5… and sums must not drift. */
export const ects = (value: number): number => Math.round(value * 100) / 100;

function checkedEcts(value: number, argument: string, max: number): number {
  if (!Number.isFinite(value) || value <= 0 || value > max) throw badUserInput(`"${argument}" must be more than 0 and at most ${max}.`, argument);
  return ects(value);
}

async function readTarget(context: RecognitionContext, input: SubmitRecognitionRequestInput): Promise<TargetFacts> {
  if (Boolean(input.offeringId) === Boolean(input.creditSlot)) throw badUserInput('Name exactly one target: "input.offeringId" or "input.creditSlot".', 'input.offeringId');
  if (input.creditSlot) {
    const slot = input.creditSlot;
    if (!Number.isInteger(slot.eqfLevel) || slot.eqfLevel < 1 || slot.eqfLevel > 8) throw badUserInput('"input.creditSlot.eqfLevel" must be an EQF level from 1 to 8.', 'input.creditSlot.eqfLevel');
    if (slot.iscedF !== null && slot.iscedF !== undefined && !/^\d{2,4}$/.test(slot.iscedF)) throw badUserInput('"input.creditSlot.iscedF" must be an ISCED-F code of 2 to 4 digits, e.g. "0731".', 'input.creditSlot.iscedF');
    return {
      kind: RecognitionTargetKind.CREDIT_SLOT,
      offeringId: null,
      title: checkedText(slot.area, 'input.creditSlot.area', 2, 200) as string,
      ects: checkedEcts(slot.ects, 'input.creditSlot.ects', 60),
      eqfLevel: slot.eqfLevel,
      iscedF: slot.iscedF ?? null,
    };
  }
  const offeringId = input.offeringId as string;
  const parsed = parseGlobalId(offeringId);
  if (!parsed) throw badUserInput('"input.offeringId" must be a hub id of the form <member id>:<local id>, e.g. "dcu.ie:co-301".', 'input.offeringId');
  if (parsed.memberId !== input.memberId) throw badUserInput(`"input.offeringId" must be an offering of the deciding member ${input.memberId}.`, 'input.offeringId');
  const caller = actingLearner(context.principal, 'submit a recognition request');
  const answer = await callSubgraph(context.service.sources, 'members', caller, OFFERING_QUERY, { ids: [{ __typename: 'LearningOpportunity', id: offeringId }] });
  const offering = (answer.data?.['offerings'] as ({ id: string; title: string; ects: number; eqfLevel: number; iscedF: string | null; institution: { id: string } } | null)[] | undefined)?.[0];
  if (!offering || offering.id !== offeringId) {
    const unavailable = (answer.errors ?? []).find((error) => error.extensions?.['code'] === 'MEMBER_UNAVAILABLE');
    if (unavailable) throw new GraphQLError(`${unavailable.message.replace(/; its data is missing from this response\.?$/, '')}; nothing was submitted.`, { extensions: { code: 'MEMBER_UNAVAILABLE', member: input.memberId } });
    throw new GraphQLError(`${input.memberId} has no offering "${offeringId}".`, { extensions: { code: 'NOT_FOUND', argument: 'input.offeringId' } });
  }
  return { kind: RecognitionTargetKind.OFFERING, offeringId, title: offering.title.slice(0, 500), ects: ects(offering.ects), eqfLevel: offering.eqfLevel, iscedF: offering.iscedF };
}

/** The identity of a piece of evidence across requests (external credentials by their id or digest). */
export function evidenceKey(item: Pick<RecognitionEvidence, 'kind' | 'reference' | 'achievementId' | 'reflection'>): string {
  if (item.achievementId) return `achievement:${item.achievementId}`;
  if (item.reference) return `${item.kind}:${item.reference}`;
  return `portfolio:${createHash('sha256').update(item.reflection ?? '').digest('hex')}`;
}

/** The request's fingerprint for idempotency: external documents by digest, so the key record stays small. */
function submissionParts(input: SubmitRecognitionRequestInput): unknown {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  const evidence = input.evidence.map((item: EvidenceInput) => ({
    a: item.achievementId ?? null,
    c: item.credentialId ?? null,
    x: item.externalCredential ? digest(item.externalCredential.trim()) : null,
    p: item.portfolio ? digest(JSON.stringify([item.portfolio.title, item.portfolio.reflection, item.portfolio.links ?? []])) : null,
  }));
  return [input.memberId, input.offeringId ?? null, input.creditSlot ? [input.creditSlot.ects, input.creditSlot.eqfLevel, input.creditSlot.area, input.creditSlot.iscedF ?? null] : null, evidence, input.ectsRequested ?? null, input.statement ?? null];
}

/** Loads a request as the answer to a write, checking that the caller may see it. */
export async function answerRequest(context: RecognitionContext, id: string): Promise<RecognitionRequest> {
  const request = await context.em.fork().findOne(RecognitionRequest, { id });
  if (!request || !mayReadRequest(context.principal, request)) throw requestNotFound();
  return request;
}

/** The evidence ECTS a request may recognise at most: what the verifiable evidence carries (a portfolio is assessed by the member, up to the target). */
export function recognisableEcts(request: Pick<RecognitionRequest, 'evidenceEcts' | 'targetEcts'>, evidence: readonly Pick<RecognitionEvidence, 'kind'>[]): number {
  const portfolio = evidence.some((item) => item.kind === EvidenceKind.PORTFOLIO);
  return ects(portfolio ? request.targetEcts : Math.min(request.evidenceEcts, request.targetEcts));
}

export function addEvidence(tx: SqlEntityManager, requestId: string, items: readonly ResolvedEvidence[], from: number, at: Date): RecognitionEvidence[] {
  return items.map((item, index) => tx.create(RecognitionEvidence, { ...item, requestId, position: from + index, addedAt: at } as RecognitionEvidence));
}

/** Appends a history step (events are never updated). */
export function appendEvent(tx: SqlEntityManager, event: Omit<RecognitionEvent, 'id'>): RecognitionEvent {
  return tx.create(RecognitionEvent, event as RecognitionEvent);
}

export type RuleDecider = (tx: SqlEntityManager, request: RecognitionRequest, evidence: readonly RecognitionEvidence[], at: Date) => Promise<void>;

/** Submits a request for the signed-in learner; the same request again (or a retry with its key) returns the first one. */
export async function submitRequest(
  context: RecognitionContext,
  input: SubmitRecognitionRequestInput,
  clientKey: string | null | undefined,
  decideByRules: RuleDecider,
): Promise<{ request: RecognitionRequest; created: boolean }> {
  const caller = actingLearner(context.principal, 'submit a recognition request');
  const { service } = context;
  if (!isMemberId(input.memberId) || (service.knownMembers && !service.knownMembers.has(input.memberId))) throw unknownMember(input.memberId.slice(0, 253), 'input.memberId');
  if (input.consent !== true) throw badUserInput('"input.consent" must be true: the deciding member can decide only on evidence you share with it.', 'input.consent');
  const statement = checkedLongText(input.statement, 'input.statement', 1, 2000);
  const key = requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey');
  const now = service.now();
  let created = false;
  type Prepared = { existing: string } | { existing: null; target: TargetFacts; evidence: ResolvedEvidence[]; evidenceEcts: number; ectsRequested: number };
  const outcome = await idempotentWrite<RecognitionRequest, Prepared>(
    context.em,
    caller,
    {
      operation: 'submitRecognitionRequest',
      request: submissionParts(input),
      key,
      prepare: async (): Promise<Prepared> => {
        const [target, evidence] = await Promise.all([readTarget(context, input), resolveEvidence(service, caller, input.evidence, 'input.evidence')]);
        const evidenceEcts = ects(evidence.reduce((sum, item) => sum + (item.ects ?? 0), 0));
        const portfolio = evidence.some((item) => item.kind === EvidenceKind.PORTFOLIO);
        if (!portfolio && evidenceEcts <= 0) throw badUserInput('The evidence carries no ECTS credits, so there is nothing to recognise (a portfolio can show non-formal learning).', 'input.evidence');
        const cap = portfolio ? target.ects : Math.min(target.ects, evidenceEcts);
        const ectsRequested = input.ectsRequested === null || input.ectsRequested === undefined ? ects(cap) : checkedEcts(input.ectsRequested, 'input.ectsRequested', 60);
        if (ectsRequested > target.ects) throw badUserInput(`"input.ectsRequested" may be at most the ${target.ects} ECTS of the target.`, 'input.ectsRequested');
        if (!portfolio && ectsRequested > evidenceEcts) throw badUserInput(`"input.ectsRequested" may be at most the ${evidenceEcts} ECTS the evidence carries.`, 'input.ectsRequested');
        // Evidence counts once per member: a request that still claims it is either this same request again, or a clash.
        const earlier = await context.em.fork().find(RecognitionRequest, { learnerId: caller.learnerId, memberId: input.memberId, state: { $in: CLAIMING } });
        const earlierEvidence = earlier.length ? await context.em.fork().find(RecognitionEvidence, { requestId: { $in: earlier.map((row) => row.id) } }) : [];
        const keys = new Set(evidence.map(evidenceKey));
        for (const request of earlier) {
          const theirs = earlierEvidence.filter((item) => item.requestId === request.id).map(evidenceKey);
          const sameTarget = request.targetKind === target.kind && (request.offeringId ?? null) === target.offeringId && (target.offeringId !== null || request.targetTitle === target.title);
          if (sameTarget && theirs.length === keys.size && theirs.every((item) => keys.has(item))) return { existing: request.id };
          const shared = theirs.find((item) => keys.has(item));
          if (shared) throw badUserInput(`Some of this evidence is already in your request ${request.id} to ${input.memberId} (${request.state}); the same credit counts once.`, 'input.evidence');
        }
        return { existing: null, target, evidence, evidenceEcts, ectsRequested };
      },
      write: async (tx, prepared) => {
        if (prepared.existing !== null) return prepared.existing;
        created = true;
        const { target, evidence } = prepared;
        const request = tx.create(RecognitionRequest, {
          id: randomUUID(),
          learnerId: caller.learnerId,
          memberId: input.memberId,
          targetKind: target.kind,
          offeringId: target.offeringId,
          targetTitle: target.title,
          targetEcts: target.ects,
          targetEqfLevel: target.eqfLevel,
          targetIscedF: target.iscedF,
          ectsRequested: prepared.ectsRequested,
          evidenceEcts: prepared.evidenceEcts,
          statement,
          state: RecognitionState.SUBMITTED,
          appealed: false,
          submittedAt: now,
          updatedAt: now,
          decidedAt: null,
          ectsRecognised: null,
          countsAs: null,
          ruleId: null,
          consentedAt: now,
        } as RecognitionRequest);
        const rows = addEvidence(tx, request.id, evidence, 1, now);
        appendEvent(tx, {
          requestId: request.id,
          action: RecognitionAction.SUBMITTED,
          fromState: null,
          toState: RecognitionState.SUBMITTED,
          at: now,
          actorSubject: caller.subject.slice(0, 255),
          actorRole: ActorRole.LEARNER,
          actorMemberId: null,
          message: statement,
        });
        audit(tx, caller, 'submitRecognitionRequest', { type: 'RecognitionRequest', id: request.id }, null, { memberId: request.memberId, target: target.offeringId ?? target.title, evidence: evidence.map(evidenceKey), consentedAt: now.toISOString() }, now);
        await tx.flush();
        await decideByRules(tx, request, rows, now);
        return request.id;
      },
      answer: (id) => answerRequest(context, id),
    },
    now,
  );
  if (outcome.replayed) created = false;
  return { request: outcome.value, created };
}

/** Errors raised while a write is refused: the request must not change (the transaction is rolled back). */
export function invalidState(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_STATE', argument: 'requestId' } });
}
