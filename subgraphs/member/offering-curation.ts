import { GraphQLError } from 'graphql';
import { forbidden, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { addAuditRow } from '../../lib/audited-writes.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import { globalId, parseGlobalId } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { isOwnStaff } from './access.js';
import type { MemberContext } from './context.js';
import { Institution, LearningOpportunity, LearningOutcome, MemberAudit } from './model.js';
import type { OfferingInput } from './offering-inputs.js';
import { checkLearningOutcome, checkOffering, offeringFieldsOf, type FieldError, type OfferingFields } from './offering-rules.js';
import { offeringSearchText, offeringSortTitle } from './search-text.js';

/*
 * Offerings written by a member's own staff through the graph (issue 14,
 * point 3): create, update (the whole offering, as it should be), withdraw.
 * The same rules as the file import (offering-rules.ts): every Annex I
 * element, ECTS and hours that agree, and the accreditation rule - a member
 * whose authority does not let it approve micro-credentials marks an offering
 * credit-bearing only with an external accreditation record. Each change in
 * one transaction with its audit row; the same write again changes nothing.
 */

const LOCAL_ID = /^[A-Za-z0-9._-]{1,64}$/;

function checkCurator(context: MemberContext): SignedIn {
  const caller = requireSignedIn(context.principal, 'curation');
  if (!isOwnStaff(context)) throw forbidden(`Only the staff of ${context.memberId} write its offerings.`);
  return caller;
}

/**
 * All the rule violations at once (a form shows them together), the first
 * one's field as the argument; named under `prefix`, the input argument
 * (exported for the curation of results, which reports its rule errors alike).
 */
export function refuse(errors: readonly FieldError[], prefix = 'input'): GraphQLError {
  const first = errors[0] as FieldError;
  return badUserInput(errors.map((error) => `"${prefix}.${error.field}" ${error.reason}`).join('; ') + '.', `${prefix}.${first.field}`);
}

function fieldsOf(input: OfferingInput): OfferingFields {
  const text = (value: string | null | undefined) => (value === undefined || value === null || value.trim() === '' ? null : value.trim());
  return {
    code: text(input.code),
    title: input.title.trim(),
    description: text(input.description),
    kind: input.kind,
    microCredentialType: input.microCredentialType,
    ects: input.ects,
    workloadHours: input.workloadHours,
    eqfLevel: input.eqfLevel,
    iscedF: text(input.iscedF),
    assessmentType: input.assessmentType,
    mode: input.mode,
    learningSetting: input.learningSetting,
    qualityAssurance: input.qualityAssurance.trim(),
    prerequisites: text(input.prerequisites),
    supervision: input.supervision ?? null,
    stackability: input.stackability,
    stackableTowards: text(input.stackableTowards),
    sdgs: [...input.sdgs].sort((a, b) => a - b),
    languages: input.languages.map((language) => language.trim()),
    startDate: input.startDate ?? null,
    endDate: input.endDate ?? null,
    enrolmentDeadline: input.enrolmentDeadline ?? null,
    capacity: input.capacity ?? null,
    creditBearing: input.creditBearing,
    moreInformationUrl: text(input.moreInformationUrl),
    accreditationReference: text(input.accreditationReference),
    accreditationBody: text(input.accreditationBody),
    accreditationDecidedOn: input.accreditationDecidedOn ?? null,
    accreditationValidUntil: input.accreditationValidUntil ?? null,
    accreditationUrl: text(input.accreditationUrl),
  };
}

interface Outcome {
  position: number;
  description: string;
  skillUri: string;
  expectedProficiency: string;
}

/** Validates the input against the offering rules and this member's authority. */
async function checked(context: MemberContext, input: OfferingInput): Promise<{ fields: OfferingFields; outcomes: Outcome[] }> {
  const institution = await context.em.fork().findOne(Institution, { id: context.memberId });
  if (!institution) throw new GraphQLError(`${context.memberId} has no institution record yet; it is written when the member is set up.`, { extensions: { code: 'INVALID_STATE' } });
  const fields = fieldsOf(input);
  const errors = checkOffering(fields, { id: institution.id, name: institution.name, accreditationAuthority: institution.accreditationAuthority });
  if (input.learningOutcomes.length === 0) errors.push({ field: 'learningOutcomes', reason: 'needs at least one learning outcome (Annex I element 6)' });
  const outcomes = input.learningOutcomes.map((outcome, index) => ({ position: index + 1, description: outcome.description.trim(), skillUri: outcome.skillUri.trim(), expectedProficiency: outcome.expectedProficiency }));
  outcomes.forEach((outcome, index) => {
    for (const error of checkLearningOutcome(outcome as never)) errors.push({ field: `learningOutcomes[${index}].${error.field}`, reason: error.reason });
  });
  if (errors.length > 0) throw refuse(errors);
  return { fields, outcomes };
}

function columnsOf(fields: OfferingFields, outcomes: readonly Outcome[]): Record<string, unknown> {
  const { sdgs, languages, ...rest } = fields;
  return {
    ...rest,
    sdgList: sdgs.join(','),
    languageList: languages.join(','),
    sortTitle: offeringSortTitle(fields.title),
    searchText: offeringSearchText(fields.title, fields.description, outcomes.map((outcome) => outcome.description)),
  };
}

/** What an offering is now, in the input's terms (to compare, and for the audit trail). */
async function currentOf(em: SqlEntityManager, offering: LearningOpportunity): Promise<{ fields: OfferingFields; outcomes: Outcome[] }> {
  const outcomes = await em.find(LearningOutcome, { opportunity: offering.id }, { orderBy: { position: 'asc' } });
  return { fields: offeringFieldsOf(offering), outcomes: outcomes.map((outcome) => ({ position: outcome.position, description: outcome.description, skillUri: outcome.skillUri, expectedProficiency: outcome.expectedProficiency })) };
}

function writeOutcomes(tx: SqlEntityManager, id: string, outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes) tx.create(LearningOutcome, { ...outcome, opportunity: tx.getReference(LearningOpportunity, id) } as never);
}

export async function createOffering(context: MemberContext, localId: string, input: OfferingInput): Promise<{ offering: LearningOpportunity; changed: boolean }> {
  const caller = checkCurator(context);
  if (!LOCAL_ID.test(localId)) throw badUserInput('"localId" must be 1–64 letters, digits, ".", "_" or "-".', 'localId');
  const wanted = await checked(context, input);
  const id = globalId(context.memberId, localId);
  const em = context.em.fork() as SqlEntityManager;
  const existing = await em.findOne(LearningOpportunity, { id });
  if (existing) {
    if (JSON.stringify(await currentOf(em, existing)) === JSON.stringify(wanted)) return { offering: existing, changed: false };
    throw new GraphQLError(`Offering "${id}" exists with other facts; change it with updateOffering.`, { extensions: { code: 'INVALID_STATE', argument: 'localId' } });
  }
  return em.transactional(async (inner) => {
    const tx = inner as SqlEntityManager;
    const now = context.clock();
    const offering = tx.create(LearningOpportunity, { id, ...columnsOf(wanted.fields, wanted.outcomes), withdrawnAt: null, withdrawalReason: null } as never);
    writeOutcomes(tx, id, wanted.outcomes);
    addAuditRow(tx, MemberAudit, caller, 'createOffering', { type: 'LearningOpportunity', id }, null, wanted, now);
    await tx.flush();
    return { offering, changed: true };
  });
}

/** This member's offering by id; another member's or none is NOT_FOUND. */
async function ownOffering(context: MemberContext, em: SqlEntityManager, id: string): Promise<LearningOpportunity> {
  const parsed = parseGlobalId(id);
  if (!parsed) throw badUserInput('"id" must be an offering id of the form <member id>:<local id>.', 'id');
  const found = parsed.memberId === context.memberId ? await em.findOne(LearningOpportunity, { id }) : null;
  if (!found) throw new GraphQLError(`${context.memberId} has no offering "${id}".`, { extensions: { code: 'NOT_FOUND', argument: 'id' } });
  return found;
}

export async function updateOffering(context: MemberContext, id: string, input: OfferingInput): Promise<{ offering: LearningOpportunity; changed: boolean }> {
  const caller = checkCurator(context);
  const em = context.em.fork() as SqlEntityManager;
  const offering = await ownOffering(context, em, id);
  const wanted = await checked(context, input);
  const before = await currentOf(em, offering);
  if (JSON.stringify(before) === JSON.stringify(wanted)) return { offering, changed: false };
  return em.transactional(async (inner) => {
    const tx = inner as SqlEntityManager;
    const current = (await tx.findOne(LearningOpportunity, { id })) as LearningOpportunity;
    Object.assign(current, columnsOf(wanted.fields, wanted.outcomes));
    // Outcomes are replaced as a list: their order is part of the offering (Annex I element 6).
    await tx.nativeDelete(LearningOutcome, { opportunity: id });
    writeOutcomes(tx, id, wanted.outcomes);
    addAuditRow(tx, MemberAudit, caller, 'updateOffering', { type: 'LearningOpportunity', id }, before, wanted, context.clock());
    await tx.flush();
    return { offering: current, changed: true };
  });
}

export async function withdrawOffering(context: MemberContext, id: string, reason: string): Promise<{ offering: LearningOpportunity; changed: boolean }> {
  const caller = checkCurator(context);
  const why = checkedText(reason, 'reason', 3, 500) as string;
  const em = context.em.fork() as SqlEntityManager;
  const offering = await ownOffering(context, em, id);
  if (offering.withdrawnAt) return { offering, changed: false };
  return em.transactional(async (inner) => {
    const tx = inner as SqlEntityManager;
    const current = (await tx.findOne(LearningOpportunity, { id })) as LearningOpportunity;
    const now = context.clock();
    Object.assign(current, { withdrawnAt: now, withdrawalReason: why });
    addAuditRow(tx, MemberAudit, caller, 'withdrawOffering', { type: 'LearningOpportunity', id }, { withdrawnAt: null }, { withdrawnAt: now.toISOString(), reason: why }, now);
    await tx.flush();
    return { offering: current, changed: true };
  });
}
