import { BREAK, getNamedType, isLeafType, Kind, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import type { GraphQLResponseBody } from '../../lib/http-client.js';

/*
 * The public catalogue, cached at the router. A catalogue search or
 * `institutions` asks all 13 members; their answers are the same for every
 * caller (the catalogue is public), so the router keeps each member's answer
 * for a short time and answers the next caller without asking again.
 *
 * Only answers that cannot depend on who asks are kept: a forwarded query is
 * cacheable when every field it selects belongs to the public catalogue
 * (PUBLIC_TYPES, and a field whose type is one of them or a scalar or enum).
 * A single learner-record, uptake or achievement field anywhere in it makes
 * the whole query uncacheable, so personal data is never kept or shared. The
 * decision is made on the forwarded document, which the router builds and
 * prunes to the member contract itself, and is remembered per document text.
 *
 * Freshness: an entry lives `ttlMs` (CATALOGUE_CACHE_SECONDS, 10 s by
 * default); a change made through the graph (curation mutations routed to a
 * member) drops that member's entries at once, so its own staff see it in the
 * next read; a change at the member's own systems (sync, import) shows within
 * the TTL. Answers with errors are never kept. Concurrent misses for the same
 * answer share one member call.
 */

/** The member-contract types whose every scalar field is the same for every caller. */
const PUBLIC_TYPES = new Set([
  'Query',
  '_Entity',
  'Institution',
  'LearningOpportunity',
  'LearningOpportunityConnection',
  'LearningOpportunityEdge',
  'LearningOutcome',
  'PageInfo',
  'Skill',
  'ExternalAccreditation',
  'QualityAssuranceArrangement',
]);
/** The root fields that read the catalogue (every other root field is personal, counted or a service's). */
const PUBLIC_ROOT_FIELDS = new Set(['institutions', 'institution', 'offerings', 'offering', 'memberContractVersion', '_entities']);

export const DEFAULT_CATALOGUE_CACHE_MS = 10_000;
const MAX_ENTRIES = 5_000;
const MAX_DOCUMENTS = 500;

interface Entry {
  expires: number;
  /** Only an answer with data and no errors is kept. */
  body: GraphQLResponseBody;
}

export interface CatalogueCacheStats {
  hits: number;
  misses: number;
  uncacheable: number;
  entries: number;
}

export interface CatalogueCache {
  /** Whether the forwarded query reads only the public catalogue (memoised per document text). */
  cacheable(query: string): boolean;
  /**
   * The member's answer to a public query: the kept one while it is fresh,
   * else `load()`'s (kept when it has no errors). Concurrent misses share one load.
   */
  answer(memberId: string, endpoint: string, query: string, variables: Record<string, unknown>, load: () => Promise<GraphQLResponseBody>): Promise<{ body: GraphQLResponseBody; hit: boolean }>;
  /** Drops every kept answer of a member (a change went through the graph to it). */
  invalidate(memberId: string): void;
  stats(): CatalogueCacheStats;
}

/** Walks a forwarded document against the member contract: true when every field is public. */
function readsOnlyPublic(query: string, contract: GraphQLSchema): boolean {
  let document;
  try {
    document = parse(query);
  } catch {
    return false;
  }
  let isPublic = true;
  const typeInfo = new TypeInfo(contract);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        if (node.operation !== 'query') {
          isPublic = false;
          return BREAK;
        }
        return undefined;
      },
      Field(node) {
        if (node.name.value === '__typename') return undefined;
        const parent = typeInfo.getParentType();
        const definition = typeInfo.getFieldDef();
        if (!parent || !definition || !PUBLIC_TYPES.has(parent.name)) {
          isPublic = false;
          return BREAK;
        }
        if (parent.name === 'Query' && !PUBLIC_ROOT_FIELDS.has(node.name.value)) {
          isPublic = false;
          return BREAK;
        }
        const named = getNamedType(definition.type);
        if (!isLeafType(named) && !PUBLIC_TYPES.has(named.name)) {
          isPublic = false;
          return BREAK;
        }
        return undefined;
      },
      InlineFragment(node) {
        if (node.typeCondition && !PUBLIC_TYPES.has(node.typeCondition.name.value)) {
          isPublic = false;
          return BREAK;
        }
        return undefined;
      },
      FragmentDefinition(node) {
        if (!PUBLIC_TYPES.has(node.typeCondition.name.value)) {
          isPublic = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return isPublic && document.definitions.every((definition) => definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION);
}

export function createCatalogueCache(contract: GraphQLSchema, options: { ttlMs?: number; now?: () => number } = {}): CatalogueCache {
  const ttlMs = options.ttlMs ?? DEFAULT_CATALOGUE_CACHE_MS;
  const now = options.now ?? Date.now;
  const documents = new Map<string, boolean>();
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<GraphQLResponseBody>>();
  /** Per member, a generation: a load that started before an invalidation is not kept. */
  const generations = new Map<string, number>();
  const counts = { hits: 0, misses: 0, uncacheable: 0 };

  return {
    cacheable(query) {
      if (ttlMs <= 0) return false;
      let known = documents.get(query);
      if (known === undefined) {
        known = readsOnlyPublic(query, contract);
        if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value as string);
        documents.set(query, known);
      }
      if (!known) counts.uncacheable += 1;
      return known;
    },
    async answer(memberId, endpoint, query, variables, load) {
      const key = `${memberId}\u0000${endpoint}\u0000${query}\u0000${JSON.stringify(variables)}`;
      const kept = entries.get(key);
      if (kept && kept.expires > now()) {
        counts.hits += 1;
        return { body: kept.body, hit: true };
      }
      if (kept) entries.delete(key);
      const pending = loading.get(key);
      if (pending) {
        counts.hits += 1;
        return { body: await pending, hit: true };
      }
      counts.misses += 1;
      const generation = generations.get(memberId) ?? 0;
      const started = load();
      loading.set(key, started);
      try {
        const body = await started;
        if (body.data && !(body.errors?.length) && (generations.get(memberId) ?? 0) === generation) {
          if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
          entries.set(key, { expires: now() + ttlMs, body: { data: body.data } });
        }
        return { body, hit: false };
      } finally {
        loading.delete(key);
      }
    },
    invalidate(memberId) {
      generations.set(memberId, (generations.get(memberId) ?? 0) + 1);
      const prefix = `${memberId}\u0000`;
      for (const key of entries.keys()) if (key.startsWith(prefix)) entries.delete(key);
      for (const key of loading.keys()) if (key.startsWith(prefix)) loading.delete(key);
    },
    stats: () => ({ ...counts, entries: entries.size }),
  };
}
