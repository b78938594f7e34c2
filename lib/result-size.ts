import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';
import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValueNode,
} from 'graphql';

/*
 * A limit on how many objects one query can make the hub return: the hub's
 * one cost model (lib/query-limits.ts).
 *
 * A field-count cost (graphql-armor's, used before) multiplies by `first`
 * only when it is a literal: it counts `first: $n` as 1, an omitted `first`
 * (a page of 20) as 1, and a list without `first` (13 institutions) as one
 * object, and charges scalars, so it refused `offerings(first: 100)` with a
 * few fields while admitting
 * `query ($n: Int) { offerings(first: $n) { nodes { institution { offerings(first: $n) { nodes { learningOutcomes { description } } } } } } }`
 * which, with `n: 100`, asks the members for 10,000 offerings and
 * their outcomes. This estimate multiplies every page size through the
 * nesting, variables included.
 *
 * It is checked by an Apollo Server plugin (`didResolveOperation`, lib/query-limits.ts), not a validation
 * rule: Apollo Server validates a document once and caches the result without
 * variable values, so a rule would have to assume the largest page for every
 * `first: $n` and refuse the portal's paginated queries that ask for 10. The
 * plugin runs per request, after parsing and validation, with
 * `request.variables`, and still before the query plan reaches a subgraph.
 */

/**
 * Default for `maxResultItems`. The pathway query (hub/sample.ts) estimates
 * at 272 objects; the largest query in the test suite that the gateway
 * admits (skill groups with narrower and broader groups) at 1,110, and the
 * largest at all (100 ESCO skills with five relations each, sent to the
 * subgraph directly) at about 6,100: 20,000 leaves three times the headroom
 * of even that. It admits one 100 × 100 nesting through variables
 * (offerings → institution → offerings: about 10,300) but not a third level
 * such as their learning outcomes (about 110,000).
 */
export const DEFAULT_MAX_RESULT_ITEMS = 20_000;
// What a paginated field returns when `first` is omitted, and the largest page the subgraphs serve
// (assumed for a `first: $n` whose value is unknown): the limits lib/pagination.ts enforces.
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };
/**
 * Assumed length of a list without `first` (learning outcomes of an offering,
 * achievements of a learner, broader skills…). Most are a handful; the
 * longest fixed one, `institutions`, has 13 entries.
 */
export const UNPAGINATED_LIST_ESTIMATE = 10;

export interface ResultSizeInput {
  /** Which operation of the document runs (as in the request); optional for a single operation. */
  operationName?: string | null | undefined;
  /**
   * The request's variable values. Without them every `first: $n` counts as
   * the largest page (100); with them a variable that is absent takes its
   * default in the operation, else the argument's default.
   */
  variables?: Readonly<Record<string, unknown>> | undefined;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  operation: OperationDefinitionNode;
  variables: Readonly<Record<string, unknown>> | undefined;
  /** Per-instance counts of selection lists already walked (see `memoKey`). */
  memo: Map<string, number>;
  /** Selection lists being walked: meeting one again is a fragment cycle. */
  active: Set<string>;
  ids: Map<SelectionNode, number>;
}

/**
 * Nesting beyond which the walk gives up and calls the result unbounded.
 * Validation (depth 8, no fragment cycles) has rejected deeper documents
 * before the plugin runs; this and `active` only keep a direct call with an
 * invalid document from recursing forever.
 */
const MAX_WALK_DEPTH = 200;

/**
 * The largest number of objects (not scalars) an operation can return: for
 * every field with an object type, how many times it can occur, summed over
 * the whole tree. A field with a `first` argument multiplies by that page size
 * (or the argument's default, 20, when omitted): directly when it returns a
 * list, else for the lists of the connection it returns (`nodes`, `edges`).
 * Other lists count as `UNPAGINATED_LIST_ESTIMATE` entries. Fields selected
 * twice under one response key (through fragments) are counted once; `@skip`
 * and `@include` are ignored, so the figure is an upper bound.
 *
 * Returns 0 when the operation cannot be found (validation reports that).
 */
export function estimateResultSize(schema: GraphQLSchema, document: DocumentNode, input: ResultSizeInput = {}): number {
  const operation = getOperationAST(document, input.operationName ?? undefined);
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: Walk = { schema, fragments, operation, variables: input.variables, memo: new Map(), active: new Set(), ids: new Map() };
  return countSelections(walk, operation.selectionSet.selections, root, undefined, 0);
}

interface FieldGroup {
  parentType: GraphQLCompositeType;
  nodes: FieldNode[];
}

/**
 * Fields of a selection list with fragments flattened, grouped by parent type
 * and response key (GraphQL merges such fields into one result entry). A named
 * fragment is expanded once per list: a second spread adds the same fields to
 * the same groups, and skipping it keeps fragment-doubling documents cheap.
 */
function collectFields(walk: Walk, selections: readonly SelectionNode[], parentType: GraphQLCompositeType, groups: Map<string, FieldGroup>, expanded: Set<string>): void {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      const key = `${parentType.name}.${selection.alias?.value ?? selection.name.value}`;
      const group = groups.get(key);
      if (group) group.nodes.push(selection);
      else groups.set(key, { parentType, nodes: [selection] });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parentType;
      if (type && isCompositeType(type)) collectFields(walk, selection.selectionSet.selections, type, groups, expanded);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || expanded.has(name)) continue;
      expanded.add(name);
      const type = walk.schema.getType(fragment.typeCondition.name.value);
      if (type && isCompositeType(type)) collectFields(walk, fragment.selectionSet.selections, type, groups, expanded);
    }
  }
}

/**
 * Identifies a selection list by its fields' AST nodes and its fragments'
 * names, so `a { ...F } b { ...F }` walks F's subtree once (counts scale
 * linearly with the number of instances, so a per-instance count is reusable).
 */
function memoKey(walk: Walk, selections: readonly SelectionNode[], parentType: GraphQLCompositeType, pageSize: number | undefined): string {
  const parts = selections.map((selection) => {
    if (selection.kind === Kind.FRAGMENT_SPREAD) return `...${selection.name.value}`;
    let id = walk.ids.get(selection);
    if (id === undefined) {
      id = walk.ids.size;
      walk.ids.set(selection, id);
    }
    return String(id);
  });
  return `${parentType.name}|${pageSize ?? ''}|${parts.join(',')}`;
}

/**
 * Objects below one instance of a selection list. `pageSize` is set when the
 * list belongs to a paginated connection: its lists hold one page each.
 */
function countSelections(walk: Walk, selections: readonly SelectionNode[], parentType: GraphQLCompositeType, pageSize: number | undefined, depth: number): number {
  if (depth > MAX_WALK_DEPTH) return Number.POSITIVE_INFINITY;
  const key = memoKey(walk, selections, parentType, pageSize);
  const known = walk.memo.get(key);
  if (known !== undefined) return known;
  if (walk.active.has(key)) return 0;
  walk.active.add(key);
  const groups = new Map<string, FieldGroup>();
  collectFields(walk, selections, parentType, groups, new Set());
  let total = 0;
  for (const { parentType: type, nodes } of groups.values()) {
    const first = nodes[0];
    if (!first || !(isObjectType(type) || isInterfaceType(type))) continue;
    const field = type.getFields()[first.name.value];
    if (!field) continue;
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) continue;
    const pageArgument = field.args.find((argument) => argument.name === 'first');
    const requested = pageArgument ? Math.max(...nodes.map((node) => requestedPage(walk, node, pageArgument))) : undefined;
    const lists = listDepth(field.type);
    // How many objects this field makes per instance of its parent.
    const batch = depth === 0 && first.name.value === ENTITIES_FIELD ? Math.max(...nodes.map((node) => representationCount(walk, node))) : undefined;
    let count = 1;
    for (let level = 0; level < lists; level += 1) {
      count *= level === 0 ? (batch ?? requested ?? pageSize ?? UNPAGINATED_LIST_ESTIMATE) : UNPAGINATED_LIST_ESTIMATE;
    }
    // A paginated field that returns one object (a connection) passes its page size to that object's lists.
    const childPage = lists === 0 ? requested : undefined;
    const children = nodes.flatMap((node) => node.selectionSet?.selections ?? []);
    total += count * (1 + (children.length > 0 ? countSelections(walk, children, named, childPage, depth + 1) : 0));
  }
  walk.active.delete(key);
  walk.memo.set(key, total);
  return total;
}

/** The federation entry point a gateway calls a subgraph through: `_entities(representations: [_Any!]!)`. */
const ENTITIES_FIELD = '_entities';

/**
 * How many entities an `_entities` call asks for: one per representation (a
 * gateway batches every parent object of a page into one call, so the list is
 * not a page of 10). A literal list counts its entries; a variable its array's
 * length, or the largest page when the value is not known.
 */
function representationCount(walk: Walk, node: FieldNode): number {
  const value = node.arguments?.find((argument) => argument.name.value === 'representations')?.value;
  if (!value) return 0;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    if (!walk.variables) return MAX_PAGE_SIZE;
    const given = walk.variables[value.name.value];
    return Array.isArray(given) ? given.length : 1;
  }
  return 1;
}

function listDepth(type: GraphQLOutputType): number {
  let depth = 0;
  let current: GraphQLOutputType = type;
  for (;;) {
    const nullable = isNonNullType(current) ? (current.ofType as GraphQLOutputType) : current;
    if (!isListType(nullable)) return depth;
    depth += 1;
    current = nullable.ofType as GraphQLOutputType;
  }
}

/** The page a field asks for: its `first` (literal or variable), else the argument's default. */
function requestedPage(walk: Walk, node: FieldNode, argument: GraphQLArgument): number {
  const fallback = typeof argument.defaultValue === 'number' ? argument.defaultValue : DEFAULT_PAGE_SIZE;
  const value = node.arguments?.find((a) => a.name.value === 'first')?.value;
  if (!value) return fallback;
  if (value.kind === Kind.VARIABLE) {
    if (!walk.variables) return MAX_PAGE_SIZE;
    const name = value.name.value;
    if (Object.hasOwn(walk.variables, name)) return pageNumber(walk.variables[name], fallback);
    const declared = walk.operation.variableDefinitions?.find((definition) => definition.variable.name.value === name)?.defaultValue;
    return declared ? literalPage(declared, fallback) : fallback;
  }
  return literalPage(value, fallback);
}

function literalPage(value: ValueNode, fallback: number): number {
  if (value.kind === Kind.INT) return pageNumber(Number(value.value), fallback);
  // Anything else (null, a string) is refused by validation or the subgraph; count the default page.
  return fallback;
}

function pageNumber(value: unknown, fallback: number): number {
  if (value === null || value === undefined) return fallback;
  // A value that is not a whole number is refused later anyway; count the largest page until then.
  if (typeof value !== 'number' || !Number.isInteger(value)) return MAX_PAGE_SIZE;
  return Math.max(0, value);
}

/** The error for a query over the limit: HTTP 400, a public code, and what to change. */
export function queryTooLarge(estimate: number, limit: number): GraphQLError {
  const format = (n: number) => n.toLocaleString('en-US');
  return new GraphQLError(`This query could return up to ${format(estimate)} objects (limit ${format(limit)}): ask for smaller pages with \`first\`.`, {
    extensions: { code: 'QUERY_TOO_LARGE', http: { status: 400 } },
  });
}
