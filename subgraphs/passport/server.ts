import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { mountErasureRoute } from '../../lib/erasure.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import { eraseLearner } from './erasure.js';
import { CURRENT_QUESTIONNAIRE, readQuestionnaire } from './scan.js';
import type { PassportContext, PassportService } from './context.js';
import { buildPassportSchema } from './schema.js';
import { observedSources, type PassportSources } from './sources.js';

export interface PassportServiceOptions {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  sources: PassportSources;
  logger: Logger;
  now?: () => Date;
}

/** What a request needs that outlives it. */
export function createPassportService(options: PassportServiceOptions): PassportService {
  const service: PassportService = {
    orm: options.orm,
    databaseKind: options.databaseKind,
    sources: observedSources(options.sources, () => service.observe),
    logger: options.logger,
    skillGroups: new Map(),
    skills: new Map(),
    catalogue: null,
    questionnaires: new Map(Array.from({ length: CURRENT_QUESTIONNAIRE }, (_, i) => [i + 1, readQuestionnaire(i + 1)] as const)),
    now: options.now ?? (() => new Date()),
  };
  return service;
}

export interface PassportServerOptions {
  service: PassportService;
  logger: Logger;
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<PassportContext>[];
  /** Verifies hub-internal tokens (audience "passport"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
}

export async function startPassportServer(options: PassportServerOptions): Promise<RunningServer> {
  const { service } = options;
  return startGraphQLServer<PassportContext>({
    name: 'passport',
    orm: service.orm,
    schema: await buildPassportSchema(),
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'passport' } : null,
    routes: (app) => {
      const verifier = options.hubAuth;
      if (verifier) {
        mountErasureRoute(app, { audience: 'passport', verifier, logger: options.logger, erase: (learnerId) => eraseLearner(service.orm.em.fork() as SqlEntityManager, learnerId) });
      }
    },
    context: async (request, principal) => {
      const em = service.orm.em.fork() as SqlEntityManager;
      const header = request.headers['idempotency-key'];
      return { em, service, principal, idempotencyKey: typeof header === 'string' ? header : null };
    },
    readiness: async () => {
      await service.orm.em.getConnection().execute('select 1');
    },
  });
}
