import {
  getDirectiveValues,
  getNullableType,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isEnumType,
  isListType,
  isObjectType,
  Kind,
  parseType,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { GraphQLResponseError } from '../../lib/http-client.js';

/*
 * Forwarding: the router answers a field by sending the same selection to a
 * member and handing the member's JSON back to graphql-js. Three things make
 * that correct:
 *  1. the forwarded document keeps the client's aliases, fragments and
 *     variables, pruned to what the member contract defines;
 *  2. forwarded objects are keyed by response key (alias), so a field
 *     resolver reads them by `info.path.key` (see `forwardedFieldResolver`);
 *  3. a member's error is re-attached to the null it caused, so it surfaces
 *     at the right path instead of silently becoming null.
 */

/** Marks objects that came from a member: their keys are response keys, not field names. */
export const FORWARDED = Symbol('hub.forwarded');
/** Per object: the member error that made a key null. */
export const NULL_CAUSES = Symbol('hub.nullCauses');

export interface ForwardedObject {
  [FORWARDED]?: true;
  [NULL_CAUSES]?: Map<string, GraphQLError>;
  [key: string]: unknown;
}

/** Prefix of the aliases the router adds for its own needs (never shown to clients). */
export const INTERNAL_ALIAS = '__hub_';

export function field(name: string, options: { alias?: string; selections?: readonly SelectionNode[]; arguments?: FieldNode['arguments'] } = {}): FieldNode {
  return {
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: name },
    ...(options.alias ? { alias: { kind: Kind.NAME, value: options.alias } } : {}),
    ...(options.arguments ? { arguments: options.arguments } : {}),
    ...(options.selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections: options.selections } } : {}),
  };
}

export function inlineFragment(typeName: string, selections: readonly SelectionNode[]): SelectionNode {
  return {
    kind: Kind.INLINE_FRAGMENT,
    typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typeName } },
    selectionSet: { kind: Kind.SELECTION_SET, selections },
  };
}

export function variableDefinition(name: string, type: string): VariableDefinitionNode {
  return { kind: Kind.VARIABLE_DEFINITION, variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } }, type: parseType(type) };
}

/** All selections of the field nodes that share one response key, merged into one list. */
export function mergedSelections(fieldNodes: readonly FieldNode[]): SelectionNode[] {
  return fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
}

const TYPENAME: FieldNode = field('__typename');

/**
 * Removes what the member contract does not define (router-only fields and
 * fragments on router-only types), then fragments and variables no longer
 * used. An emptied selection set keeps `__typename` so the document stays valid.
 */
function pruneToContract(document: DocumentNode, contract: GraphQLSchema): DocumentNode {
  const typeInfo = new TypeInfo(contract);
  const pruned = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          if (node.name.value.startsWith('__')) return undefined;
          return typeInfo.getFieldDef() ? undefined : null;
        },
      },
      InlineFragment: {
        enter(node) {
          return node.typeCondition && !contract.getType(node.typeCondition.name.value) ? null : undefined;
        },
      },
      FragmentDefinition: {
        enter(node) {
          return contract.getType(node.typeCondition.name.value) ? undefined : null;
        },
      },
      SelectionSet: {
        leave(node): SelectionSetNode | undefined {
          return node.selections.length === 0 ? { ...node, selections: [TYPENAME] } : undefined;
        },
      },
    }),
  );
  return dropUnused(pruned);
}

/** Drops fragment spreads to missing fragments, unused fragments and unused variable definitions. */
function dropUnused(document: DocumentNode): DocumentNode {
  let current = document;
  // Each round removes fragments no longer used; one only used by a removed fragment goes in the next round.
  for (;;) {
    const defined = new Set(
      current.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => d.name.value),
    );
    const cleaned = visit(current, {
      FragmentSpread: (node) => (defined.has(node.name.value) ? undefined : null),
      SelectionSet: {
        leave: (node): SelectionSetNode | undefined => (node.selections.length === 0 ? { ...node, selections: [TYPENAME] } : undefined),
      },
    });
    const used = new Set<string>();
    visit(cleaned, { FragmentSpread: (node) => void used.add(node.name.value) });
    const definitions = cleaned.definitions.filter(
      (definition) => definition.kind !== Kind.FRAGMENT_DEFINITION || used.has(definition.name.value),
    );
    const next: DocumentNode = { ...cleaned, definitions };
    if (definitions.length === cleaned.definitions.length) return dropUnusedVariables(next);
    current = next;
  }
}

function dropUnusedVariables(document: DocumentNode): DocumentNode {
  const used = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Variable: (node) => void used.add(node.name.value),
  });
  return visit(document, {
    VariableDefinition: (node) => (used.has(node.variable.name.value) ? undefined : null),
  });
}

export interface ForwardRequest {
  query: string;
  /** Names of the client's variables the query uses. */
  variableNames: string[];
}

/**
 * Builds the query a member receives for `selections` at the root of a query
 * (or of a mutation, for the member's root mutations): the client's fragments
 * and variable definitions are carried over, plus `extraVariables` defined by
 * the router itself.
 */
export function buildForwardRequest(
  info: GraphQLResolveInfo,
  target: ForwardTarget,
  selections: readonly SelectionNode[],
  extraVariables: VariableDefinitionNode[] = [],
  operation: 'query' | 'mutation' = 'query',
  /** Names what this call site adds to the field's selections, always the same for one field: the request is kept under it. */
  memo?: string,
): ForwardRequest {
  // The same client document (Apollo Server keeps one parsed document per query text) forwards the same way:
  // pruning, cleaning and printing it again was ~2 % of the hub's CPU under load. Kept per operation and field,
  // for the field's own selections, or under the caller's `memo` tag when the caller adds the same every time.
  const field = memo !== undefined || (selections === info.fieldNodes && extraVariables.length === 0) ? info.fieldNodes[0] : undefined;
  const key = `${operation}\u0000${memo ?? ''}`;
  const memoOf = target.forwards;
  const known = field ? memoOf.get(info.operation)?.get(field)?.get(key) : undefined;
  if (known) return known;
  const request = forwardRequestOf(info, target.contract, selections, extraVariables, operation);
  if (field) {
    let fields = memoOf.get(info.operation);
    if (!fields) memoOf.set(info.operation, (fields = new WeakMap()));
    let keys = fields.get(field);
    if (!keys) fields.set(field, (keys = new Map()));
    if (keys.size < 16) keys.set(key, request);
  }
  return request;
}

/**
 * The forward requests one router has built, per client operation and root field (see buildForwardRequest):
 * weakly held, so they go with the documents Apollo Server lets go of.
 */
export type ForwardMemo = WeakMap<object, WeakMap<object, Map<string, ForwardRequest>>>;

export function createForwardMemo(): ForwardMemo {
  return new WeakMap();
}

/** What forwarding needs of the router: its member contract, and where it keeps requests already built. */
export interface ForwardTarget {
  contract: GraphQLSchema;
  forwards: ForwardMemo;
}

function forwardRequestOf(
  info: GraphQLResolveInfo,
  contract: GraphQLSchema,
  selections: readonly SelectionNode[],
  extraVariables: VariableDefinitionNode[],
  operation: 'query' | 'mutation',
): ForwardRequest {
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: operation as never,
        name: { kind: Kind.NAME, value: 'HubForward' },
        variableDefinitions: [...(info.operation.variableDefinitions ?? []), ...extraVariables],
        selectionSet: { kind: Kind.SELECTION_SET, selections },
      },
      ...Object.values(info.fragments),
    ],
  };
  const pruned = pruneToContract(document, contract);
  const extra = new Set(extraVariables.map((definition) => definition.variable.name.value));
  const variableNames: string[] = [];
  visit(pruned, {
    VariableDefinition: (node) => {
      if (!extra.has(node.variable.name.value)) variableNames.push(node.variable.name.value);
    },
  });
  return { query: print(pruned), variableNames };
}

/** Picks the client's raw variable values the forwarded query uses. */
export function pickVariables(raw: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (name in raw) picked[name] = raw[name];
  return picked;
}

/** Marks every object in a member's data as forwarded (keys are response keys). */
export function adopt(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) adopt(item);
  } else if (value !== null && typeof value === 'object') {
    // Marked already (a kept catalogue answer used again): so is everything inside it.
    if ((value as ForwardedObject)[FORWARDED]) return;
    (value as ForwardedObject)[FORWARDED] = true;
    for (const child of Object.values(value)) adopt(child);
  }
}

/**
 * Attaches each member error to the object whose key it made null, walking
 * the error's path through `data`. Returns the errors that have no such place
 * (no path, or a null inside a list), for the caller to report on its own.
 */
export function attachErrors(data: unknown, errors: readonly GraphQLResponseError[], toError: (error: GraphQLResponseError) => GraphQLError): GraphQLError[] {
  const unattached: GraphQLError[] = [];
  for (const error of errors) {
    const path = error.path ?? [];
    let parent: unknown = data;
    let attached = false;
    for (let i = 0; i < path.length; i += 1) {
      const key = path[i] as string | number;
      if (parent === null || typeof parent !== 'object') break;
      const value = (parent as Record<string | number, unknown>)[key];
      if (value === null || value === undefined || i === path.length - 1) {
        if (!Array.isArray(parent) && typeof key === 'string' && (value === null || value === undefined)) {
          const holder = parent as ForwardedObject;
          holder[NULL_CAUSES] ??= new Map();
          if (!holder[NULL_CAUSES].has(key)) holder[NULL_CAUSES].set(key, toError(error));
          attached = true;
        }
        break;
      }
      parent = value;
    }
    if (!attached) unattached.push(toError(error));
  }
  return unattached;
}

/**
 * The router's default field resolver: forwarded objects are read by response
 * key and re-raise the member error behind a null; anything else (router-built
 * objects) is read by field name as usual.
 */
export function readForwardedField(source: unknown, info: GraphQLResolveInfo): { handled: boolean; value?: unknown } {
  if (source === null || typeof source !== 'object' || !(source as ForwardedObject)[FORWARDED]) return { handled: false };
  const holder = source as ForwardedObject;
  const key = String(info.path.key);
  const value = holder[key];
  if (value === null || value === undefined) {
    const cause = holder[NULL_CAUSES]?.get(key);
    if (cause) throw cause;
    return { handled: true, value: null };
  }
  return { handled: true, value };
}

export interface CollectedField {
  responseKey: string;
  fieldName: string;
  /** Sub-selections of every node with this response key. */
  selections: SelectionNode[];
}

/** Whether `@skip`/`@include` keep a selection, as graphql-js decides it. */
function included(node: SelectionNode, variables: Record<string, unknown>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.['if'] !== false;
}

/**
 * The fields a selection asks for on an object of `typeName`, through inline
 * fragments and fragment spreads, honouring `@skip`/`@include`, grouped by
 * response key (as graphql-js does).
 */
export function collectFields(
  selections: readonly SelectionNode[],
  fragments: Record<string, FragmentDefinitionNode>,
  typeName: string,
  variables: Record<string, unknown>,
  into: Map<string, CollectedField> = new Map(),
): CollectedField[] {
  for (const selection of selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const responseKey = selection.alias?.value ?? selection.name.value;
      const existing = into.get(responseKey);
      const sub = selection.selectionSet?.selections ?? [];
      if (existing) existing.selections.push(...sub);
      else into.set(responseKey, { responseKey, fieldName: selection.name.value, selections: [...sub] });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition || selection.typeCondition.name.value === typeName) {
        collectFields(selection.selectionSet.selections, fragments, typeName, variables, into);
      }
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment && fragment.typeCondition.name.value === typeName) collectFields(fragment.selectionSet.selections, fragments, typeName, variables, into);
    }
  }
  return [...into.values()];
}

/**
 * The first value in forwarded data that the router's schema cannot return
 * (an enum value it does not know, e.g. from a member on a newer contract),
 * as "Type.VALUE", or undefined. Checked before a member's answer is merged,
 * so one member's unknown value cannot null a list that holds every member's
 * items.
 */
export function unknownEnumValue(value: unknown, type: GraphQLOutputType, selections: readonly SelectionNode[], info: GraphQLResolveInfo): string | undefined {
  if (value === null || value === undefined) return undefined;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return undefined;
    for (const item of value) {
      const found = unknownEnumValue(item, nullable.ofType, selections, info);
      if (found) return found;
    }
    return undefined;
  }
  if (isEnumType(nullable)) return nullable.getValue(String(value)) ? undefined : `${nullable.name}.${String(value)}`;
  let objectType = nullable;
  if (isAbstractType(nullable)) {
    const runtime = info.schema.getType(String((value as { __typename?: unknown }).__typename));
    if (!runtime) return undefined;
    objectType = runtime as typeof nullable;
  }
  if (!isObjectType(objectType) || typeof value !== 'object') return undefined;
  const fields = objectType.getFields();
  for (const collected of collectFields(selections, info.fragments, objectType.name, info.variableValues)) {
    const definition = fields[collected.fieldName];
    if (!definition) continue;
    const found = unknownEnumValue((value as Record<string, unknown>)[collected.responseKey], definition.type, collected.selections, info);
    if (found) return found;
  }
  return undefined;
}
