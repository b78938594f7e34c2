import { badUserInput, checkedText, unknownMember } from '../../lib/errors.js';
import { isMemberId, parseGlobalId, type MemberIds } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { MAY_APPROVE_MICRO_CREDENTIALS } from '../issuance/accreditation.js';
import type { AccreditationAuthority } from '../issuance/facts.js';
import { applyDecision } from './decisions.js';
import { ActorRole, EvidenceKind, RecognitionOutcome, RecognitionState, RecognitionTargetKind, RuleScope } from './enums.js';
import { checkedLongText } from './evidence.js';
import type { RecognitionRuleInput } from './inputs.js';
import { listOf, RecognitionRequest, RecognitionRule, type RecognitionEvidence } from './records.js';
import { ects, recognisableEcts, type RuleDecider } from './requests.js';

/*
 * Automatic recognition: a member's published rules are data (this file reads
 * them; nothing about a rule is code). A rule covers a request when every
 * condition holds for every piece of evidence and the credit fits; it then
 * decides RECOGNISED at once, citing the rule and its version. A rule never
 * refuses (a refusal must name a substantial difference, which is a person's
 * call) and never recognises more than the evidence carries, the request asks
 * or the yearly cap leaves: a request it does not cover waits for staff.
 */

const list = listOf;

export interface RuleEvaluation {
  covers: boolean;
  ectsRecognised: number | null;
  reasons: string[];
}

/** Whether a piece of credit-bearing evidence satisfies the accreditation rule (as issuance applies it). */
function accreditationHolds(item: RecognitionEvidence): { holds: boolean; why: string } {
  if (!item.creditBearing || (item.ects ?? 0) === 0) return { holds: true, why: 'not credit-bearing' };
  const authority = (item.issuerAuthority ?? 'NOT_ASSESSED') as AccreditationAuthority;
  if (MAY_APPROVE_MICRO_CREDENTIALS[authority]) return { holds: true, why: `${item.issuerMemberId} (${authority}) may approve micro-credentials` };
  const record = item.externalAccreditation ? (JSON.parse(item.externalAccreditation) as { reference: string; decidedOn: string; validUntil: string | null }) : null;
  const on = item.assessedOn ?? '';
  if (record && record.decidedOn <= on && (record.validUntil === null || record.validUntil >= on)) return { holds: true, why: `external accreditation ${record.reference} valid on ${on}` };
  return {
    holds: false,
    why: `${item.issuerMemberId ?? item.issuerName} (accreditation authority ${authority}) may not approve credit-bearing micro-credentials, and ${record ? `its external accreditation ${record.reference} was not valid on ${on}` : 'the offering has no external accreditation record'}`,
  };
}

/**
 * What `rule` would decide for `request`: covered or not, with one reason per
 * condition. `usedThisYear`: ECTS this rule already recognised for the learner this calendar year.
 */
export function evaluateRule(rule: RecognitionRule, request: RecognitionRequest, evidence: readonly RecognitionEvidence[], usedThisYear: number): RuleEvaluation {
  const reasons: string[] = [];
  let covers = true;
  const fail = (reason: string) => {
    covers = false;
    reasons.push(`✗ ${reason}`);
  };
  const pass = (reason: string) => reasons.push(`✓ ${reason}`);
  if (!rule.active) fail('the rule is not active');
  if (rule.memberId !== request.memberId) fail(`the rule is ${rule.memberId}'s, the request is addressed to ${request.memberId}`);
  if (rule.scope === RuleScope.CREDIT_SLOTS) {
    if (request.targetKind === RecognitionTargetKind.CREDIT_SLOT) pass(`a credit slot ("${request.targetTitle}")`);
    else fail('the rule covers credit slots; the request is for an offering');
  } else if (request.offeringId && list(rule.offeringList).includes(request.offeringId)) pass(`towards ${request.offeringId}, which the rule lists`);
  else fail('the rule covers only the offerings it lists');

  evidence.forEach((item, index) => {
    const name = `evidence ${index + 1} ("${item.title}")`;
    if (item.kind !== EvidenceKind.ACHIEVEMENT && item.kind !== EvidenceKind.CREDENTIAL) {
      fail(`${name} is ${item.kind === EvidenceKind.PORTFOLIO ? 'a portfolio' : 'a credential from outside the alliance'}: staff assess it`);
      return;
    }
    if (rule.requirePassed && item.passed !== true) fail(`${name} is not a passed assessment`);
    const issuers = list(rule.issuerList);
    if (issuers.length > 0 && !issuers.includes(item.issuerMemberId ?? '')) fail(`${name} is from ${item.issuerMemberId}, not one of ${issuers.join(', ')}`);
    const authorities = list(rule.authorityList);
    if (authorities.length > 0) {
      if (authorities.includes(item.issuerAuthority ?? '')) pass(`${name}: awarding member's authority ${item.issuerAuthority}`);
      else fail(`${name}: the awarding member's authority ${item.issuerAuthority ?? 'unknown'} is not one of ${authorities.join(', ')}`);
    }
    if (rule.eqfMin !== null && rule.eqfMin !== undefined) {
      if ((item.eqfLevel ?? 0) >= rule.eqfMin) pass(`${name}: EQF ${item.eqfLevel} ≥ ${rule.eqfMin}`);
      else fail(`${name}: EQF ${item.eqfLevel ?? 'unknown'} is below ${rule.eqfMin}`);
    }
    const kinds = list(rule.kindList);
    if (kinds.length > 0 && !kinds.includes(item.opportunityKind ?? '')) fail(`${name} is a ${item.opportunityKind ?? 'unknown kind'}, not one of ${kinds.join(', ')}`);
    const types = list(rule.typeList);
    if (types.length > 0 && !types.includes(item.microCredentialType ?? '')) fail(`${name} is of type ${item.microCredentialType ?? 'unknown'}, not one of ${types.join(', ')}`);
    const accreditation = accreditationHolds(item);
    if (accreditation.holds) pass(`${name}: accreditation rule holds (${accreditation.why})`);
    else fail(`${name}: accreditation rule: ${accreditation.why}`);
  });

  // The credit: never more than the evidence carries, the request asks, or the cap leaves.
  const carried = recognisableEcts(request, evidence);
  let amount = ects(Math.min(request.ectsRequested, carried));
  if (rule.fixedEcts !== null && rule.fixedEcts !== undefined) {
    if (rule.fixedEcts > carried) fail(`the rule grants ${rule.fixedEcts} ECTS but the evidence carries ${carried}: a rule never recognises more than the evidence carries`);
    amount = ects(Math.min(rule.fixedEcts, request.ectsRequested));
  }
  if (rule.ectsCapPerYear !== null && rule.ectsCapPerYear !== undefined) {
    const left = ects(Math.max(0, rule.ectsCapPerYear - usedThisYear));
    if (amount > left) fail(`the yearly cap of ${rule.ectsCapPerYear} ECTS leaves ${left} this year; ${amount} are asked`);
    else pass(`within the yearly cap (${usedThisYear} of ${rule.ectsCapPerYear} ECTS used this year)`);
  }
  if (amount <= 0) fail('there is no credit to recognise');
  else if (covers) pass(`recognises ${amount} ECTS (the evidence carries ${request.evidenceEcts})`);
  return { covers, ectsRecognised: covers ? amount : null, reasons };
}

const COUNTING = [RecognitionState.RECOGNISED, RecognitionState.PARTIALLY_RECOGNISED, RecognitionState.APPEALED];

/** ECTS a rule recognised for a learner in the calendar year of `at` (decisions still in force). */
export async function usedThisYear(em: SqlEntityManager, ruleId: string, learnerId: string, at: Date): Promise<number> {
  const year = at.getUTCFullYear();
  const rows = await em.find(RecognitionRequest, {
    ruleId,
    learnerId,
    state: { $in: COUNTING },
    decidedAt: { $gte: new Date(Date.UTC(year, 0, 1)), $lt: new Date(Date.UTC(year + 1, 0, 1)) },
  });
  return ects(rows.reduce((sum, row) => sum + (row.ectsRecognised ?? 0), 0));
}

/** The decider submission uses: the member's active rules in publication order; the first that covers decides. */
export const decideByRules: RuleDecider = async (tx, request, evidence, at) => {
  const rules = await tx.find(RecognitionRule, { memberId: request.memberId, active: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  for (const rule of rules) {
    const evaluation = evaluateRule(rule, request, evidence, await usedThisYear(tx, rule.id, request.learnerId, at));
    if (!evaluation.covers) continue;
    await applyDecision(
      tx,
      request,
      {
        outcome: RecognitionOutcome.RECOGNISED,
        ectsRecognised: evaluation.ectsRecognised,
        convertedGrade: null,
        gradingScheme: null,
        countsAs: rule.countsAs,
        rejectionReason: null,
        explanation: `Recognised at once by the published rule "${rule.name}" (version ${rule.version}).`,
        ruleId: rule.id,
        ruleVersion: rule.version,
      },
      { subject: `rule:${rule.id}`, role: ActorRole.RULE, memberId: rule.memberId },
      at,
    );
    return;
  }
};

function checkedList<T extends string>(values: readonly T[] | null | undefined, argument: string, most: number, check?: (value: T, at: string) => void): string | null {
  if (values === null || values === undefined) return null;
  const unique = [...new Set(values)];
  if (unique.length === 0 || unique.length > most) throw badUserInput(`"${argument}" must list 1 to ${most} values, or be left out.`, argument);
  unique.forEach((value, index) => check?.(value, `${argument}[${index}]`));
  return unique.join(',');
}

/** The stored fields of a rule from its input, or BAD_USER_INPUT naming the field. */
export function checkedRule(input: RecognitionRuleInput, knownMembers: MemberIds | null): Omit<RecognitionRule, 'id' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'> {
  const member = (id: string, argument: string) => {
    if (!isMemberId(id) || (knownMembers && !knownMembers.has(id))) throw unknownMember(id.slice(0, 253), argument);
  };
  member(input.memberId, 'input.memberId');
  const offeringList = checkedList(input.offeringIds, 'input.offeringIds', 100, (id, at) => {
    if (parseGlobalId(id)?.memberId !== input.memberId) throw badUserInput(`"${at}" must be an offering of ${input.memberId}, e.g. "${input.memberId}:co-301".`, at);
  });
  if (input.scope === RuleScope.OFFERINGS && !offeringList) throw badUserInput('"input.offeringIds" is required for scope OFFERINGS.', 'input.offeringIds');
  if (input.scope === RuleScope.CREDIT_SLOTS && offeringList) throw badUserInput('"input.offeringIds" belongs to scope OFFERINGS.', 'input.offeringIds');
  if (input.eqfMin !== null && input.eqfMin !== undefined && (!Number.isInteger(input.eqfMin) || input.eqfMin < 1 || input.eqfMin > 8)) throw badUserInput('"input.eqfMin" must be an EQF level from 1 to 8.', 'input.eqfMin');
  const amount = (value: number | null | undefined, argument: string) => {
    if (value === null || value === undefined) return null;
    if (!Number.isFinite(value) || value <= 0 || value > 60) throw badUserInput(`"${argument}" must be more than 0 and at most 60.`, argument);
    return ects(value);
  };
  const ectsCapPerYear = amount(input.ectsCapPerYear, 'input.ectsCapPerYear');
  const fixedEcts = amount(input.fixedEcts, 'input.fixedEcts');
  if (fixedEcts !== null && ectsCapPerYear !== null && fixedEcts > ectsCapPerYear) throw badUserInput('"input.fixedEcts" may not exceed "input.ectsCapPerYear".', 'input.fixedEcts');
  return {
    memberId: input.memberId,
    name: checkedText(input.name, 'input.name', 3, 200) as string,
    description: checkedLongText(input.description, 'input.description', 1, 2000),
    active: input.active,
    scope: input.scope,
    offeringList,
    authorityList: checkedList(input.issuerAuthorities, 'input.issuerAuthorities', 6),
    issuerList: checkedList(input.issuerMemberIds, 'input.issuerMemberIds', 50, (id, at) => member(id, at)),
    eqfMin: input.eqfMin ?? null,
    requirePassed: input.requirePassed,
    kindList: checkedList(input.opportunityKinds, 'input.opportunityKinds', 3),
    typeList: checkedList(input.microCredentialTypes, 'input.microCredentialTypes', 3),
    ectsCapPerYear,
    fixedEcts,
    countsAs: checkedText(input.countsAs, 'input.countsAs', 2, 500) as string,
  };
}
