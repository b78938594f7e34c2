import type { MemberIds } from '../../lib/ids.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import { mountErasureRoute } from '../../lib/erasure.js';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import type { RecognitionContext, RecognitionService } from './context.js';
import { eraseLearner } from './erasure.js';
import { createRecognitionLoaders } from './loaders.js';
import { buildRecognitionSchema } from './schema.js';
import { observedSources, type RecognitionSources } from './sources.js';

export interface RecognitionServiceOptions {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  sources: RecognitionSources;
  /** The alliance's member ids (from the registry); requests and rules may name only these. */
  knownMembers: MemberIds | null;
  logger: Logger;
  now?: () => Date;
}

/** What a request needs that outlives it. */
export function createRecognitionService(options: RecognitionServiceOptions): RecognitionService {
  const service: RecognitionService = {
    orm: options.orm,
    databaseKind: options.databaseKind,
    sources: observedSources(options.sources, () => service.observe),
    knownMembers: options.knownMembers,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  };
  return service;
}

export interface RecognitionServerOptions {
  service: RecognitionService;
  logger: Logger;
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<RecognitionContext>[];
  /** Verifies hub-internal tokens (audience "recognition"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
}

export async function startRecognitionServer(options: RecognitionServerOptions): Promise<RunningServer> {
  const { service } = options;
  return startGraphQLServer<RecognitionContext>({
    name: 'recognition',
    orm: service.orm,
    schema: await buildRecognitionSchema(),
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'recognition' } : null,
    routes: (app) => {
      const verifier = options.hubAuth;
      if (verifier) {
        mountErasureRoute(app, { audience: 'recognition', verifier, logger: options.logger, erase: (learnerId) => eraseLearner(service.orm.em.fork() as SqlEntityManager, learnerId) });
      }
    },
    context: async (request, principal) => {
      const em = service.orm.em.fork() as SqlEntityManager;
      const header = request.headers['idempotency-key'];
      return { em, service, principal, loaders: createRecognitionLoaders(em), idempotencyKey: typeof header === 'string' ? header : null };
    },
    readiness: async () => {
      await service.orm.em.getConnection().execute('select 1');
    },
  });
}
