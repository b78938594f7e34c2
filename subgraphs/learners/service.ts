import type { MikroORM } from '@mikro-orm/core';
import { resolve } from 'node:path';
import { readPort, readString, type Env } from '../../lib/config.js';
import type { ServiceEntry } from '../../lib/entry.js';
import { parseErasureTargets } from '../../lib/erasure.js';
import { hubSignerFromEnv, hubVerifierFromEnv } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import { configuredDatabase } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { createSqliteReadPool } from '../../lib/sqlite-reads.js';
import { memberIdsOf, openLiveRegistry } from '../members/registry-watch.js';
import { memberErasureTargets } from './erasure-outbox.js';
import { openLearnersDatabase } from './database.js';
import { startLearnersServer } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

/**
 * What a caller of learnersService may add: more `--help` lines and work on
 * the open register before the server starts (the hub's demo entry point seeds
 * demo learners with it, so this codebase never imports the demo seeder).
 */
export interface LearnersServiceHooks {
  help?: string;
  prepare?(context: { env: Env; logger: Logger; orm: MikroORM }): Promise<void>;
}

const HELP = `Learners subgraph: the alliance learner register (pseudonymous alliance ids
linked to the learners' accounts at members).

Usage: [DATABASE_URL=…] [PORT=…] npm run learners

Environment:
  DATABASE_URL   postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/learners.sqlite
  PORT           port to listen on                                 default 4003
  HOST           address to bind                                   default 127.0.0.1
  MEMBER_REGISTRY
                 the member registry (config/members.json format): sharing grants may
                 name only its members; re-read when it changes and on SIGHUP
                                                                   default: any member id
  LOG_FORMAT     text or json                                      default text; json with NODE_ENV=production
  LOG_LEVEL      debug, info, warn or error                        default info
${TRACING_HELP}  HUB_JWKS_URL | HUB_JWKS_FILE
                 the hub's public keys: the gateway's /.well-known/hub-jwks.json, or the
                 file the gateway writes (data/keys/hub-jwks.json); only calls signed
                 by the hub are answered, anything else gets 401
  HUB_KEYS_DIR   the hub's signing key (shared with the gateway), for the service tokens
                 of erasures; with MEMBER_REGISTRY it turns eraseMyAccount on
                 (its members are told); unset: eraseMyAccount is SERVICE_UNAVAILABLE
  ERASURE_TARGETS
                 central services that store learner data, told of every erasure:
                 name=http://host:port,…  e.g. issuance=http://issuance:4004
  MEMBERS_URL    the member router's GraphQL URL, where applyForOffering sends learners'
                 applications (with HUB_KEYS_DIR)      e.g. http://127.0.0.1:4001/graphql
                 unset: applyForOffering is SERVICE_UNAVAILABLE
`;

/** The learners subgraph as a service: configuration from the environment, migrations, the server. */
export function learnersService(hooks: LearnersServiceHooks = {}): ServiceEntry {
  return {
    name: () => 'learners',
    help: HELP + (hooks.help ?? ''),
    async start(env, logger, shared) {
      const target = configuredDatabase(readString(env, 'DATABASE_URL', 'sqlite:data/learners.sqlite'));
      const port = readPort(env, 'PORT', 4003);
      const host = readString(env, 'HOST', '127.0.0.1');
      const hubAuth = hubVerifierFromEnv(env, shared.tokenUses('learners'));
      const registryPath = env['MEMBER_REGISTRY']?.trim();
      // Watched like the router's: a member the alliance adds is known here (grants, erasure) without a restart.
      const registry = registryPath ? openLiveRegistry(resolve(REPO_ROOT, registryPath), logger) : undefined;
      const knownMembers = registry ? memberIdsOf(registry.holder) : null;
      let orm: MikroORM;
      try {
        orm = await openLearnersDatabase(target, { logger });
      } catch (error) {
        registry?.close();
        throw error;
      }
      try {
        await hooks.prepare?.({ env, logger, orm });
        const keysDir = env['HUB_KEYS_DIR']?.trim();
        const central = parseErasureTargets(env['ERASURE_TARGETS']);
        // The key folder shared with the gateway, as the router and issuance use it (made by whichever starts first).
        const erasure = keysDir && registry ? { signer: await hubSignerFromEnv(env), targets: () => [...memberErasureTargets(registry.holder.current()), ...central] } : undefined;
        if (!erasure) logger.info('erasure is off: set HUB_KEYS_DIR and MEMBER_REGISTRY to turn eraseMyAccount on');
        const membersUrl = env['MEMBERS_URL']?.trim();
        const enrolment = keysDir && membersUrl ? { membersUrl: new URL(membersUrl).href, signer: erasure?.signer ?? (await hubSignerFromEnv(env)) } : undefined;
        if (!enrolment) logger.info('enrolment is off: set HUB_KEYS_DIR and MEMBERS_URL to turn applyForOffering on');
        // On SQLite its mobility counts run on a worker thread (lib/sqlite-reads.ts), so they never hold up its other requests.
        const readPool = target.kind === 'sqlite' && target.location !== ':memory:' ? createSqliteReadPool(1) : undefined;
        const server = await startLearnersServer({ orm, databaseKind: target.kind, logger, port, host, hubAuth, knownMembers, ...(readPool ? { reads: readPool.forFile(target.location) } : {}), ...(erasure ? { erasure } : {}), ...(enrolment ? { enrolment } : {}) });
        return {
          url: server.url,
          stop: async () => {
            registry?.close();
            await server.stop();
            await readPool?.close();
            await orm.close();
          },
          ...(registry ? { reload: () => void registry.reload('SIGHUP') } : {}),
        };
      } catch (error) {
        registry?.close();
        await orm.close();
        throw error;
      }
    },
  };
}
