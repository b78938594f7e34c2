import { ConfigError, readBoolean, readInt, readPort, readString, type Env } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { hubVerifierFromEnv } from '../../lib/hub-token.js';
import { configuredDatabase } from '../../lib/orm.js';
import { memberProfile } from '../../hub/alliance.js';
import { DEFAULT_DEMO_LEARNERS } from '../../hub/demo.js';
import { learnersAreSeeded, seedDemo } from '../../hub/seed.js';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../../lib/paths.js';
import { readRegistryFile } from '../members/registry.js';
import { openLearnersDatabase } from './database.js';
import { startLearnersServer } from './server.js';

const HELP = `Learners subgraph: the alliance learner register (pseudonymous alliance ids
linked to the learners' accounts at members).

Usage: [DATABASE_URL=…] [PORT=…] npm run learners

Environment:
  DATABASE_URL   postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/learners.sqlite
  PORT           port to listen on                                 default 4003
  HOST           address to bind                                   default 127.0.0.1
  SEED_DEMO      true: fill an empty register with the demo learners default false
  DEMO_LEARNERS  learners in the demo data                         default ${DEFAULT_DEMO_LEARNERS}
  DEMO_MEMBERS   comma-separated member ids whose accounts the demo register
                 links (a deployment running only some members)    default all 13
  MEMBER_REGISTRY
                 the member registry (config/members.json format): sharing grants may
                 name only its members                             default: any member id
  LOG_FORMAT     text or json                                      default text
  HUB_JWKS_URL | HUB_JWKS_FILE
                 the hub's public keys: the gateway's /.well-known/hub-jwks.json, or the
                 file the gateway writes (data/keys/hub-jwks.json); only calls signed
                 by the hub are answered, anything else gets 401
`;

/** DEMO_MEMBERS: the member ids a partial deployment runs, checked against the alliance. */
function demoMembers(env: Env): Set<string> | undefined {
  const raw = env['DEMO_MEMBERS']?.trim();
  if (!raw) return undefined;
  const ids = raw.split(',').map((id) => id.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !memberProfile(id));
  if (unknown.length > 0) throw new ConfigError(`DEMO_MEMBERS names members without demo data: ${unknown.join(', ')}.`);
  return new Set(ids);
}

runService({
  name: () => 'learners',
  help: HELP,
  async start(env, logger) {
    const target = configuredDatabase(readString(env, 'DATABASE_URL', 'sqlite:data/learners.sqlite'));
    const port = readPort(env, 'PORT', 4003);
    const host = readString(env, 'HOST', '127.0.0.1');
    const seed = readBoolean(env, 'SEED_DEMO', false);
    const learners = readInt(env, 'DEMO_LEARNERS', DEFAULT_DEMO_LEARNERS, { min: 1, max: 5_000_000 });
    const members = demoMembers(env);
    const hubAuth = hubVerifierFromEnv(env);
    const registryPath = env['MEMBER_REGISTRY']?.trim();
    const knownMembers = registryPath ? new Set(readRegistryFile(resolve(REPO_ROOT, registryPath)).members.map((member) => member.id)) : null;
    const orm = await openLearnersDatabase(target);
    try {
      if (seed && !(await learnersAreSeeded(orm, { learners }))) {
        logger.info(`seeding ${learners} demo learners…`);
        await seedDemo({ members: new Map(), learners: orm, ...(members ? { learnerMembers: members } : {}) }, { learners });
      }
      const server = await startLearnersServer({ orm, databaseKind: target.kind, logger, port, host, hubAuth, knownMembers });
      return { url: server.url, stop: async () => { await server.stop(); await orm.close(); } };
    } catch (error) {
      await orm.close();
      throw error;
    }
  },
});
