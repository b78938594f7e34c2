import type { MikroORM } from '@mikro-orm/core';
import type { Principal } from '../../lib/auth.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type DataLoader from 'dataloader';
import type { SubgraphCall, SubgraphCaller } from '../../lib/subgraph-calls.js';
import type { AnalyticsLoaders, AnalyticsSource } from './loaders.js';
import type { Publication, PublishedOutcomes } from './publication.js';
import type { StandingPublication } from './standing.js';

/** What lives as long as the analytics service. */
export interface AnalyticsService {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  sources: SubgraphCaller<AnalyticsSource>;
  logger: Logger;
  /** The smallest count published (k-anonymity); never below MIN_K (lib/suppression.ts). */
  k: number;
  /** How long a learner may change their feedback after giving it. */
  editableDays: number;
  now(): Date;
  /** How long a publication of the alliance statistics stands before it is rebuilt. */
  statisticsTtlMs: number;
  /**
   * The deadline of each call a publication build makes (every member counts; no reader waits
   * for it once one stands, so it may take longer than a reader's call).
   */
  buildTimeoutMs: number;
  /** The alliance statistics (statistics.ts), standing while the next is built (standing.ts). */
  publication: StandingPublication<Publication>;
  /** The credential and recognition outcomes (outcomes.ts), standing the same way. */
  outcomes: StandingPublication<PublishedOutcomes>;
  /** Sees every call the service makes to another subgraph (tests count them). */
  observe?: (call: SubgraphCall<AnalyticsSource>) => void;
}

/** What every analytics resolver receives: built fresh for each request. */
export interface AnalyticsContext {
  em: SqlEntityManager;
  service: AnalyticsService;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  loaders: AnalyticsLoaders;
  /** Per member, the offerings whose quality summary is withheld, worked out once per request (a catalogue page asks for each offering). */
  withheldOfferings?: Map<string, Set<string>>;
  /** The caller's batch of enrolment counts, made on first use. */
  enrolmentCounts?: DataLoader<string, number | null>;
}
