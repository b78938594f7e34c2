import type { GraphQLSchema } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import { mountErasureRoute } from '../../lib/erasure.js';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import type { MemberContext } from './context.js';
import { eraseLearner } from './erasure.js';
import { createMemberLoaders } from './loaders.js';
import { createUptakeCache, UNCACHED_UPTAKE, UPTAKE_TTL_MS } from './uptake.js';
import { READ_IN_PROCESS, type HeavyReads } from '../../lib/sqlite-reads.js';
import { Institution } from './model.js';
import { buildMemberSchema } from './schema.js';

export interface MemberServerOptions {
  memberId: string;
  orm: MikroORM;
  databaseKind: DatabaseKind;
  logger: Logger;
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<MemberContext>[];
  /** Verifies hub-internal tokens (audience = this member's id); null only in in-process tests. */
  hubAuth: HubVerifier | null;
  /** The member's clock (default: the system's); tests fix it so the demo data's deadlines stay open. */
  clock?: () => Date;
  /** Where its aggregates (statistics, uptake) run: a worker thread for a SQLite file (lib/sqlite-reads.ts); default in the process. */
  reads?: HeavyReads;
  /** How long its uptake table is kept across requests (uptake.ts; default 10 s; 0: computed for every request). */
  uptakeTtlMs?: number;
  /** The member schema, when the caller built it once for several members (it is the same for all: the member comes with each request's context). */
  schema?: GraphQLSchema;
}

/** Starts one member's subgraph over its own database. */
export async function startMemberServer(options: MemberServerOptions): Promise<RunningServer> {
  const { memberId, orm, databaseKind } = options;
  const schema = options.schema ?? (await buildMemberSchema());
  const clock = options.clock ?? (() => new Date());
  const reads = options.reads ?? READ_IN_PROCESS;
  const uptakeTtlMs = options.uptakeTtlMs ?? UPTAKE_TTL_MS;
  const uptakeCache = uptakeTtlMs > 0 ? createUptakeCache(uptakeTtlMs) : UNCACHED_UPTAKE;
  return startGraphQLServer<MemberContext>({
    name: `member ${memberId}`,
    orm: orm,
    schema,
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: memberId } : null,
    // The learners service's erasure of a learner (member contract 1.5.0); only its service token is answered.
    routes: (app) => {
      const verifier = options.hubAuth;
      if (verifier) mountErasureRoute(app, { audience: memberId, verifier, logger: options.logger, erase: (learnerId) => eraseLearner(orm.em.fork() as SqlEntityManager, learnerId) });
    },
    context: async (_request, principal) => {
      const em = orm.em.fork() as SqlEntityManager;
      return { memberId, em, databaseKind, principal, clock, loaders: createMemberLoaders(em, memberId, reads, uptakeCache), reads };
    },
    readiness: async () => {
      // Ready means: the database answers and holds this member's profile.
      const found = await orm.em.fork().count(Institution, { id: memberId });
      if (found !== 1) throw new Error(`no institution profile for ${memberId} in the database`);
    },
  });
}
