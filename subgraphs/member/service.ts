import type { MikroORM } from '@mikro-orm/core';
import { createSqliteReadPool } from '../../lib/sqlite-reads.js';
import { ConfigError, readPort, readString, type Env } from '../../lib/config.js';
import type { ServiceEntry } from '../../lib/entry.js';
import { hubVerifierFromEnv } from '../../lib/hub-token.js';
import { isMemberId } from '../../lib/ids.js';
import type { Logger } from '../../lib/log.js';
import { configuredDatabase } from '../../lib/orm.js';
import { openMemberDatabase } from './database.js';
import { Institution } from './model.js';
import { applyProfile, readProfileFile } from './profile.js';
import { startMemberServer } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

/**
 * What a caller of memberService may add: more `--help` lines and work on the
 * open database before the server starts. The hub's demo entry point uses it
 * to seed demo data, so this codebase never imports the demo seeder.
 */
export interface MemberServiceHooks {
  help?: string;
  prepare?(context: { env: Env; logger: Logger; orm: MikroORM; memberId: string }): Promise<void>;
}

const HELP = `Member subgraph: one alliance member's offerings and learner records, served
under the member contract (schema/member-contract.graphql).

Usage: MEMBER_ID=<domain> [DATABASE_URL=…] [PORT=…] npm run member

Environment:
  MEMBER_ID      the member's id, its web domain (e.g. tuni.fi)             required
  DATABASE_URL   postgresql://user@host:5432/db or sqlite:<file>
                 default sqlite:data/members/<MEMBER_ID>.sqlite
  PORT           port to listen on                                          default 4100
  HOST           address to bind                                            default 127.0.0.1
  LOG_FORMAT     text or json                                               default text; json with NODE_ENV=production
  LOG_LEVEL      debug, info, warn or error                                 default info
${TRACING_HELP}  MEMBER_PROFILE_FILE
                 JSON describing the member (name, shortName, country, associate,
                 accreditationAuthority, qaBody, qaArrangement, website), written to the
                 database on start when it differs (audited); the offering rules need
                 it. See deploy/member/member-profile.example.json    default none
  HUB_JWKS_URL | HUB_JWKS_FILE
                 the hub's public keys: the gateway's /.well-known/hub-jwks.json, or the
                 file the gateway writes (data/keys/hub-jwks.json); only calls signed
                 by the hub are answered, anything else gets 401
`;

const FOOTER = `
Migrations run on start. GET /healthz is liveness, GET /readyz readiness.
`;

/** The member subgraph as a service: configuration from the environment, migrations, the server. */
export function memberService(hooks: MemberServiceHooks = {}): ServiceEntry {
  return {
    name: (env) => `member ${env['MEMBER_ID'] ?? '?'}`,
    help: HELP + (hooks.help ?? '') + FOOTER,
    async start(env, logger, shared) {
      const memberId = readString(env, 'MEMBER_ID');
      if (!isMemberId(memberId)) throw new ConfigError(`MEMBER_ID must be the member's web domain, e.g. tuni.fi; got "${memberId}".`);
      const target = configuredDatabase(readString(env, 'DATABASE_URL', `sqlite:data/members/${memberId}.sqlite`));
      const port = readPort(env, 'PORT', 4100);
      const host = readString(env, 'HOST', '127.0.0.1');
      const hubAuth = hubVerifierFromEnv(env, shared.tokenUses(memberId));
      const profileFile = env['MEMBER_PROFILE_FILE'] ? readProfileFile(readString(env, 'MEMBER_PROFILE_FILE')) : null;
      const orm = await openMemberDatabase(target, { logger });
      try {
        if (profileFile) await applyProfile(orm, memberId, profileFile, logger);
        await hooks.prepare?.({ env, logger, orm, memberId });
        if (!(await orm.em.fork().count(Institution, { id: memberId }))) {
          logger.warn(`${memberId} has no profile yet: set MEMBER_PROFILE_FILE (docs/members.md); until then it is missing from the alliance's institutions and offerings cannot be written`);
        }
        // On SQLite its aggregates run on a worker thread (lib/sqlite-reads.ts), so they never hold up its other requests.
        const readPool = target.kind === 'sqlite' && target.location !== ':memory:' ? createSqliteReadPool(1) : undefined;
        const server = await startMemberServer({ memberId, orm, databaseKind: target.kind, logger, port, host, hubAuth, ...(readPool ? { reads: readPool.forFile(target.location) } : {}) });
        return {
          url: server.url,
          stop: async () => {
            await server.stop();
            await readPool?.close();
            await orm.close();
          },
        };
      } catch (error) {
        await orm.close();
        throw error;
      }
    },
  };
}
