import type { AccreditationAuthority, MicroCredentialType, OpportunityKind } from '../member/enums.js';
import { ActorRole, EvidenceKind, RecognitionAction, RecognitionOutcome, RecognitionState, RecognitionTargetKind, RejectionReason } from './enums.js';
import type { EvidenceAccreditation, EvidenceCheck, RecognitionActor, RecognitionDecision, RecognitionEvidenceItem, RecognitionHistoryEntry, RecognitionTarget } from './model.js';
import type { RecognitionEvent, RecognitionEvidence, RecognitionRequest } from './records.js';

/* Stored rows → the GraphQL shapes of model.ts. */

const list = (value: string | null | undefined): string[] => (value ? value.split(',').filter(Boolean) : []);

function parsed<T>(value: string | null | undefined): T | null {
  if (!value) return null;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}

export function targetView(request: RecognitionRequest): RecognitionTarget {
  return {
    kind: request.targetKind as RecognitionTargetKind,
    offering: request.offeringId ? { id: request.offeringId } : null,
    title: request.targetTitle,
    ects: request.targetEcts,
    eqfLevel: request.targetEqfLevel ?? null,
    iscedF: request.targetIscedF ?? null,
  };
}

/** `withDocument`: the external credential as sent (the deciding member's staff, who verify it again). */
export function evidenceView(row: RecognitionEvidence, withDocument: boolean): RecognitionEvidenceItem {
  const kind = row.kind as EvidenceKind;
  const verification = parsed<{ checks?: EvidenceCheck[] }>(row.verification);
  return {
    kind,
    achievementId: row.achievementId ?? null,
    credentialId: kind === EvidenceKind.CREDENTIAL || kind === EvidenceKind.EXTERNAL_CREDENTIAL ? (row.reference ?? null) : null,
    title: row.title,
    issuer: row.issuerMemberId ? { id: row.issuerMemberId } : null,
    issuerName: row.issuerName,
    issuerAuthority: (row.issuerAuthority as AccreditationAuthority | null) ?? null,
    ects: row.ects ?? null,
    eqfLevel: row.eqfLevel ?? null,
    passed: row.passed ?? null,
    assessedOn: row.assessedOn ?? null,
    grade: row.grade ?? null,
    gradingScheme: row.gradingScheme ?? null,
    opportunityKind: (row.opportunityKind as OpportunityKind | null) ?? null,
    microCredentialType: (row.microCredentialType as MicroCredentialType | null) ?? null,
    creditBearing: row.creditBearing ?? null,
    externalAccreditation: parsed<EvidenceAccreditation>(row.externalAccreditation),
    skills: list(row.skillList).map((uri) => ({ uri })),
    verification: kind === EvidenceKind.EXTERNAL_CREDENTIAL ? (verification?.checks ?? []) : null,
    document: withDocument ? (row.document ?? null) : null,
    portfolio: kind === EvidenceKind.PORTFOLIO ? { reflection: row.reflection ?? '', links: parsed<string[]>(row.linkList) ?? [] } : null,
    addedAt: row.addedAt,
  };
}

export function actorView(event: RecognitionEvent, withSubject: boolean): RecognitionActor {
  const role = event.actorRole as ActorRole;
  return {
    role,
    member: event.actorMemberId ? { id: event.actorMemberId } : null,
    subject: withSubject && role !== ActorRole.RULE ? event.actorSubject : null,
  };
}

const DECISION_ACTIONS = new Set<string>([RecognitionAction.DECIDED, RecognitionAction.DECIDED_BY_RULE]);

export function isDecision(event: RecognitionEvent): boolean {
  return DECISION_ACTIONS.has(event.action);
}

export function decisionView(event: RecognitionEvent, withSubject: boolean): RecognitionDecision {
  return {
    outcome: event.outcome as RecognitionOutcome,
    ectsRecognised: event.ectsRecognised ?? null,
    convertedGrade: event.convertedGrade ?? null,
    gradingScheme: event.gradingScheme ?? null,
    countsAs: event.countsAs ?? null,
    rejectionReason: (event.rejectionReason as RejectionReason | null) ?? null,
    explanation: event.message ?? null,
    decidedAt: event.at,
    decidedBy: actorView(event, withSubject),
    ruleVersion: event.ruleVersion ?? null,
  };
}

export function historyView(event: RecognitionEvent, withSubject: boolean): RecognitionHistoryEntry {
  return {
    action: event.action as RecognitionAction,
    fromState: (event.fromState as RecognitionState | null) ?? null,
    toState: event.toState as RecognitionState,
    at: event.at,
    actor: actorView(event, withSubject),
    message: event.message ?? null,
    decision: isDecision(event) ? decisionView(event, withSubject) : null,
  };
}
