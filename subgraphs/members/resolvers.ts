import DataLoader from 'dataloader';
import { GraphQLError, Kind, type FieldNode, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { DateTimeISOResolver, LocalDateResolver } from 'graphql-scalars';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { badUserInput, unknownMember } from '../../lib/errors.js';
import { isMemberId, parseGlobalId, requireGlobalId } from '../../lib/ids.js';
import { compareSortKeys, decodeCursor, pageSize, parseCursor, type CursorValueType, type SortValue } from '../../lib/pagination.js';
import { MEMBER_CONTRACT_VERSION } from '../member/contract.js';
import type { OfferingOrder } from '../member/enums.js';
import { validateOfferingFilter, type OfferingFilter } from '../member/inputs.js';
import { ACCOUNT_CURSOR, effectiveOfferingOrder, OFFERING_CURSOR_SHAPES } from '../member/queries.js';
import { callMember, MemberFailure, reportFailure } from './calls.js';
import type { RouterContext } from './context.js';
import { buildForwardRequest, collectFields, field, FORWARDED, INTERNAL_ALIAS, mergedSelections, pickVariables, unknownEnumValue, variableDefinition, type ForwardedObject } from './forward.js';
import { learnerAccountList, learnerRecordReader, recordReader } from './learner-records.js';
import type { MemberEntry } from './registry.js';
import { forwardRoot, memberOrThrow, REPRESENTATIONS, unknownValueFailure, withRepresentations, type Resolver } from './root.js';

/** Member-owned entity types: their ids name the owning member, so each fetch goes to that member only. */
export const MEMBER_ENTITY_TYPES = ['Institution', 'LearningOpportunity', 'LearnerAccount', 'Enrolment', 'Achievement'] as const;

/**
 * How the router answers each root field of the member contract. A contract
 * field without a strategy fails the router's tests, so no field is ever
 * answered by accident.
 */
export const ROOT_FIELD_STRATEGIES = {
  memberContractVersion: 'local',
  institutions: 'fan-out list',
  institution: 'route by member id',
  offerings: 'fan-out connection',
  offering: 'route by global id',
  learnerAccounts: 'fan-out connection',
  learnerAccount: 'route by global id',
  enrolment: 'route by global id',
  achievement: 'route by global id',
  memberStatistics: 'fan-out list',
  memberSkillCounts: 'fan-out list',
  achievementCorrections: 'fan-out list',
} as const;

/**
 * How the router answers each root mutation of the member contract: each goes
 * to the one member its id names (enrolment, docs/learner.md). Composition
 * tests hold these to the contract like the query fields.
 */
export const ROOT_MUTATION_STRATEGIES = {
  submitEnrolmentApplication: 'route by input.opportunityId',
  decideEnrolment: 'route by global id',
  cancelEnrolment: 'route by global id',
  createOffering: 'route by the signed-in staff member',
  updateOffering: 'route by global id',
  withdrawOffering: 'route by global id',
  recordEnrolment: 'route by input.opportunityId',
  correctEnrolment: 'route by global id',
  recordAchievement: 'route by input.enrolmentId',
  correctAchievement: 'route by global id',
} as const;

/** Root fields answered by the one member an id names. */
function routeBy(memberIdOf: (id: string) => string): Resolver {
  return async (_source, args, context, info) => {
    const member = memberOrThrow(context, memberIdOf(String(args['id'])), 'id');
    try {
      return await forwardRoot(context, info, member);
    } catch (error) {
      throw error instanceof MemberFailure ? error.error : error;
    }
  };
}

const routeByGlobalId = routeBy((id) => requireGlobalId(id).memberId);

/**
 * A root mutation for the one member `memberIdOf` names. Sent once, never
 * retried: a member that does not answer may still have done it, and the
 * error says so (members' writes are idempotent by state, so trying again is safe).
 */
/** Routes a mutation to the caller's own member: staff create offerings at their member only. */
function byStaffMember(_args: Record<string, unknown>, caller: SignedIn): { memberId: string; argument: string } {
  if (!hasRole(caller, 'member-staff') || !caller.memberId) throw forbidden("Only a member's staff create offerings, at their own member.");
  return { memberId: caller.memberId, argument: 'localId' };
}

/** Routes a mutation to the member an id in its input names. */
function byInput(field: string): (args: Record<string, unknown>) => { memberId: string; argument: string } {
  return (args) => ({ memberId: requireGlobalId(String((args['input'] as Record<string, unknown> | undefined)?.[field] ?? ''), `input.${field}`).memberId, argument: `input.${field}` });
}

function routeMutation(memberIdOf: (args: Record<string, unknown>, caller: SignedIn) => { memberId: string; argument: string }): Resolver {
  return async (_source, args, context, info) => {
    const caller = requireSignedIn(context.principal, 'this change');
    const { memberId, argument } = memberIdOf(args, caller);
    const member = memberOrThrow(context, memberId, argument);
    try {
      return await forwardRoot(context, info, member, buildForwardRequest(info, context, info.fieldNodes, [], 'mutation'));
    } catch (error) {
      throw error instanceof MemberFailure ? error.error : error;
    } finally {
      // Whatever the change did (even one that failed half-way), the member's catalogue is asked afresh from now on.
      context.catalogue?.invalidate(member.id);
    }
  };
}
const routeByMemberId = routeBy((id) => {
  if (!isMemberId(id)) throw badUserInput('"id" must be a member id: the member\'s web domain, e.g. "tuni.fi".', 'id');
  return id;
});

/** Root list fields: every member answers in parallel; the lists are joined in registry order. */
const fanOutList: Resolver = async (_source, _args, context, info) => {
  const request = buildForwardRequest(info, context, info.fieldNodes);
  const lists = await Promise.all(
    context.registry.members.map(async (member) => {
      try {
        const value = await forwardRoot(context, info, member, request);
        return Array.isArray(value) ? value : [];
      } catch (error) {
        if (error instanceof MemberFailure) reportFailure(context, error);
        else if (error instanceof GraphQLError) context.extraErrors.push(error);
        else throw error;
        return [];
      }
    }),
  );
  return lists.flat();
};

/** The cursor order and value types a root connection's `after` must have. */
function expectedCursor(info: GraphQLResolveInfo, args: Record<string, unknown>): { order: string; shape: CursorValueType[] } {
  if (info.fieldName === 'offerings') {
    const order = effectiveOfferingOrder(args['filter'] as OfferingFilter | null | undefined, args['orderBy'] as OfferingOrder | null | undefined);
    return { order, shape: OFFERING_CURSOR_SHAPES[order] };
  }
  return ACCOUNT_CURSOR;
}

interface Pick {
  answer: number;
  index: number;
  key: SortValue[];
  cursor: string;
}

const EDGES = `${INTERNAL_ALIAS}edges`;
const TOTAL = `${INTERNAL_ALIAS}total`;
const MORE = `${INTERNAL_ALIAS}more`;

function pageInfoObject(selections: readonly SelectionNode[], info: GraphQLResolveInfo, values: Record<string, unknown>): ForwardedObject {
  const object: ForwardedObject = { [FORWARDED]: true };
  for (const collected of collectFields(selections, info.fragments, 'PageInfo', info.variableValues)) {
    if (collected.fieldName in values) object[collected.responseKey] = values[collected.fieldName];
  }
  return object;
}

/**
 * Root connections across members. Every member gets the same arguments
 * (cursors hold sort values, not positions, so one cursor is valid at every
 * member) and returns its next `first` items; the router merges them by their
 * sort keys and keeps the first `first`. Totals add up; a member that fails
 * costs only its own items and adds one error naming it.
 */
const fanOutConnection: Resolver = async (_source, args, context, info) => {
  const first = pageSize(args['first'] as number | null | undefined);
  const after = (args['after'] as string | null | undefined) ?? null;
  // Checked here, once: a bad cursor is the client's mistake, not any member's.
  if (after !== null) {
    const expected = expectedCursor(info, args);
    decodeCursor(after, expected.order, expected.shape);
  }
  const filter = args['filter'] as OfferingFilter | null | undefined;
  let members = context.registry.members;
  if (info.fieldName === 'offerings') {
    validateOfferingFilter(filter);
    if (filter?.institutionIds) {
      const wanted = new Set(filter.institutionIds);
      for (const id of wanted) memberOrThrow(context, id, 'filter.institutionIds');
      members = members.filter((member) => wanted.has(member.id));
    }
  }

  // The client's selection plus what the merge needs: every edge's cursor, the total, whether more follow.
  const [head, ...rest] = info.fieldNodes as [FieldNode, ...FieldNode[]];
  const withKeys: FieldNode = {
    ...head,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        ...(head.selectionSet?.selections ?? []),
        field('edges', { alias: EDGES, selections: [field('cursor')] }),
        field('totalCount', { alias: TOTAL }),
        field('pageInfo', { alias: MORE, selections: [field('hasNextPage')] }),
      ],
    },
  };
  const request = buildForwardRequest(info, context, [withKeys, ...rest], [], 'query', 'connection with merge keys');
  const answers = (
    await Promise.all(
      members.map(async (member) => {
        try {
          return (await forwardRoot(context, info, member, request)) as ForwardedObject | null;
        } catch (error) {
          // Bad arguments fail the same way at every member: that is the client's error to see.
          if (error instanceof GraphQLError && error.extensions['code'] === 'BAD_USER_INPUT') throw error;
          if (error instanceof MemberFailure) reportFailure(context, error);
          else if (error instanceof GraphQLError) context.extraErrors.push(error);
          else throw error;
          return null;
        }
      }),
    )
  ).filter((answer): answer is ForwardedObject => answer !== null);

  const candidates: Pick[] = [];
  let totalCount = 0;
  let memberHasMore = false;
  answers.forEach((answer, answerIndex) => {
    totalCount += Number(answer[TOTAL] ?? 0);
    memberHasMore ||= Boolean((answer[MORE] as ForwardedObject | undefined)?.['hasNextPage']);
    const edges = (answer[EDGES] as { cursor: string }[] | undefined) ?? [];
    edges.forEach((edge, index) => {
      const parsed = parseCursor(edge.cursor);
      if (parsed) candidates.push({ answer: answerIndex, index, key: parsed.values, cursor: edge.cursor });
    });
  });
  candidates.sort((a, b) => compareSortKeys(a.key, b.key));
  const picks = candidates.slice(0, first);
  const hasNextPage = candidates.length > first || memberHasMore;

  const merged: ForwardedObject = { [FORWARDED]: true };
  const typeName = info.returnType.toString().replace(/!$/, '');
  for (const collected of collectFields(mergedSelections(info.fieldNodes), info.fragments, typeName, info.variableValues)) {
    switch (collected.fieldName) {
      case 'nodes':
      case 'edges':
        merged[collected.responseKey] = picks.map((pick) => ((answers[pick.answer] as ForwardedObject)[collected.responseKey] as unknown[] | undefined)?.[pick.index] ?? null);
        break;
      case 'totalCount':
        merged[collected.responseKey] = totalCount;
        break;
      case 'pageInfo':
        merged[collected.responseKey] = pageInfoObject(collected.selections, info, {
          hasNextPage,
          hasPreviousPage: after !== null,
          startCursor: picks[0]?.cursor ?? null,
          endCursor: picks[picks.length - 1]?.cursor ?? null,
        });
        break;
      default:
        break;
    }
  }
  return merged;
};

function memberIdOfReference(reference: Record<string, unknown>): string | Error {
  const id = reference['id'];
  if (typeof id !== 'string') return badUserInput(`A ${String(reference['__typename'])} representation has no "id".`, 'representations');
  if (reference['__typename'] === 'Institution') return isMemberId(id) ? id : badUserInput(`"${id}" is not a member id.`, 'representations');
  const parsed = parseGlobalId(id);
  return parsed ? parsed.memberId : badUserInput(`"${id}" is not a hub id of the form <member id>:<local id>.`, 'representations');
}

/**
 * `_entities` for member-owned types: the representations of one `_entities`
 * call are grouped by the member their ids name, and each member gets one
 * `_entities` call with exactly its own representations, all in parallel.
 */
function entityBatch(context: RouterContext, info: GraphQLResolveInfo): DataLoader<Record<string, unknown>, unknown, string> {
  const node = info.fieldNodes[0] as FieldNode;
  let loader = context.entityBatches.get(node);
  if (loader) return loader;
  loader = new DataLoader<Record<string, unknown>, unknown, string>(
    async (references) => {
      const results: unknown[] = references.map(() => null);
      const groups = new Map<MemberEntry, number[]>();
      references.forEach((reference, index) => {
        const memberId = memberIdOfReference(reference);
        if (memberId instanceof Error) {
          results[index] = memberId;
          return;
        }
        const member = context.registry.get(memberId);
        if (!member) {
          results[index] = unknownMember(memberId);
          return;
        }
        groups.set(member, [...(groups.get(member) ?? []), index]);
      });
      const request = buildForwardRequest(info, context, [withRepresentations(node)], [variableDefinition(REPRESENTATIONS, '[_Any!]!')], 'query', 'entities');
      const key = String(info.path.key);
      await Promise.all(
        [...groups].map(async ([member, indexes]) => {
          try {
            const answer = await callMember(context, member, '_entities', request.query, {
              ...pickVariables(context.rawVariables, request.variableNames),
              [REPRESENTATIONS]: indexes.map((index) => references[index]),
            });
            context.extraErrors.push(...answer.unattached);
            const list = (answer.data?.[key] as unknown[] | undefined) ?? [];
            const unknown = unknownEnumValue(list, info.returnType, mergedSelections(info.fieldNodes), info);
            if (unknown) throw unknownValueFailure(member, unknown);
            indexes.forEach((index, position) => {
              results[index] = list[position] ?? null;
            });
          } catch (error) {
            if (!(error instanceof MemberFailure)) throw error;
            reportFailure(context, error);
          }
        }),
      );
      return results;
    },
    { cacheKeyFn: (reference) => `${String(reference['__typename'])}:${String(reference['id'])}` },
  );
  context.entityBatches.set(node, loader);
  return loader;
}

/**
 * A list of learner accounts asks only the members that could show the caller
 * any: a member's staff see their own member's accounts (another member's
 * only through a learner who shares them), a learner their own everywhere.
 */
const learnerAccountsFanOut: Resolver = recordReader((source, args, context, info) => {
  const principal = requireSignedIn(context.principal, 'learner records');
  if (!principal.roles.includes('learner') && principal.roles.includes('member-staff') && principal.memberId) {
    const own = context.registry.get(principal.memberId);
    const scoped: RouterContext = { ...context, registry: { ...context.registry, members: own ? [own] : [] } };
    return fanOutConnection(source, args, scoped, info);
  }
  return fanOutConnection(source, args, context, info);
});

/** The router's resolver map, for `buildSubgraphSchema`. */
export function routerResolvers(): Record<string, Record<string, unknown>> {
  const query: Record<string, Resolver> = {
    memberContractVersion: () => MEMBER_CONTRACT_VERSION,
    institutions: fanOutList,
    institution: routeByMemberId,
    offerings: fanOutConnection,
    offering: routeByGlobalId,
    learnerAccounts: learnerAccountsFanOut,
    learnerAccount: recordReader(routeByGlobalId),
    enrolment: recordReader(routeByGlobalId),
    achievement: recordReader(routeByGlobalId),
    memberStatistics: fanOutList,
    memberSkillCounts: fanOutList,
    achievementCorrections: fanOutList,
  };
  const entities = Object.fromEntries(
    MEMBER_ENTITY_TYPES.map((typeName) => [
      typeName,
      {
        __resolveReference: (reference: Record<string, unknown>, context: RouterContext, info: GraphQLResolveInfo) =>
          entityBatch(context, info).load(reference),
      },
    ]),
  );
  const mutation: Record<keyof typeof ROOT_MUTATION_STRATEGIES, Resolver> = {
    submitEnrolmentApplication: routeMutation(byInput('opportunityId')),
    decideEnrolment: routeMutation((args) => ({ memberId: requireGlobalId(String(args['id'])).memberId, argument: 'id' })),
    cancelEnrolment: routeMutation((args) => ({ memberId: requireGlobalId(String(args['id'])).memberId, argument: 'id' })),
    createOffering: routeMutation(byStaffMember),
    updateOffering: routeMutation((args) => ({ memberId: requireGlobalId(String(args['id'])).memberId, argument: 'id' })),
    withdrawOffering: routeMutation((args) => ({ memberId: requireGlobalId(String(args['id'])).memberId, argument: 'id' })),
    recordEnrolment: routeMutation(byInput('opportunityId')),
    correctEnrolment: routeMutation((args) => ({ memberId: requireGlobalId(String(args['id'])).memberId, argument: 'id' })),
    recordAchievement: routeMutation(byInput('enrolmentId')),
    correctAchievement: routeMutation((args) => ({ memberId: requireGlobalId(String(args['id'])).memberId, argument: 'id' })),
  };
  return {
    Query: query,
    Mutation: mutation,
    ...entities,
    Learner: {
      __resolveReference: (reference: Record<string, unknown>) => ({
        id: reference['id'],
        memberAccountIds: reference['memberAccountIds'],
        sharingWithCaller: reference['sharingWithCaller'],
      }),
      achievements: learnerRecordReader(learnerAccountList('achievements', 'assessedOn')),
      enrolments: learnerRecordReader(learnerAccountList('enrolments', 'enrolledAt')),
    },
    LocalDate: LocalDateResolver as never,
    DateTimeISO: DateTimeISOResolver as never,
  };
}
