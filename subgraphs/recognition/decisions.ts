import { forbidden, requireSignedIn } from '../../lib/access.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { actingLearner, isDecidingStaff, isOwnRequest, requestNotFound } from './access.js';
import { audit, idempotentWrite } from './audit.js';
import type { RecognitionContext } from './context.js';
import { ActorRole, RecognitionAction, RecognitionOutcome, RecognitionState } from './enums.js';
import { checkedLongText, resolveEvidence, type ResolvedEvidence } from './evidence.js';
import type { DecideRecognitionInput, EvidenceInput } from './inputs.js';
import { RecognitionEvidence, RecognitionRequest } from './records.js';
import { addEvidence, answerRequest, appendEvent, ects, evidenceKey, invalidState, recognisableEcts } from './requests.js';
import { UUID_PATTERN } from '../../lib/ids.js';

/*
 * The steps after submission. Staff of the deciding member decide while a
 * request is open (SUBMITTED, APPEALED, or waiting for information); the
 * learner answers a question, appeals a decision once, or withdraws. Each
 * step appends one history event and moves the request's state with a
 * conditional update (`where state = <the state read>`), so two steps racing
 * on one request cannot both apply: the second finds the state moved on.
 */

export const OPEN_FOR_DECISION: readonly RecognitionState[] = [RecognitionState.SUBMITTED, RecognitionState.APPEALED, RecognitionState.MORE_INFORMATION_NEEDED];
export const DECIDED: readonly RecognitionState[] = [RecognitionState.RECOGNISED, RecognitionState.PARTIALLY_RECOGNISED, RecognitionState.REJECTED];

const STATE_OF: Record<RecognitionOutcome, RecognitionState> = {
  RECOGNISED: RecognitionState.RECOGNISED,
  PARTIALLY_RECOGNISED: RecognitionState.PARTIALLY_RECOGNISED,
  REJECTED: RecognitionState.REJECTED,
  MORE_INFORMATION_NEEDED: RecognitionState.MORE_INFORMATION_NEEDED,
};

/** A decision as it is applied: by staff (checked input) or by a rule. */
export interface DecisionFields {
  outcome: RecognitionOutcome;
  ectsRecognised: number | null;
  convertedGrade: string | null;
  gradingScheme: string | null;
  countsAs: string | null;
  rejectionReason: string | null;
  explanation: string;
  ruleId: string | null;
  ruleVersion: number | null;
}

export interface Actor {
  subject: string;
  role: ActorRole;
  memberId: string | null;
}

/** Moves `request` from the state it was read in; throws INVALID_STATE when another step moved it first. */
async function moveState(tx: SqlEntityManager, request: RecognitionRequest, changes: Partial<RecognitionRequest>): Promise<void> {
  const moved = await tx.nativeUpdate(RecognitionRequest, { id: request.id, state: request.state }, changes);
  if (moved !== 1) throw invalidState('The request changed while this step was being taken; read it again.');
}

/** Applies a decision: a history event, the request's new state and its current decision fields. */
export async function applyDecision(tx: SqlEntityManager, request: RecognitionRequest, decision: DecisionFields, actor: Actor, at: Date): Promise<void> {
  const toState = STATE_OF[decision.outcome];
  const credits = decision.outcome === RecognitionOutcome.RECOGNISED || decision.outcome === RecognitionOutcome.PARTIALLY_RECOGNISED;
  appendEvent(tx, {
    requestId: request.id,
    action: decision.ruleId ? RecognitionAction.DECIDED_BY_RULE : RecognitionAction.DECIDED,
    fromState: request.state,
    toState,
    at,
    actorSubject: actor.subject.slice(0, 255),
    actorRole: actor.role,
    actorMemberId: actor.memberId,
    message: decision.explanation,
    outcome: decision.outcome,
    ectsRecognised: decision.ectsRecognised,
    convertedGrade: decision.convertedGrade,
    gradingScheme: decision.gradingScheme,
    countsAs: decision.countsAs,
    rejectionReason: decision.rejectionReason,
    ruleId: decision.ruleId,
    ruleVersion: decision.ruleVersion,
  });
  // A question leaves the decision in force as it was (an appealed RECOGNISED keeps counting until replaced).
  const current = decision.outcome === RecognitionOutcome.MORE_INFORMATION_NEEDED
    ? {}
    : { decidedAt: at, ectsRecognised: credits ? decision.ectsRecognised : null, countsAs: credits ? decision.countsAs : null, ruleId: decision.ruleId };
  await moveState(tx, request, { state: toState, updatedAt: at, ...current });
}

/** Checks a staff decision against the request; returns the fields to apply. */
export function checkedDecision(input: DecideRecognitionInput, request: RecognitionRequest, evidence: readonly RecognitionEvidence[]): DecisionFields {
  const credits = input.outcome === RecognitionOutcome.RECOGNISED || input.outcome === RecognitionOutcome.PARTIALLY_RECOGNISED;
  const refuses = input.outcome === RecognitionOutcome.REJECTED || input.outcome === RecognitionOutcome.PARTIALLY_RECOGNISED;
  const explanation = checkedLongText(input.explanation, 'input.explanation', 3, 2000) as string;
  let ectsRecognised: number | null = null;
  if (credits) {
    if (input.ectsRecognised === null || input.ectsRecognised === undefined) throw badUserInput(`"input.ectsRecognised" is required for ${input.outcome}.`, 'input.ectsRecognised');
    const most = recognisableEcts(request, evidence);
    if (!Number.isFinite(input.ectsRecognised) || input.ectsRecognised <= 0) throw badUserInput('"input.ectsRecognised" must be more than 0.', 'input.ectsRecognised');
    if (ects(input.ectsRecognised) > most) {
      throw badUserInput(`"input.ectsRecognised" may be at most ${most} ECTS: a recognition never exceeds what the evidence carries (${request.evidenceEcts}) or the target holds (${request.targetEcts}).`, 'input.ectsRecognised');
    }
    ectsRecognised = ects(input.ectsRecognised);
  } else if (input.ectsRecognised !== null && input.ectsRecognised !== undefined) {
    throw badUserInput(`"input.ectsRecognised" belongs to RECOGNISED and PARTIALLY_RECOGNISED decisions only.`, 'input.ectsRecognised');
  }
  if (refuses) {
    if (!input.rejectionReason) throw badUserInput(`"input.rejectionReason" is required for ${input.outcome}: name the substantial difference.`, 'input.rejectionReason');
    if (explanation.length < 20) throw badUserInput('"input.explanation" must explain the substantial difference it names (at least 20 characters): the burden of proof lies with the deciding member.', 'input.explanation');
  } else if (input.rejectionReason) {
    throw badUserInput('"input.rejectionReason" belongs to REJECTED and PARTIALLY_RECOGNISED decisions only.', 'input.rejectionReason');
  }
  if (input.outcome === RecognitionOutcome.MORE_INFORMATION_NEEDED && explanation.length < 10) throw badUserInput('"input.explanation" must ask the learner what is needed (at least 10 characters).', 'input.explanation');
  const convertedGrade = checkedText(input.convertedGrade, 'input.convertedGrade', 1, 32);
  const gradingScheme = checkedText(input.gradingScheme, 'input.gradingScheme', 2, 200);
  if (convertedGrade && !gradingScheme) throw badUserInput('"input.gradingScheme" is required with "input.convertedGrade": name the scale it is on.', 'input.gradingScheme');
  if ((convertedGrade || gradingScheme) && !credits) throw badUserInput('A converted grade belongs to a decision that recognises credit.', 'input.convertedGrade');
  const countsAs = credits ? (checkedText(input.countsAs, 'input.countsAs', 2, 500) ?? request.targetTitle) : null;
  if (!credits && input.countsAs) throw badUserInput('"input.countsAs" belongs to a decision that recognises credit.', 'input.countsAs');
  return { outcome: input.outcome, ectsRecognised, convertedGrade, gradingScheme, countsAs, rejectionReason: input.rejectionReason ?? null, explanation, ruleId: null, ruleVersion: null };
}

/** The request a step acts on, re-read inside the step's transaction; unknown and not-yours look the same. */
async function requestFor(tx: SqlEntityManager, context: RecognitionContext, id: string, may: (request: RecognitionRequest) => boolean): Promise<RecognitionRequest> {
  const request = UUID_PATTERN.test(id) ? await tx.findOne(RecognitionRequest, { id }) : null;
  if (!request || !may(request)) throw requestNotFound();
  return request;
}

function snapshot(request: RecognitionRequest): Record<string, unknown> {
  return { state: request.state, ectsRecognised: request.ectsRecognised ?? null, countsAs: request.countsAs ?? null, appealed: request.appealed };
}

/** A decision by the deciding member's staff. */
export async function decideRequest(context: RecognitionContext, input: DecideRecognitionInput, clientKey: string | null | undefined): Promise<RecognitionRequest> {
  const caller = requireSignedIn(context.principal, 'recognition decisions');
  const key = requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey');
  const now = context.service.now();
  const { value } = await idempotentWrite(
    context.em,
    caller,
    {
      operation: 'decideRecognitionRequest',
      request: input,
      key,
      prepare: async () => undefined,
      write: async (tx) => {
        // The learner may see the request but never decide it; anyone else sees nothing.
        const request = await requestFor(tx, context, input.requestId, (row) => isDecidingStaff(caller, row) || isOwnRequest(caller, row));
        if (!isDecidingStaff(caller, request)) throw forbidden(`Only staff of ${request.memberId} decide this request.`);
        if (!OPEN_FOR_DECISION.includes(request.state as RecognitionState)) {
          throw invalidState(`This request is ${request.state}${request.appealed ? ' after its appeal' : ''}: it is closed to decisions${DECIDED.includes(request.state as RecognitionState) && !request.appealed ? ' unless the learner appeals' : ''}.`);
        }
        const evidence = await tx.find(RecognitionEvidence, { requestId: request.id });
        const decision = checkedDecision(input, request, evidence);
        const before = snapshot(request);
        await applyDecision(tx, request, decision, { subject: caller.subject, role: ActorRole.MEMBER_STAFF, memberId: request.memberId }, now);
        audit(tx, caller, 'decideRecognitionRequest', { type: 'RecognitionRequest', id: request.id }, before, { ...decision, state: STATE_OF[decision.outcome] }, now);
        return request.id;
      },
      answer: (id) => answerRequest(context, id),
    },
    now,
  );
  return value;
}

type LearnerStep = 'appeal' | 'withdraw' | 'answer';

/** A learner's step on their own request: appeal once, withdraw, or answer a question (with more evidence). */
export async function learnerStep(
  context: RecognitionContext,
  step: LearnerStep,
  requestId: string,
  message: string | null | undefined,
  clientKey: string | null | undefined,
  evidenceInputs?: readonly EvidenceInput[] | null,
): Promise<RecognitionRequest> {
  const caller = actingLearner(context.principal, 'act on a recognition request');
  const key = requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey');
  const now = context.service.now();
  const text = step === 'appeal' ? checkedLongText(message, 'grounds', 10, 2000) : step === 'answer' ? checkedLongText(message, 'message', 3, 5000) : checkedLongText(message, 'reason', 1, 500);
  if (step === 'appeal' && !text) throw badUserInput('"grounds" is required: say why the decision should be reviewed.', 'grounds');
  if (step === 'answer' && !text) throw badUserInput('"message" is required: answer the question.', 'message');
  const { value } = await idempotentWrite(
    context.em,
    caller,
    {
      operation: `recognition:${step}`,
      request: [requestId, text, (evidenceInputs ?? []).map((item) => [item.achievementId ?? null, item.credentialId ?? null, item.externalCredential ?? null, item.portfolio ?? null])],
      key,
      prepare: async (): Promise<ResolvedEvidence[]> => (evidenceInputs && evidenceInputs.length > 0 ? resolveEvidence(context.service, caller, evidenceInputs, 'evidence') : []),
      write: async (tx, added) => {
        const request = await requestFor(tx, context, requestId, (row) => isOwnRequest(caller, row));
        const state = request.state as RecognitionState;
        const before = snapshot(request);
        let toState: RecognitionState;
        let action: RecognitionAction;
        if (step === 'appeal') {
          if (!DECIDED.includes(state)) throw invalidState(`Only a decided request can be appealed; this one is ${state}.`);
          if (request.appealed) throw invalidState('This request was appealed once already; the decision after an appeal is final.');
          toState = RecognitionState.APPEALED;
          action = RecognitionAction.APPEALED;
        } else if (step === 'withdraw') {
          if (!OPEN_FOR_DECISION.includes(state)) throw invalidState(`A ${state} request cannot be withdrawn.`);
          toState = RecognitionState.WITHDRAWN;
          action = RecognitionAction.WITHDRAWN;
        } else {
          if (state !== RecognitionState.MORE_INFORMATION_NEEDED) throw invalidState(`The member asked no question on this request (it is ${state}).`);
          toState = request.appealed ? RecognitionState.APPEALED : RecognitionState.SUBMITTED;
          action = RecognitionAction.INFORMATION_PROVIDED;
        }
        if (added.length > 0) {
          const existing = await tx.find(RecognitionEvidence, { requestId: request.id }, { orderBy: { position: 'asc' } });
          const keys = new Set(existing.map(evidenceKey));
          const twice = added.find((item) => keys.has(evidenceKey(item)));
          if (twice) throw badUserInput('Some of this evidence is already in the request.', 'evidence');
          if (existing.length + added.length > 10) throw badUserInput('A request names at most 10 pieces of evidence.', 'evidence');
          addEvidence(tx, request.id, added, existing.length + 1, now);
          const extra = ects(added.reduce((sum, item) => sum + (item.ects ?? 0), 0));
          await tx.nativeUpdate(RecognitionRequest, { id: request.id }, { evidenceEcts: ects(request.evidenceEcts + extra) });
        }
        appendEvent(tx, { requestId: request.id, action, fromState: state, toState, at: now, actorSubject: caller.subject.slice(0, 255), actorRole: ActorRole.LEARNER, actorMemberId: null, message: text });
        await moveState(tx, request, { state: toState, updatedAt: now, ...(step === 'appeal' ? { appealed: true } : {}) });
        audit(tx, caller, `recognition:${step}`, { type: 'RecognitionRequest', id: request.id }, before, { state: toState, evidenceAdded: added.map(evidenceKey) }, now);
        return request.id;
      },
      answer: (id) => answerRequest(context, id),
    },
    now,
  );
  return value;
}
