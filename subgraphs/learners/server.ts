import type { HeavyReads } from '../../lib/sqlite-reads.js';
import type { MemberIds } from '../../lib/ids.js';
import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import type { ErasureTarget } from '../../lib/erasure.js';
import { createHttpClient } from '../../lib/http-client.js';
import type { HubSigner, HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import type { LearnersContext } from './context.js';
import type { SubgraphCaller } from '../../lib/subgraph-calls.js';
import { ErasureOutbox } from './erasure-outbox.js';
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
  knownMembers?: MemberIds | null;
  /** Where the mobility counts run: a worker thread for a SQLite file (lib/sqlite-reads.ts); default in the process. */
  reads?: HeavyReads;
  /**
   * Erasure (eraseMyAccount): the hub's signer for service tokens and the
   * targets to tell (every member, and central services such as issuance).
   * Absent: eraseMyAccount answers SERVICE_UNAVAILABLE.
   */
  /**
   * Enrolment (applyForOffering): the member router's GraphQL URL and the
   * hub's signer for the learner's calls to it. Absent: applyForOffering
   * answers SERVICE_UNAVAILABLE.
   */
  enrolment?: { membersUrl: string; signer: HubSigner; timeoutMs?: number };
  erasure?: {
    signer: HubSigner;
    targets: () => ErasureTarget[];
    timeoutMs?: number;
    retryBaseMs?: number;
    retryMaxMs?: number;
    pollMs?: number;
  };
}

export async function startLearnersServer(options: LearnersServerOptions): Promise<RunningServer> {
  const { orm, databaseKind } = options;
  const client = options.erasure || options.enrolment ? createHttpClient({ connections: 8 }) : undefined;
  const enrolment: SubgraphCaller<'members'> | null =
    options.enrolment && client
      ? { client, signer: options.enrolment.signer, timeoutMs: options.enrolment.timeoutMs ?? 10_000, urls: { members: options.enrolment.membersUrl }, names: { members: 'member router' } }
      : null;
  const outbox =
    options.erasure && client
      ? new ErasureOutbox({ orm, client, logger: options.logger, ...options.erasure })
      : null;
  const server = await startGraphQLServer<LearnersContext>({
    name: 'learners',
    orm: orm,
    schema: await buildLearnersSchema(),
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'learners' } : null,
    context: async (request, principal) => {
      const em = orm.em.fork() as SqlEntityManager;
      const header = request.headers['idempotency-key'];
      return {
        em,
        databaseKind,
        principal,
        knownMembers: options.knownMembers ?? null,
        ...(options.reads ? { reads: options.reads } : {}),
        loaders: createLearnersLoaders(em),
        erasure: outbox,
        enrolment,
        idempotencyKey: typeof header === 'string' ? header : null,
      };
    },
    readiness: async () => {
      await orm.em.getConnection().execute('select 1');
    },
  });
  // Erasures left pending (a member was down, this service restarted) are picked up at once.
  outbox?.start();
  return {
    ...server,
    async stop() {
      await outbox?.stop();
      await server.stop();
      await client?.close();
    },
  };
}
