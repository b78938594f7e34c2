import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import type { LearnersContext } from './context.js';
import { createLearnersLoaders } from './loaders.js';
import { buildLearnersSchema } from './schema.js';

export interface LearnersServerOptions {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  logger: Logger;
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<LearnersContext>[];
  /** Verifies hub-internal tokens (audience "learners"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
  /** The alliance's member ids, to check sharing grants against (default: any well-formed member id). */
  knownMembers?: ReadonlySet<string> | null;
}

export async function startLearnersServer(options: LearnersServerOptions): Promise<RunningServer> {
  const { orm, databaseKind } = options;
  return startGraphQLServer<LearnersContext>({
    name: 'learners',
    schema: await buildLearnersSchema(),
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'learners' } : null,
    context: async (_request, principal) => {
      const em = orm.em.fork() as SqlEntityManager;
      return { em, databaseKind, principal, knownMembers: options.knownMembers ?? null, loaders: createLearnersLoaders(em) };
    },
    readiness: async () => {
      await orm.em.getConnection().execute('select 1');
    },
  });
}
