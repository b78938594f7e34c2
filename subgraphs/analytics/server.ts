import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import { mountErasureRoute } from '../../lib/erasure.js';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import { observedClient, type SubgraphCaller } from '../../lib/subgraph-calls.js';
import { RECOGNITION_OUTCOMES } from '../../lib/recognition-outcomes.js';
import { checkK, DEFAULT_K } from '../../lib/suppression.js';
import type { AnalyticsContext, AnalyticsService } from './context.js';
import { mountDashboard } from './dashboard.js';
import { eraseLearner } from './erasure.js';
import { createAnalyticsLoaders, type AnalyticsSource } from './loaders.js';
import { buildOutcomes } from './outcomes.js';
import { buildAnalyticsSchema } from './schema.js';
import { StandingPublication } from './standing.js';
import { buildStatistics } from './statistics.js';

export interface AnalyticsServiceOptions {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  /** The member router, read as the caller. */
  sources: SubgraphCaller<AnalyticsSource>;
  logger: Logger;
  /** k of k-anonymity (default 5, never below 3). */
  k?: number;
  /** Days a learner may change their feedback (default 30). */
  editableDays?: number;
  /** How long a publication of the alliance statistics stands (default 10 minutes). */
  statisticsTtlMs?: number;
  /** The deadline of each call a publication build makes (default 60 s). */
  buildTimeoutMs?: number;
  now?: () => Date;
}

/** The service as a publication build sees it: its calls have the build's deadline, not a reader's. */
function building(service: AnalyticsService): AnalyticsService {
  return { ...service, sources: { ...service.sources, timeoutMs: Math.max(service.sources.timeoutMs, service.buildTimeoutMs) } };
}

/** What a request needs that outlives it. */
export function createAnalyticsService(options: AnalyticsServiceOptions): AnalyticsService {
  const now = options.now ?? (() => new Date());
  const standing = { ttlMs: () => service.statisticsTtlMs, now, logger: options.logger };
  const service: AnalyticsService = {
    orm: options.orm,
    databaseKind: options.databaseKind,
    sources: { ...options.sources, client: observedClient(options.sources.client, options.sources.urls, () => service.observe) },
    logger: options.logger,
    k: checkK(options.k ?? DEFAULT_K),
    editableDays: options.editableDays ?? 30,
    statisticsTtlMs: options.statisticsTtlMs ?? 10 * 60_000,
    buildTimeoutMs: options.buildTimeoutMs ?? 60_000,
    publication: new StandingPublication({ ...standing, name: 'alliance statistics', build: (at) => buildStatistics(building(service), at) }),
    outcomes: new StandingPublication({ ...standing, name: 'credential and recognition outcomes', build: (at) => buildOutcomes(building(service), RECOGNITION_OUTCOMES, at) }),
    now,
  };
  return service;
}

/** How soon a build at start is tried again when it failed and no publication stands. */
const WARM_RETRY_MS = 15_000;

export interface AnalyticsServerOptions {
  service: AnalyticsService;
  logger: Logger;
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<AnalyticsContext>[];
  /** Verifies hub-internal tokens (audience "analytics"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
  /**
   * Build the publications as the server starts and again every time to live, so that
   * no reader waits for a build (standing.ts). On in `npm start` and `npm run analytics`;
   * off where a test writes data first and wants the first read to count it.
   */
  warm?: boolean;
}

export async function startAnalyticsServer(options: AnalyticsServerOptions): Promise<RunningServer> {
  const { service } = options;
  const server = await startGraphQLServer<AnalyticsContext>({
    name: 'analytics',
    orm: service.orm,
    schema: await buildAnalyticsSchema(),
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'analytics' } : null,
    routes: (app) => {
      mountDashboard(app);
      const verifier = options.hubAuth;
      if (verifier) {
        mountErasureRoute(app, { audience: 'analytics', verifier, logger: options.logger, erase: (learnerId) => eraseLearner(service.orm.em.fork() as SqlEntityManager, learnerId) });
      }
    },
    context: async (_request, principal) => {
      const em = service.orm.em.fork() as SqlEntityManager;
      return { em, service, principal, loaders: createAnalyticsLoaders(em, service.sources) };
    },
    readiness: async () => {
      await service.orm.em.getConnection().execute('select 1');
    },
  });
  if (!options.warm) return server;
  let retry: NodeJS.Timeout | undefined;
  const refresh = () => {
    // Failures are logged by the publication; while none stands, the build is tried again soon
    // (a source still starting), else at the next tick or by the next reader.
    for (const publication of [service.publication, service.outcomes] as const) {
      publication.refresh().catch(() => {
        if (publication.publishedAt !== null || retry) return;
        retry = setTimeout(() => {
          retry = undefined;
          refresh();
        }, WARM_RETRY_MS);
        retry.unref();
      });
    }
  };
  refresh();
  // A tick per time to live (at least a minute apart), so a publication is rebuilt before a reader finds it old.
  const timer = setInterval(refresh, Math.max(60_000, service.statisticsTtlMs));
  timer.unref();
  return {
    ...server,
    stop: async () => {
      clearInterval(timer);
      clearTimeout(retry);
      await server.stop();
    },
  };
}
