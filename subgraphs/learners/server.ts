import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
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
    context: async () => {
      const em = orm.em.fork() as SqlEntityManager;
      return { em, databaseKind, loaders: createLearnersLoaders(em) };
    },
    readiness: async () => {
      await orm.em.getConnection().execute('select 1');
    },
  });
}
