// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { unknownMember } from '../../lib/errors.js';
import { isMemberId } from '../../lib/ids.js';
import { AccreditationAuthority, MicroCredentialType, OpportunityKind } from '../member/enums.js';
import { UUID } from './access.js';
import type { RecognitionContext } from './context.js';
import { Institution, LearningOpportunity, RecognitionRule } from './model.js';
import { RecognitionRule as RuleRow } from './records.js';

const list = (value: string | null | undefined): string[] => (value ? value.split(',').filter(Boolean) : []);

/** The member id argument of a public list: well formed and in the registry. */
export function knownMemberId(context: RecognitionContext, memberId: string, argument = 'memberId'): string {
  if (!isMemberId(memberId) || (context.service.knownMembers && !context.service.knownMembers.has(memberId))) throw unknownMember(memberId.slice(0, 253), argument);
  return memberId;
}

@Resolver(() => RecognitionRule)
export class RecognitionRuleResolver {
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
    return UUID.test(id) ? context.loaders.rule.load(id) : null;
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
