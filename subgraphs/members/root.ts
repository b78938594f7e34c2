import { GraphQLError, Kind, type ArgumentNode, type FieldNode, type GraphQLResolveInfo } from 'graphql';
import { unknownMember } from '../../lib/errors.js';
import { callMember, MemberFailure, type MemberAnswer } from './calls.js';
import type { RouterContext } from './context.js';
import { buildForwardRequest, INTERNAL_ALIAS, mergedSelections, NULL_CAUSES, pickVariables, unknownEnumValue, type ForwardedObject, type ForwardRequest } from './forward.js';
import type { MemberEntry } from './registry.js';

/* What the router's resolvers share: the resolver shape, forwarding a root field to one member, representations. */

export type Resolver = (source: unknown, args: Record<string, unknown>, context: RouterContext, info: GraphQLResolveInfo) => unknown;

export const REPRESENTATIONS = `${INTERNAL_ALIAS}representations`;

export function memberOrThrow(context: RouterContext, memberId: string, argument: string): MemberEntry {
  const member = context.registry.get(memberId);
  if (!member) throw unknownMember(memberId, argument);
  return member;
}

/** Reads a forwarded root value, raising the member's error behind a null (and keeping its other errors). */
export function rootValue(answer: MemberAnswer, key: string, context: RouterContext): unknown {
  const value = answer.data?.[key] ?? null;
  const cause = (answer.data as ForwardedObject | null)?.[NULL_CAUSES]?.get(key);
  const unattached = [...answer.unattached];
  if (value === null && (cause ?? unattached[0])) {
    const raised = cause ?? (unattached.shift() as GraphQLError);
    context.extraErrors.push(...unattached);
    throw raised;
  }
  context.extraErrors.push(...unattached);
  return value;
}

/** A member answered with a value the router cannot return (e.g. an enum value of a newer contract). */
export function unknownValueFailure(member: MemberEntry, value: string): MemberFailure {
  return new MemberFailure(
    member,
    new GraphQLError(`Member "${member.id}" (${member.name}) answered with ${value}, which this hub does not know; its data is missing from this response.`, {
      extensions: { code: 'MEMBER_ERROR', member: member.id },
    }),
  );
}

/**
 * Forwards the root field to one member and returns its value, after
 * checking the value is one the router can return.
 */
export async function forwardRoot(context: RouterContext, info: GraphQLResolveInfo, member: MemberEntry, request: ForwardRequest = buildForwardRequest(info, context, info.fieldNodes)): Promise<unknown> {
  const answer = await callMember(context, member, info.fieldName, request.query, pickVariables(context.rawVariables, request.variableNames));
  const value = rootValue(answer, String(info.path.key), context);
  const unknown = unknownEnumValue(value, info.returnType, mergedSelections(info.fieldNodes), info);
  if (unknown) throw unknownValueFailure(member, unknown);
  return value;
}

/** Replaces a field's arguments with `representations: $__hub_representations`. */
export function withRepresentations(node: FieldNode): FieldNode {
  const argument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'representations' },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: REPRESENTATIONS } },
  };
  return { ...node, arguments: [argument] };
}
