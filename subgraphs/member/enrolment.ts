import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { addAuditRow } from '../../lib/audited-writes.js';
import { badUserInput, checkedText } from '../../lib/errors.js';
import { globalId, isMemberId, parseGlobalId } from '../../lib/ids.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { isOwnStaff } from './access.js';
import type { MemberContext } from './context.js';
import { EnrolmentDecision, EnrolmentDeclineReason, EnrolmentStatus } from './enums.js';
import { Enrolment, LearnerAccount, LearningOpportunity, MemberAudit } from './model.js';

/*
 * Enrolment from the portal (member contract 1.6.0; docs/learner.md,
 * "Enrolment"). The member decides: its own rules (dates, language, declared
 * prerequisites, capacity) are checked here, where its data is, and its staff
 * admit or decline. Every write is idempotent by state - applying again while
 * an application is open answers that application, the same decision or
 * cancellation again changes nothing - and leaves an audit row (member_audit)
 * in the same transaction.
 */

/** Enrolment refused by the member's rules: the reason says which rule and what would change it. */
export function notEligible(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_ELIGIBLE', ...(argument ? { argument } : {}) } });
}

function invalidState(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_STATE' } });
}

/** Statuses that hold or ask for a place. */
const OPEN_STATUSES: readonly EnrolmentStatus[] = [EnrolmentStatus.APPLIED, EnrolmentStatus.ENROLLED];

export interface ApplicantDetails {
  givenName: string;
  familyName: string;
  email: string;
}

export interface EnrolmentApplicationFields {
  opportunityId: string;
  language: string;
  prerequisitesMet?: boolean | null;
  applicant?: ApplicantDetails | null;
  /** The learner's home member, as the learner register knows it (set by the register, not the learner). */
  homeMember?: string | null;
}

export interface EnrolmentApplicationResult {
  enrolment: Enrolment;
  /** A new application (false: the open one answered again). */
  created: boolean;
  /** The learner had no account at this member, and one was created. */
  accountCreated: boolean;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

function applicantDetails(applicant: ApplicantDetails | null | undefined, memberId: string): ApplicantDetails {
  if (!applicant) {
    throw badUserInput(`You have no account at ${memberId} yet: give "applicant" (given name, family name, e-mail) so that the member can create one.`, 'input.applicant');
  }
  const givenName = checkedText(applicant.givenName, 'input.applicant.givenName', 1, 128) as string;
  const familyName = checkedText(applicant.familyName, 'input.applicant.familyName', 1, 128) as string;
  const email = applicant.email.trim();
  if (email.length > 255 || !EMAIL.test(email)) throw badUserInput('"input.applicant.email" must be an e-mail address such as "name@example.org".', 'input.applicant.email');
  return { givenName, familyName, email };
}

/** A snapshot of an enrolment for the audit trail. */
function auditView(enrolment: Enrolment): Record<string, unknown> {
  return {
    status: enrolment.status,
    opportunityId: enrolment.opportunity.id,
    accountId: enrolment.account.id,
    language: enrolment.language ?? null,
    prerequisitesDeclared: enrolment.prerequisitesDeclared,
    statusReasonCode: enrolment.statusReasonCode ?? null,
    statusNote: enrolment.statusNote ?? null,
  };
}

function audit(tx: SqlEntityManager, caller: SignedIn, action: string, enrolment: Enrolment, before: Enrolment | null, at: Date, extra: Record<string, unknown> = {}): void {
  addAuditRow(tx, MemberAudit, caller, action, { type: 'Enrolment', id: enrolment.id }, before ? auditView(before) : null, { ...auditView(enrolment), ...extra }, at);
}

/** How many places of an offering are taken (ENROLLED). */
export async function placesTaken(em: SqlEntityManager, opportunityId: string): Promise<number> {
  return em.count(Enrolment, { opportunity: opportunityId, status: EnrolmentStatus.ENROLLED });
}

/** Checks the offering's own rules for a new application, in the order a learner can act on them. */
async function checkEligible(context: MemberContext, opportunity: LearningOpportunity, fields: EnrolmentApplicationFields, today: string): Promise<void> {
  if (opportunity.withdrawnAt) throw notEligible(`"${opportunity.title}" was withdrawn from the catalogue: ${opportunity.withdrawalReason ?? 'no longer offered'}.`, 'input.opportunityId');
  const languages = opportunity.languageList.split(',').filter(Boolean);
  if (!languages.includes(fields.language)) {
    throw notEligible(`"${opportunity.title}" is taught in ${languages.join(', ')}; you asked to follow it in "${fields.language}".`, 'input.language');
  }
  if (opportunity.enrolmentDeadline && today > opportunity.enrolmentDeadline) {
    throw notEligible(`Enrolment in "${opportunity.title}" closed on ${opportunity.enrolmentDeadline}.`);
  }
  if (!opportunity.enrolmentDeadline && opportunity.endDate && today > opportunity.endDate) {
    throw notEligible(`"${opportunity.title}" ended on ${opportunity.endDate}.`);
  }
  if (opportunity.prerequisites && fields.prerequisitesMet !== true) {
    throw notEligible(`"${opportunity.title}" requires: ${opportunity.prerequisites} Apply with "prerequisitesMet: true" if you meet this; the member's staff check it before admitting you.`, 'input.prerequisitesMet');
  }
  if (opportunity.capacity !== null && opportunity.capacity !== undefined && (await placesTaken(context.em, opportunity.id)) >= opportunity.capacity) {
    throw notEligible(`"${opportunity.title}" is full (${opportunity.capacity} places).`);
  }
}

/** The offering an id names at this member; a malformed id is bad input, an id of another member or none NOT_FOUND. */
async function ownOpportunity(context: MemberContext, id: string): Promise<LearningOpportunity> {
  const parsed = parseGlobalId(id);
  if (!parsed) throw badUserInput('"input.opportunityId" must be an offering id of the form <member id>:<local id>.', 'input.opportunityId');
  const opportunity = parsed.memberId === context.memberId ? await context.loaders.opportunity.load(id) : null;
  if (!opportunity) throw new GraphQLError(`${context.memberId} has no offering "${id}".`, { extensions: { code: 'NOT_FOUND', argument: 'input.opportunityId' } });
  return opportunity;
}

/**
 * A learner applies for an offering of this member. Their account here is
 * found by their alliance id, or created from `applicant`. An open
 * application (APPLIED or ENROLLED) for the same offering is answered again
 * instead of making a second one.
 */
export async function applyForOffering(context: MemberContext, fields: EnrolmentApplicationFields, retried = false): Promise<EnrolmentApplicationResult> {
  const caller = requireSignedIn(context.principal, 'enrolment');
  if (!hasRole(caller, 'learner') || !caller.learnerId) throw forbidden('Only a learner can apply for an offering, for themselves.');
  const learnerId = caller.learnerId;
  if (!/^[a-z]{2}$/.test(fields.language)) throw badUserInput('"input.language" must be a two-letter ISO 639-1 code such as "en".', 'input.language');
  const opportunity = await ownOpportunity(context, fields.opportunityId);
  const account = await context.em.findOne(LearnerAccount, { allianceLearnerId: learnerId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  if (account) {
    const open = await context.em.findOne(Enrolment, { account: account.id, opportunity: opportunity.id, status: { $in: [...OPEN_STATUSES] } });
    if (open) return { enrolment: open, created: false, accountCreated: false };
  }
  if (fields.homeMember != null && !isMemberId(fields.homeMember)) throw badUserInput('"homeMember" must be a member id such as "tuni.fi".', 'homeMember');
  const details = account ? null : applicantDetails(fields.applicant, context.memberId);
  const now = context.clock();
  await checkEligible(context, opportunity, fields, now.toISOString().slice(0, 10));

  try {
    return await writeApplication(context, caller, learnerId, opportunity, account, details, fields, now);
  } catch (error) {
    // Two first applications of one learner at once: the other created the account; answer as the learner's second application.
    if (!retried && error instanceof UniqueConstraintViolationException) return applyForOffering(context, fields, true);
    throw error;
  }
}

function writeApplication(
  context: MemberContext,
  caller: SignedIn,
  learnerId: string,
  opportunity: LearningOpportunity,
  account: LearnerAccount | null,
  details: ApplicantDetails | null,
  fields: EnrolmentApplicationFields,
  now: Date,
): Promise<EnrolmentApplicationResult> {
  return context.em.fork().transactional(async (em) => {
    const tx = em as SqlEntityManager;
    let accountId = account?.id;
    if (!accountId) {
      accountId = globalId(context.memberId, `acc-${randomUUID()}`);
      tx.create(LearnerAccount, { id: accountId, allianceLearnerId: learnerId, homeMemberId: fields.homeMember ?? context.memberId, studentNumber: null, ...details, createdAt: now } as never);
      // The audit keeps who and when, not the name and e-mail (they stay in the account, erasable with it).
      addAuditRow(tx, MemberAudit, caller, 'createLearnerAccount', { type: 'LearnerAccount', id: accountId }, null, { allianceLearnerId: learnerId, homeMemberId: fields.homeMember ?? context.memberId, via: 'applyForOffering' }, now);
    }
    const enrolment = tx.create(Enrolment, {
      id: globalId(context.memberId, `enr-${randomUUID()}`),
      account: tx.getReference(LearnerAccount, accountId),
      opportunity: tx.getReference(LearningOpportunity, opportunity.id),
      status: EnrolmentStatus.APPLIED,
      enrolledAt: now,
      statusChangedAt: now,
      language: fields.language,
      prerequisitesDeclared: fields.prerequisitesMet === true,
      statusReasonCode: null,
      statusNote: null,
    } as never);
    audit(tx, caller, 'applyForOffering', enrolment, null, now);
    await tx.flush();
    return { enrolment, created: true, accountCreated: !account };
  });
}

export interface EnrolmentDecisionFields {
  decision: EnrolmentDecision;
  reason?: EnrolmentDeclineReason | null;
  note?: string | null;
}

/** An enrolment of this member by id, for a caller allowed to act on it; anything else answers as if it did not exist. */
async function actionableEnrolment(context: MemberContext, id: string, allowed: (enrolment: Enrolment, account: LearnerAccount | null) => boolean): Promise<Enrolment> {
  const notFound = () => new GraphQLError(`You have no enrolment "${id}" at ${context.memberId} to act on.`, { extensions: { code: 'NOT_FOUND', argument: 'id' } });
  const parsed = parseGlobalId(id);
  if (!parsed || parsed.memberId !== context.memberId) throw notFound();
  const enrolment = await context.em.findOne(Enrolment, { id });
  if (!enrolment) throw notFound();
  const account = await context.em.findOne(LearnerAccount, { id: enrolment.account.id });
  if (!allowed(enrolment, account)) throw notFound();
  return enrolment;
}

/** This member's staff admit or decline an application. The same decision again changes nothing. */
export async function decideEnrolment(context: MemberContext, id: string, fields: EnrolmentDecisionFields): Promise<Enrolment> {
  const caller = requireSignedIn(context.principal, 'enrolment decisions');
  if (!isOwnStaff(context)) throw forbidden(`Only the staff of ${context.memberId} decide on applications to its offerings.`);
  const note = checkedText(fields.note, 'note', 1, 500);
  if (fields.decision === EnrolmentDecision.DECLINE) {
    if (!fields.reason) throw badUserInput('Declining needs a "reason".', 'reason');
    if (fields.reason === EnrolmentDeclineReason.OTHER && !note) throw badUserInput('Declining for reason OTHER needs a "note" saying why.', 'note');
  } else if (fields.reason) {
    throw badUserInput('"reason" is for declining; admitting takes none.', 'reason');
  }
  const enrolment = await actionableEnrolment(context, id, () => true);
  const target = fields.decision === EnrolmentDecision.ADMIT ? EnrolmentStatus.ENROLLED : EnrolmentStatus.NOT_ADMITTED;
  if (enrolment.status === target) return enrolment;
  if (enrolment.status !== EnrolmentStatus.APPLIED) {
    throw invalidState(`This enrolment is ${enrolment.status}; only an application (APPLIED) can be admitted or declined.`);
  }
  if (target === EnrolmentStatus.ENROLLED) {
    const opportunity = await context.loaders.opportunity.load(enrolment.opportunity.id);
    if (opportunity?.capacity !== null && opportunity?.capacity !== undefined && (await placesTaken(context.em, opportunity.id)) >= opportunity.capacity) {
      throw notEligible(`"${opportunity.title}" is full (${opportunity.capacity} places): decline with reason CAPACITY_REACHED, or free a place first.`);
    }
  }
  return changeStatus(context, caller, enrolment, target, fields.reason ?? null, note, 'decideEnrolment');
}

/**
 * The learner cancels their application or place (WITHDRAWN); this member's
 * staff may do it for them. Cancelling again changes nothing.
 */
export async function cancelEnrolment(context: MemberContext, id: string, note: string | null | undefined): Promise<Enrolment> {
  const caller = requireSignedIn(context.principal, 'your enrolments');
  const text = checkedText(note, 'reason', 1, 500);
  const ownStaff = isOwnStaff(context);
  const enrolment = await actionableEnrolment(context, id, (_enrolment, account) => ownStaff || (hasRole(caller, 'learner') && Boolean(caller.learnerId) && account?.allianceLearnerId === caller.learnerId));
  if (enrolment.status === EnrolmentStatus.WITHDRAWN) return enrolment;
  if (!OPEN_STATUSES.includes(enrolment.status)) {
    throw invalidState(`This enrolment is ${enrolment.status}; only an application or a place (APPLIED, ENROLLED) can be cancelled.`);
  }
  return changeStatus(context, caller, enrolment, EnrolmentStatus.WITHDRAWN, null, text, 'cancelEnrolment');
}

async function changeStatus(
  context: MemberContext,
  caller: SignedIn,
  enrolment: Enrolment,
  status: EnrolmentStatus,
  reasonCode: string | null,
  note: string | null,
  action: string,
): Promise<Enrolment> {
  const now = context.clock();
  const before = { ...enrolment } as Enrolment;
  return context.em.transactional(async (em) => {
    const tx = em as SqlEntityManager;
    // Conditional on the status read: a concurrent decision makes this one a no-op, never a double change.
    const changed = await tx.nativeUpdate(Enrolment, { id: enrolment.id, status: before.status }, { status, statusChangedAt: now, statusReasonCode: reasonCode, statusNote: note });
    if (changed === 0) throw invalidState('This enrolment changed while you were deciding; read it again.');
    enrolment.status = status;
    enrolment.statusChangedAt = now;
    enrolment.statusReasonCode = reasonCode;
    enrolment.statusNote = note;
    audit(tx, caller, action, enrolment, before, now);
    await tx.flush();
    return enrolment;
  });
}
