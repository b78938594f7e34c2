import DataLoader from 'dataloader';
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { recordRefusal, requireSignedIn } from '../../lib/access.js';
import { RECORD_SCOPES, type Principal, type RecordScope } from '../../lib/auth.js';
import { unknownMember } from '../../lib/errors.js';
import { parseGlobalId } from '../../lib/ids.js';
import { compareSortKeys, type SortValue } from '../../lib/pagination.js';
import { callMember, MemberFailure, reportFailure, reportOnce } from './calls.js';
import type { CallerSharing, RouterContext } from './context.js';
import { buildForwardRequest, field, inlineFragment, INTERNAL_ALIAS, mergedSelections, pickVariables, unknownEnumValue, variableDefinition, type ForwardedObject } from './forward.js';
import type { MemberEntry } from './registry.js';
import { REPRESENTATIONS, unknownValueFailure, withRepresentations, type Resolver } from './root.js';

/*
 * A learner's records through the router: lists gathered from the members
 * that hold the learner's accounts, the sharing the router vouches for, and
 * who may read records at all.
 */

const SORT = `${INTERNAL_ALIAS}sort`;
const ID = `${INTERNAL_ALIAS}id`;
const ITEMS = `${INTERNAL_ALIAS}items`;

/**
 * A `Learner` list field gathered from the learner's accounts at members
 * (`LearnerAccount.<fieldName>`). Only the members that hold the learner's
 * accounts are asked, each once per request for all learners in the batch.
 */
export function learnerAccountList(fieldName: string, sortField: string): Resolver {
  return async (source, _args, context, info) => {
    const learner = source as { id?: unknown; memberAccountIds?: unknown; sharingWithCaller?: unknown };
    const accountIds = learner.memberAccountIds;
    if (!Array.isArray(accountIds)) throw new Error('Learner.memberAccountIds was not provided by the gateway');
    const sharing = Array.isArray(learner.sharingWithCaller) ? (learner.sharingWithCaller as CallerSharing[]) : [];
    const byMember = new Map<MemberEntry, string[]>();
    for (const accountId of accountIds as string[]) {
      if (typeof learner.id === 'string') context.sharingByAccount.set(accountId, { learnerId: learner.id, sharing });
      const parsed = parseGlobalId(accountId);
      const member = parsed ? context.registry.get(parsed.memberId) : undefined;
      if (!member) {
        reportOnce(context, `unknown:${parsed?.memberId ?? accountId}`, unknownMember(parsed?.memberId ?? accountId));
        continue;
      }
      byMember.set(member, [...(byMember.get(member) ?? []), accountId]);
    }
    const lists = await Promise.all(
      [...byMember].flatMap(([member, ids]) => ids.map((id) => accountFieldBatch(context, info, member, fieldName, sortField).load(id))),
    );
    const items = lists.flatMap((list) => (list ?? []) as ForwardedObject[]);
    const sortKey = (item: ForwardedObject): SortValue[] => [String(item[SORT] ?? ''), String(item[ID] ?? '')];
    return items.sort((a, b) => compareSortKeys(sortKey(a), sortKey(b)));
  };
}

function accountFieldBatch(context: RouterContext, info: GraphQLResolveInfo, member: MemberEntry, fieldName: string, sortField: string): DataLoader<string, unknown[] | null> {
  const node = info.fieldNodes[0] as FieldNode;
  let perMember = context.accountFieldBatches.get(node);
  if (!perMember) {
    perMember = new Map();
    context.accountFieldBatches.set(node, perMember);
  }
  let loader = perMember.get(member.id);
  if (loader) return loader;
  loader = new DataLoader<string, unknown[] | null>(async (accountIds) => {
    const items = field(fieldName, {
      alias: ITEMS,
      ...(node.arguments ? { arguments: node.arguments } : {}),
      selections: [...mergedSelections(info.fieldNodes), field(sortField, { alias: SORT }), field('id', { alias: ID })],
    });
    const entities = field('_entities', { selections: [inlineFragment('LearnerAccount', [items])] });
    const request = buildForwardRequest(info, context, [withRepresentations(entities)], [variableDefinition(REPRESENTATIONS, '[_Any!]!')], 'query', `account ${fieldName} by ${sortField}`);
    try {
      const answer = await callMember(
        context,
        member,
        `LearnerAccount.${fieldName}`,
        request.query,
        {
          ...pickVariables(context.rawVariables, request.variableNames),
          [REPRESENTATIONS]: accountIds.map((id) => ({ __typename: 'LearnerAccount', id })),
        },
        vouchedPrincipal(context, member, accountIds),
      );
      context.extraErrors.push(...answer.unattached);
      const list = (answer.data?.['_entities'] as (ForwardedObject | null)[] | undefined) ?? [];
      const items = list.map((entity) => entity?.[ITEMS] ?? null);
      const unknown = unknownEnumValue(items.flat(), info.returnType, mergedSelections(info.fieldNodes), info);
      if (unknown) throw unknownValueFailure(member, unknown);
      return accountIds.map((_, index) => {
        const value = list[index]?.[ITEMS];
        return Array.isArray(value) ? value : null;
      });
    } catch (error) {
      if (!(error instanceof MemberFailure)) throw error;
      reportFailure(context, error);
      return accountIds.map(() => null);
    }
  });
  perMember.set(member.id, loader);
  return loader;
}

/**
 * The caller as the router vouches for them to one member: another member's
 * staff (and a verifier) carry, per learner of these accounts, the scopes the
 * learner's valid grants share with their member (with the verifier) for
 * records held by this member. The
 * member still decides (subgraphs/member/access.ts); nobody else can add
 * this claim, since only the hub signs tokens.
 */
function vouchedPrincipal(context: RouterContext, member: MemberEntry, accountIds: readonly string[]): Principal {
  const principal = context.principal;
  if (principal.kind !== 'user') return principal;
  // A verifier reads only under grants; a member's staff need none at their own member.
  const vouched = principal.roles.includes('verifier') || (principal.roles.includes('member-staff') && principal.memberId !== member.id);
  if (!vouched) return principal;
  // No prototype: a learner id such as "constructor" must be a plain key.
  const sharing: Record<string, RecordScope[]> = Object.create(null) as Record<string, RecordScope[]>;
  for (const accountId of accountIds) {
    const entry = context.sharingByAccount.get(accountId);
    if (!entry) continue;
    const scopes = new Set<RecordScope>(Object.hasOwn(sharing, entry.learnerId) ? sharing[entry.learnerId] : []);
    for (const grant of entry.sharing) {
      if (grant.memberIds.length > 0 && !grant.memberIds.includes(member.id)) continue;
      for (const scope of grant.scopes) if ((RECORD_SCOPES as readonly string[]).includes(scope)) scopes.add(scope as RecordScope);
    }
    if (scopes.size > 0) sharing[entry.learnerId] = [...scopes];
  }
  return Object.keys(sharing).length > 0 ? { ...principal, sharing } : principal;
}

/**
 * Learner records are for learners and members' staff only: anyone else
 * (anonymous, analysts, administrators) is refused here once, instead of by
 * every member. The members decide the rest.
 */
export function recordReader(resolver: Resolver): Resolver {
  return (source, args, context, info) => {
    const principal = requireSignedIn(context.principal, 'learner records');
    if (!principal.roles.includes('learner') && !principal.roles.includes('member-staff')) throw recordRefusal(principal);
    return resolver(source, args, context, info);
  };
}

/**
 * A learner's records gathered through the learner (`Learner.achievements`,
 * `enrolments`): also for a verifier, who reaches a learner only through the
 * learner's grant to it (`grantToMe { learner { … } }`) and gets what that
 * grant shares; members decide with the sharing the router vouches for.
 */
export function learnerRecordReader(resolver: Resolver): Resolver {
  return (source, args, context, info) => {
    const principal = requireSignedIn(context.principal, 'learner records');
    if (principal.roles.includes('verifier')) return resolver(source, args, context, info);
    return recordReader(resolver)(source, args, context, info);
  };
}
