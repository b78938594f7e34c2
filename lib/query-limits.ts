import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { DEFAULT_MAX_RESULT_ITEMS, estimateResultSize, queryTooLarge } from './result-size.js';

/*
 * The limits every GraphQL server of the hub puts on a document, in one
 * place so the gateway, the member router and the central subgraphs refuse
 * exactly the same things (defence in depth: a deployer may put another
 * gateway in front). One cost model: the result-size estimate
 * (lib/result-size.ts), the number of objects a query can make the hub
 * return, page sizes multiplied through the nesting. The other limits are
 * structural (how deep, how many aliases, directives, tokens) and stop
 * documents that are expensive to parse, validate or plan whatever they ask.
 *
 * Refusals are ordinary GraphQL errors with HTTP 400: a document over the
 * token limit fails to parse (GRAPHQL_PARSE_FAILED), depth, aliases and
 * directives fail validation (GRAPHQL_VALIDATION_FAILED), an operation that
 * cannot be found is OPERATION_RESOLUTION_FAILURE, a result too large
 * QUERY_TOO_LARGE. None is a "Syntax Error" unless the text is one.
 */

export interface QueryLimits {
  /** Deepest field nesting (fragments flattened; introspection's own fields not counted). */
  maxDepth: number;
  /** Most aliased fields in one operation, fragments counted where they are spread, `__typename` included. */
  maxAliases: number;
  /** Most directives in one document. */
  maxDirectives: number;
  /** Most lexical tokens in one document (graphql-js stops parsing there). */
  maxTokens: number;
  /** Most objects one query may return: the cost model (lib/result-size.ts). */
  maxResultItems: number;
}

/**
 * Depth 8 fits the portal's deepest query (the pathway query is 6) and stops
 * nested fan-out bombs (offerings → institution → offerings …); 15 aliases
 * and 2,000 tokens leave the portal's largest query several times the room
 * it needs.
 */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = {
  maxDepth: 8,
  maxAliases: 15,
  maxDirectives: 50,
  maxTokens: 2_000,
  maxResultItems: DEFAULT_MAX_RESULT_ITEMS,
};

/**
 * What every subgraph (the member router, ESCO, learners, issuance,
 * recognition, each member) enforces itself, so the protections hold behind
 * any gateway a deployer puts in front (Hive Gateway, a router of their own)
 * and against a caller that reaches a subgraph with a stolen hub token.
 *
 * Looser than the edge's, because the hub's own gateway sends the subgraphs
 * query plans, not the portal's documents: an entity fetch wraps a selection
 * in `_entities(representations:) { ... on T { … } }` (two levels more), the
 * planner adds `__typename` and key fields, and one `_entities` call carries
 * every parent object of a page at once (its representations are counted
 * one object each, lib/result-size.ts). So the depth allows two levels more,
 * aliases, directives and tokens several times the edge's, and the result
 * size twice, still far below what a bomb needs (a third 100 × 100 level is
 * 110,000 objects).
 */
export const SUBGRAPH_QUERY_LIMITS: Readonly<QueryLimits> = {
  maxDepth: DEFAULT_QUERY_LIMITS.maxDepth + 2,
  maxAliases: DEFAULT_QUERY_LIMITS.maxAliases * 4,
  maxDirectives: DEFAULT_QUERY_LIMITS.maxDirectives * 2,
  maxTokens: DEFAULT_QUERY_LIMITS.maxTokens * 4,
  maxResultItems: DEFAULT_QUERY_LIMITS.maxResultItems * 2,
};

/** Limits with the given overrides (undefined keeps the default). */
export function queryLimits(overrides: Partial<QueryLimits> = {}): QueryLimits {
  const limits = { ...DEFAULT_QUERY_LIMITS };
  for (const key of Object.keys(limits) as (keyof QueryLimits)[]) {
    const value = overrides[key];
    if (value !== undefined) limits[key] = value;
  }
  return limits;
}

/** Parse options enforcing the token limit (Apollo Server: `parseOptions`). */
export function queryParseOptions(limits: QueryLimits): ParseOptions {
  return { maxTokens: limits.maxTokens };
}

const INTROSPECTION_ROOTS: ReadonlySet<string> = new Set(['__schema', '__type']);

/**
 * Walks a selection set with fragments flattened, once per fragment (the
 * answer is memoised), so fragment-doubling documents stay cheap. A fragment
 * cycle (refused by the standard rules, which run alongside) counts as 0.
 */
function fragmentWalker(context: ValidationContext, measure: (selectionSet: SelectionSetNode, walk: (set: SelectionSetNode) => number, spread: (name: string) => number) => number) {
  const memo = new Map<string, number>();
  const active = new Set<string>();
  const spread = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
    if (!fragment || active.has(name)) return 0;
    active.add(name);
    const value = walk(fragment.selectionSet);
    active.delete(name);
    memo.set(name, value);
    return value;
  };
  const walk = (set: SelectionSetNode): number => measure(set, walk, spread);
  return walk;
}

/** The deepest field nesting below a selection set. */
function depthWalker(context: ValidationContext) {
  return fragmentWalker(context, (set, walk, spread) => {
    let deepest = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (INTROSPECTION_ROOTS.has(selection.name.value)) continue;
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? walk(selection.selectionSet) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, walk(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, spread(selection.name.value));
      }
    }
    return deepest;
  });
}

/** Aliased fields below a selection set, a fragment counted at each spread. */
function aliasWalker(context: ValidationContext) {
  return fragmentWalker(context, (set, walk, spread) => {
    let aliases = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        if (selection.selectionSet) aliases += walk(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        aliases += walk(selection.selectionSet);
      } else {
        aliases += spread(selection.name.value);
      }
    }
    return aliases;
  });
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message);
}

/** Validation rules for depth and aliases (per operation) and directives (per document). */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const depth: ValidationRule = (context): ASTVisitor => {
    const walk = depthWalker(context);
    return {
      OperationDefinition(operation) {
        const found = walk(operation.selectionSet);
        if (found > limits.maxDepth) context.reportError(refusal(`The query's depth is ${found} (limit ${limits.maxDepth}): nest fields less deeply.`));
      },
    };
  };
  const aliases: ValidationRule = (context): ASTVisitor => {
    const walk = aliasWalker(context);
    return {
      OperationDefinition(operation) {
        const found = walk(operation.selectionSet);
        if (found > limits.maxAliases) context.reportError(refusal(`The query uses ${found} aliases (limit ${limits.maxAliases}): ask for fewer fields under other names.`));
      },
    };
  };
  const directives: ValidationRule = (context): ASTVisitor => {
    let found = 0;
    return {
      Directive() {
        found += 1;
      },
      Document: {
        leave() {
          if (found > limits.maxDirectives) context.reportError(refusal(`The query uses ${found} directives (limit ${limits.maxDirectives}).`));
        },
      },
    };
  };
  return [depth, aliases, directives];
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * The error for a request whose operation cannot be found (an operationName
 * naming none, or several operations and no name): HTTP 400. The name is
 * echoed only when it is a GraphQL name, so no client text of any other shape
 * reaches the answer or the log.
 */
export function operationNotFound(operationName: unknown): GraphQLError {
  const message =
    typeof operationName === 'string' && operationName !== ''
      ? NAME.test(operationName)
        ? `Unknown operation named "${operationName}".`
        : 'The document has no operation of the name given in "operationName".'
      : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}

/** What the limits plugin learnt about an admitted operation. */
export interface AdmittedOperation<TContext extends BaseContext> {
  /** The estimated result size: the operation's cost. */
  cost: number;
  request: GraphQLRequestContextDidResolveOperation<TContext>;
}

export interface QueryLimitsPluginOptions<TContext extends BaseContext> {
  /**
   * Called once the operation is within the limits, before anything runs; may
   * throw a GraphQL error to refuse it, or return a function called once the
   * answer is sent (the gateway's cost admission frees its slot with it).
   */
  admit?: (operation: AdmittedOperation<TContext>) => Promise<(() => void) | void> | (() => void) | void;
}

/**
 * The per-request half of the limits (Apollo Server plugin): refuses a
 * request whose operation cannot be found, and one whose estimated result is
 * above `maxResultItems`, with the request's variables, before any resolver
 * or subgraph runs. (A validation rule could not: Apollo Server caches
 * validation per document, without variables.)
 */
export function queryLimitsPlugin<TContext extends BaseContext>(limits: QueryLimits, options: QueryLimitsPluginOptions<TContext> = {}): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let release: (() => void) | void;
      return {
        async willSendResponse() {
          release?.();
        },
        async didResolveOperation(request) {
          const { schema, document, operation } = request;
          // Apollo Gateway would throw on a missing operation while planning (HTTP 500, a stack trace in the log).
          if (!operation) throw operationNotFound(request.request.operationName);
          const cost = estimateResultSize(schema, document, { operationName: operation.name?.value ?? request.request.operationName, variables: request.request.variables ?? {} });
          if (cost > limits.maxResultItems) throw queryTooLarge(cost, limits.maxResultItems);
          release = await options.admit?.({ cost, request });
        },
      };
    },
  };
}
