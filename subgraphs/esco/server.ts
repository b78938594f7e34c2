import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import type { EscoContext } from './context.js';
import { createEscoLoaders } from './loaders.js';
import { buildEscoSchema } from './schema.js';

export interface EscoServerOptions {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  logger: Logger;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<EscoContext>[];
  /** Verifies hub-internal tokens (audience "esco"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
}

/** Starts the ESCO subgraph over its database. No side effects until called. */
export async function startEscoServer(options: EscoServerOptions): Promise<RunningServer> {
  const { orm, databaseKind } = options;
  const schema = await buildEscoSchema();
  return startGraphQLServer<EscoContext>({
    name: 'esco',
    orm: orm,
    schema,
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'esco' } : null,
    context: async () => {
      const em = orm.em.fork() as SqlEntityManager;
      return { em, databaseKind, loaders: createEscoLoaders(em, databaseKind) };
    },
    readiness: async () => {
      // Ready means the database answers; an empty dataset is still a valid (if useless) state.
      await (orm.em.fork() as SqlEntityManager).getConnection().execute('select 1');
    },
  });
}
