// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, requireSignedIn } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import { unknownMember } from '../../lib/errors.js';
import { isMemberId, UUID_PATTERN } from '../../lib/ids.js';
import { AccreditationAuthority, MicroCredentialType, OpportunityKind } from '../member/enums.js';
import { isDecidingStaff, mayManageMember, requestNotFound } from './access.js';
import { audit, idempotentWrite } from './audit.js';
import { RecognitionOutcome } from './enums.js';
import { RecognitionRuleInput } from './inputs.js';
import { checkedRule, evaluateRule, usedThisYear } from './rules.js';
import type { RecognitionContext } from './context.js';
import { Institution, LearningOpportunity, RecognitionRule, RuleDryRun } from './model.js';
import { listOf, RecognitionEvidence, RecognitionRequest, RecognitionRule as RuleRow } from './records.js';

const list = listOf;

/** The member id argument of a public list: well formed and in the registry. */
export function knownMemberId(context: RecognitionContext, memberId: string, argument = 'memberId'): string {
  if (!isMemberId(memberId) || (context.service.knownMembers && !context.service.knownMembers.has(memberId))) throw unknownMember(memberId.slice(0, 253), argument);
  return memberId;
}

const CLIENT_KEY = { nullable: true, description: 'An idempotency key (or the Idempotency-Key header): a retry with the same key gets the same rule.' };

function ruleNotFound(): GraphQLError {
  return new GraphQLError('There is no recognition rule with this id.', { extensions: { code: 'NOT_FOUND', argument: 'id' } });
}

/** What an edit changed, for the audit trail. */
function ruleState(rule: RuleRow): Record<string, unknown> {
  const { createdAt: _created, updatedAt: _updated, ...rest } = rule;
  return rest;
}

@Resolver(() => RecognitionRule)
export class RecognitionRuleResolver {
  @Mutation(() => RecognitionRule, { description: "Publishes a recognition rule for a member (that member's staff, alliance administrators). Active rules decide matching requests at once." })
  async createRecognitionRule(
    @Arg('input', () => RecognitionRuleInput) input: RecognitionRuleInput,
    @Ctx() context: RecognitionContext,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<RuleRow> {
    const caller = requireSignedIn(context.principal, 'recognition rules');
    const fields = checkedRule(input, context.service.knownMembers);
    if (!mayManageMember(caller, fields.memberId)) throw forbidden(`Only staff of ${fields.memberId} and alliance administrators publish its recognition rules.`);
    const now = context.service.now();
    const { value } = await idempotentWrite(
      context.em,
      caller,
      {
        operation: 'createRecognitionRule',
        request: input,
        key: requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey'),
        prepare: async () => undefined,
        write: async (tx) => {
          const rule = tx.create(RuleRow, { ...fields, id: randomUUID(), version: 1, createdAt: now, createdBy: caller.subject.slice(0, 255), updatedAt: now, updatedBy: caller.subject.slice(0, 255) } as RuleRow);
          audit(tx, caller, 'createRecognitionRule', { type: 'RecognitionRule', id: rule.id }, null, ruleState(rule), now);
          return rule.id;
        },
        answer: async (id) => (await context.em.fork().findOne(RuleRow, { id })) ?? Promise.reject(ruleNotFound()),
      },
      now,
    );
    return value;
  }

  @Mutation(() => RecognitionRule, {
    description: 'Edits a rule (its member\'s staff, alliance administrators): every field is replaced, the version goes up, and the audit trail keeps before and after. Decisions already taken keep citing the version that took them.',
  })
  async updateRecognitionRule(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => RecognitionRuleInput) input: RecognitionRuleInput,
    @Ctx() context: RecognitionContext,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<RuleRow> {
    const caller = requireSignedIn(context.principal, 'recognition rules');
    const fields = checkedRule(input, context.service.knownMembers);
    const now = context.service.now();
    const { value } = await idempotentWrite(
      context.em,
      caller,
      {
        operation: 'updateRecognitionRule',
        request: [id, input],
        key: requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey'),
        prepare: async () => undefined,
        write: async (tx) => {
          const rule = UUID_PATTERN.test(id) ? await tx.findOne(RuleRow, { id }) : null;
          if (!rule) throw ruleNotFound();
          if (!mayManageMember(caller, rule.memberId)) throw forbidden(`Only staff of ${rule.memberId} and alliance administrators edit its recognition rules.`);
          if (fields.memberId !== rule.memberId) throw badUserInput(`"input.memberId" must stay ${rule.memberId}: a rule belongs to one member.`, 'input.memberId');
          const before = ruleState(rule);
          const moved = await tx.nativeUpdate(RuleRow, { id, version: rule.version }, { ...fields, version: rule.version + 1, updatedAt: now, updatedBy: caller.subject.slice(0, 255) });
          if (moved !== 1) throw new GraphQLError('The rule was edited by someone else meanwhile; read it again.', { extensions: { code: 'INVALID_STATE', argument: 'id' } });
          audit(tx, caller, 'updateRecognitionRule', { type: 'RecognitionRule', id }, before, { ...before, ...fields, version: rule.version + 1 }, now);
          return id;
        },
        answer: async (ruleId) => (await context.em.fork().findOne(RuleRow, { id: ruleId })) ?? Promise.reject(ruleNotFound()),
      },
      now,
    );
    return value;
  }

  @Query(() => RuleDryRun, {
    description:
      "What a rule would decide for a request, with one reason per condition, changing nothing (staff of the request's member). Name a published rule (`ruleId`) or try a draft (`rule`).",
  })
  async recognitionRuleDryRun(
    @Arg('requestId', () => ID) requestId: string,
    @Ctx() context: RecognitionContext,
    @Arg('ruleId', () => ID, { nullable: true }) ruleId?: string | null,
    @Arg('rule', () => RecognitionRuleInput, { nullable: true }) draft?: RecognitionRuleInput | null,
  ): Promise<RuleDryRun> {
    const caller = requireSignedIn(context.principal, 'recognition rules');
    if (Boolean(ruleId) === Boolean(draft)) throw badUserInput('Name exactly one of "ruleId" and "rule".', 'ruleId');
    const request = UUID_PATTERN.test(requestId) ? await context.em.findOne(RecognitionRequest, { id: requestId }) : null;
    if (!request || !isDecidingStaff(caller, request)) throw requestNotFound();
    let rule: RuleRow;
    if (ruleId) {
      const found = UUID_PATTERN.test(ruleId) ? await context.loaders.rule.load(ruleId) : null;
      if (!found) throw ruleNotFound();
      rule = found;
    } else {
      rule = Object.assign(new RuleRow(), checkedRule(draft as RecognitionRuleInput, context.service.knownMembers), { id: 'draft', version: 0 });
    }
    const evidence = await context.em.find(RecognitionEvidence, { requestId: request.id }, { orderBy: { position: 'asc' } });
    // A request this rule decided already does not count against itself.
    const used = UUID_PATTERN.test(rule.id) ? (await usedThisYear(context.em, rule.id, request.learnerId, context.service.now())) - (request.ruleId === rule.id ? (request.ectsRecognised ?? 0) : 0) : 0;
    const evaluation = evaluateRule(rule, request, evidence, used);
    return { covers: evaluation.covers, outcome: evaluation.covers ? RecognitionOutcome.RECOGNISED : null, ectsRecognised: evaluation.ectsRecognised, reasons: evaluation.reasons };
  }

  @Query(() => [RecognitionRule], { description: "A member's published recognition rules (anyone may read them: automatic recognition is public), active ones first." })
  recognitionRules(
    @Arg('memberId', () => ID) memberId: string,
    @Ctx() context: RecognitionContext,
    @Arg('includeInactive', () => Boolean, { defaultValue: false, description: 'Also the rules switched off.' }) includeInactive: boolean,
  ): Promise<RuleRow[]> {
    knownMemberId(context, memberId);
    return context.em.find(RuleRow, { memberId, ...(includeInactive ? {} : { active: true }) }, { orderBy: { active: 'desc', createdAt: 'asc', id: 'asc' } });
  }

  @Query(() => RecognitionRule, { nullable: true, description: 'A recognition rule by id.' })
  async recognitionRule(@Arg('id', () => ID) id: string, @Ctx() context: RecognitionContext): Promise<RuleRow | null> {
    return UUID_PATTERN.test(id) ? context.loaders.rule.load(id) : null;
  }

  @FieldResolver(() => Institution, { description: 'The member that publishes the rule and decides by it.' })
  member(@Root() rule: RuleRow): Institution {
    return { id: rule.memberId };
  }

  @FieldResolver(() => [LearningOpportunity], { description: "The member's offerings the rule covers requests towards (scope OFFERINGS)." })
  offerings(@Root() rule: RuleRow): LearningOpportunity[] {
    return list(rule.offeringList).map((id) => ({ id }));
  }

  @FieldResolver(() => [AccreditationAuthority], { nullable: true, description: "Accreditation authority levels of the awarding members it accepts; null: any (the accreditation rule still applies)." })
  issuerAuthorities(@Root() rule: RuleRow): AccreditationAuthority[] | null {
    return rule.authorityList ? (list(rule.authorityList) as AccreditationAuthority[]) : null;
  }

  @FieldResolver(() => [Institution], { nullable: true, description: 'The awarding members it accepts; null: every alliance member.' })
  issuerMembers(@Root() rule: RuleRow): Institution[] | null {
    return rule.issuerList ? list(rule.issuerList).map((id) => ({ id })) : null;
  }

  @FieldResolver(() => [OpportunityKind], { nullable: true, description: 'Kinds of offering the evidence must be; null: any.' })
  opportunityKinds(@Root() rule: RuleRow): OpportunityKind[] | null {
    return rule.kindList ? (list(rule.kindList) as OpportunityKind[]) : null;
  }

  @FieldResolver(() => [MicroCredentialType], { nullable: true, description: 'Micro-credential types the evidence must be; null: any.' })
  microCredentialTypes(@Root() rule: RuleRow): MicroCredentialType[] | null {
    return rule.typeList ? (list(rule.typeList) as MicroCredentialType[]) : null;
  }
}
