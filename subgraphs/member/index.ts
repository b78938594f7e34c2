import { ConfigError, readBoolean, readInt, readPort, readString } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { hubVerifierFromEnv } from '../../lib/hub-token.js';
import { isMemberId } from '../../lib/ids.js';
import { configuredDatabase } from '../../lib/orm.js';
import { memberProfile } from '../../hub/alliance.js';
import { DEFAULT_DEMO_LEARNERS } from '../../hub/demo.js';
import { memberIsSeeded, seedDemo } from '../../hub/seed.js';
import { openMemberDatabase } from './database.js';
import { startMemberServer } from './server.js';

const HELP = `Member subgraph: one alliance member's offerings and learner records, served
under the member contract (schema/member-contract.graphql).

Usage: MEMBER_ID=<domain> [DATABASE_URL=…] [PORT=…] npm run member

Environment:
  MEMBER_ID      the member's id, its web domain (e.g. tuni.fi)             required
  DATABASE_URL   postgresql://user@host:5432/db or sqlite:<file>
                 default sqlite:data/members/<MEMBER_ID>.sqlite
  PORT           port to listen on                                          default 4100
  HOST           address to bind                                            default 127.0.0.1
  SEED_DEMO      true: fill an empty database with the alliance demo data   default false
  DEMO_LEARNERS  learners in the demo data (must match the learners service) default ${DEFAULT_DEMO_LEARNERS}
  LOG_FORMAT     text or json                                               default text
  HUB_JWKS_URL | HUB_JWKS_FILE
                 the hub's public keys: the gateway's /.well-known/hub-jwks.json, or the
                 file the gateway writes (data/keys/hub-jwks.json); only calls signed
                 by the hub are answered, anything else gets 401

Migrations run on start. GET /healthz is liveness, GET /readyz readiness.
`;

runService({
  name: (env) => `member ${env['MEMBER_ID'] ?? '?'}`,
  help: HELP,
  async start(env, logger) {
    const memberId = readString(env, 'MEMBER_ID');
    if (!isMemberId(memberId)) throw new ConfigError(`MEMBER_ID must be the member's web domain, e.g. tuni.fi; got "${memberId}".`);
    const target = configuredDatabase(readString(env, 'DATABASE_URL', `sqlite:data/members/${memberId}.sqlite`));
    const port = readPort(env, 'PORT', 4100);
    const host = readString(env, 'HOST', '127.0.0.1');
    const seed = readBoolean(env, 'SEED_DEMO', false);
    const learners = readInt(env, 'DEMO_LEARNERS', DEFAULT_DEMO_LEARNERS, { min: 1, max: 5_000_000 });
    const hubAuth = hubVerifierFromEnv(env);
    const orm = await openMemberDatabase(target);
    try {
      if (seed && !(await memberIsSeeded(orm, memberId))) {
        const profile = memberProfile(memberId);
        if (!profile) throw new ConfigError(`SEED_DEMO: there is no demo data for "${memberId}" (only for the 13 alliance members).`);
        logger.info(`seeding demo data (${learners} learners)…`);
        await seedDemo({ members: new Map([[memberId, { orm, profile }]]) }, { learners });
      }
      const server = await startMemberServer({ memberId, orm, databaseKind: target.kind, logger, port, host, hubAuth });
      return { url: server.url, stop: async () => { await server.stop(); await orm.close(); } };
    } catch (error) {
      await orm.close();
      throw error;
    }
  },
});
