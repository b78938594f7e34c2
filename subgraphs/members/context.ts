import type DataLoader from 'dataloader';
import type { FieldNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import type { HttpClient } from '../../lib/http-client.js';
import type { HubSigner } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { ServiceMetrics } from '../../lib/metrics.js';
import type { Observation } from '../../lib/observe.js';
import type { MemberDeadlines } from './deadlines.js';
import type { ForwardMemo } from './forward.js';
import type { CatalogueCache } from './public-cache.js';
import type { Registry } from './registry.js';

/** One grant's worth of sharing with the caller's member: scopes, and the members whose records (empty: all). */
export interface CallerSharing {
  scopes: readonly string[];
  memberIds: readonly string[];
}

/** One call from the router to a member, kept for logs and tests. */
export interface MemberCall {
  member: string;
  /** What was asked: a root field name or `_entities`. */
  purpose: string;
  ok: boolean;
  ms: number;
}

/** What every router resolver receives: built fresh for each request. */
export interface RouterContext {
  /** The registry current when the request started (the router's holder may be reloaded meanwhile): one request, one set of members. */
  registry: Registry;
  client: HttpClient;
  /** The member contract as a schema: forwarded documents are pruned to it. */
  contract: GraphQLSchema;
  /** Forward requests this router has built (subgraphs/members/forward.ts), shared by its requests. */
  forwards: ForwardMemo;
  /** Each member's deadline per client request, shared by the router's requests (calls.ts). */
  deadlines: MemberDeadlines;
  logger: Logger;
  /** The client's variables as sent (not coerced), forwarded unchanged. */
  rawVariables: Record<string, unknown>;
  /** Who is asking, as the gateway vouches for it; passed on to members. */
  principal: Principal;
  /** Signs the caller's identity for each member call (null: members do not check, in-process tests). */
  signer: HubSigner | null;
  /** Errors to add to the response that belong to no single field (a member that failed). */
  extraErrors: GraphQLError[];
  /** Keys of errors already reported, so a failing member is reported once per request. */
  reported: Set<string>;
  calls: MemberCall[];
  /** The request's ids (passed on to members) and its log line's calls (lib/observe.ts). */
  observation?: Observation;
  /** The router's metrics: member calls by outcome, catalogue cache lookups. */
  metrics?: ServiceMetrics;
  /** Members' answers about the public catalogue, shared by every request (null: not kept). */
  catalogue: CatalogueCache | null;
  /** Batches of `_entities` representations per `_entities` field, one DataLoader each. */
  entityBatches: WeakMap<FieldNode, DataLoader<Record<string, unknown>, unknown, string>>;
  /**
   * For each learner account the request reached through a Learner: the
   * learner and what the learner's valid grants share with the caller's
   * member (from the learners subgraph, via `@requires`).
   */
  sharingByAccount: Map<string, { learnerId: string; sharing: readonly CallerSharing[] }>;
  /** Batches of learner-account fields per (field, member). */
  accountFieldBatches: WeakMap<FieldNode, Map<string, DataLoader<string, unknown[] | null>>>;
}
