import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { unknownMember } from '../../lib/errors.js';
import { requireGlobalId } from '../../lib/ids.js';
import { callService, type SubgraphCaller } from '../../lib/subgraph-calls.js';
import type { EnrolmentApplicationInput } from '../member/enrolment-inputs.js';
import { audit } from './audit.js';
import type { LearnersContext } from './context.js';
import { Learner, LearnerAccountLink } from './model.js';

/*
 * Enrolment from the portal (docs/learner.md, "Enrolment"). The member
 * decides on the application (its rules, its data); the learner register
 * records the account the member holds for the learner, so the learner's
 * records there are found from then on (`memberAccountIds`). The member's
 * answer comes first and the link second, each idempotent: if the link
 * cannot be written, applying again finds the same open application and
 * writes the link then.
 */

export interface EnrolmentApplicationResult {
  enrolmentId: string;
  accountId: string;
  created: boolean;
  accountCreated: boolean;
  accountLinked: boolean;
}

const SUBMIT = /* GraphQL */ `
  mutation SubmitEnrolmentApplication($input: EnrolmentApplicationInput!, $homeMember: String) {
    submitEnrolmentApplication(input: $input, homeMember: $homeMember) { created accountCreated enrolment { id learnerAccount { id } } }
  }
`;

interface SubmitAnswer {
  submitEnrolmentApplication: { created: boolean; accountCreated: boolean; enrolment: { id: string; learnerAccount: { id: string } } } | null;
}

/** The member's refusal, as the router worded it (member named, public code kept). */
function memberRefusal(error: { message: string; extensions?: Record<string, unknown> }): GraphQLError {
  const code = typeof error.extensions?.['code'] === 'string' ? error.extensions['code'] : 'MEMBER_ERROR';
  const argument = error.extensions?.['argument'];
  return new GraphQLError(error.message, { extensions: { code, ...(typeof argument === 'string' ? { argument } : {}) } });
}

/** Writes the register entry and the link if either is missing; returns whether a link was written. */
async function ensureLink(context: LearnersContext, learnerId: string, memberId: string, accountId: string): Promise<boolean> {
  const em = context.em.fork();
  const existing = await em.findOne(LearnerAccountLink, { learner: learnerId, memberId });
  if (existing) {
    if (existing.accountId === accountId) return false;
    // The member answered with another account than the register holds for it: a member-side fault, never overwritten.
    throw new GraphQLError(`${memberId} holds your application under another account than the learner register knows; the application stands, ask the member to correct it.`, {
      extensions: { code: 'MEMBER_ERROR', member: memberId },
    });
  }
  try {
    await em.transactional(async (tx) => {
      const now = new Date();
      if (!(await tx.findOne(Learner, { id: learnerId }))) {
        tx.create(Learner, { id: learnerId, createdAt: now } as never);
        audit(tx, context.principal, 'JOIN_REGISTER', learnerId, { learnerId, after: { via: 'applyForOffering' } });
      }
      tx.create(LearnerAccountLink, { learner: tx.getReference(Learner, learnerId), memberId, accountId, linkedAt: now } as never);
      audit(tx, context.principal, 'LINK_MEMBER_ACCOUNT', accountId, { learnerId, after: { memberId, accountId, via: 'applyForOffering' } });
    });
    return true;
  } catch (error) {
    // A concurrent application wrote the same link first.
    if (error instanceof UniqueConstraintViolationException) return false;
    throw error;
  }
}

/** A learner applies for an offering at any member, through the member router. */
export async function applyForOffering(context: LearnersContext, caller: SubgraphCaller<'members'> | null | undefined, input: EnrolmentApplicationInput): Promise<EnrolmentApplicationResult> {
  const principal = requireSignedIn(context.principal, 'enrolment');
  if (!hasRole(principal, 'learner') || !principal.learnerId) throw forbidden('Only a learner can apply for an offering, for themselves.');
  const { memberId } = requireGlobalId(input.opportunityId, 'input.opportunityId');
  if (context.knownMembers && !context.knownMembers.has(memberId)) throw unknownMember(memberId, 'input.opportunityId');
  if (!caller) {
    throw new GraphQLError('Enrolment is not configured on this hub (the learners service has no member router to send applications to).', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
  }
  // The home member as the register defines it for mobility (the first account, ties by member id), for
  // the member to keep on a new account: the statistics by home member are then counted at the member.
  const first = await context.em.fork().findOne(LearnerAccountLink, { learner: principal.learnerId }, { orderBy: { linkedAt: 'asc', memberId: 'asc' } });
  const body = await callService(caller, 'members', principal, SUBMIT, { input, homeMember: first?.memberId ?? memberId }, 'no application was made');
  const answer = (body.data as SubmitAnswer | null | undefined)?.submitEnrolmentApplication;
  if (!answer) {
    const first = body.errors?.[0];
    throw first ? memberRefusal(first) : new GraphQLError(`${memberId} did not answer the application.`, { extensions: { code: 'MEMBER_ERROR', member: memberId } });
  }
  const accountId = answer.enrolment.learnerAccount.id;
  const accountLinked = await ensureLink(context, principal.learnerId, memberId, accountId);
  return { enrolmentId: answer.enrolment.id, accountId, created: answer.created, accountCreated: answer.accountCreated, accountLinked };
}
