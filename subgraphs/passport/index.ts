import { readInt, readPort, readString } from '../../lib/config.js';
import { runService, serveWith } from '../../lib/entry.js';
import { createHttpClient } from '../../lib/http-client.js';
import { hubSignerFromEnv, sharedKeyHubVerifier } from '../../lib/hub-token.js';
import { configuredDatabase } from '../../lib/orm.js';
import { openPassportDatabase } from './database.js';
import { createPassportService, startPassportServer } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

const HELP = `Passport subgraph: a learner's competence passport across all members (ESCO
skills with level, evidence, groups, pillars and a time line) and the external
credentials learners add to it.

Usage: [DATABASE_URL=…] [PORT=…] npm run passport

Environment:
  DATABASE_URL      postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/passport.sqlite
  MEMBERS_URL       the member router: achievements                   default http://127.0.0.1:4001/graphql
  ESCO_URL          the ESCO subgraph: labels and the skill hierarchy default http://127.0.0.1:4002/graphql
  LEARNERS_URL      the learners subgraph: accounts and grants        default http://127.0.0.1:4003/graphql
  ISSUANCE_URL      the issuance subgraph: credential statuses, verification
                                                                      default http://127.0.0.1:4004/graphql
  RECOGNITION_URL   the recognition subgraph: recognition requests    default http://127.0.0.1:4005/graphql
  SOURCE_TIMEOUT_MS deadline for each of those calls                  default 5000
  HUB_KEYS_DIR      the hub's signing key (shared with the gateway): verifies calls from the
                    gateway, signs the calls above                    default data/keys
  PORT              port to listen on                                 default 4006
  HOST              address to bind                                   default 127.0.0.1
  LOG_FORMAT        text or json                                      default text; json with NODE_ENV=production
  LOG_LEVEL         debug, info, warn or error                        default info
${TRACING_HELP}`;

runService({
  name: () => 'passport',
  help: HELP,
  async start(env, logger, shared) {
    const target = configuredDatabase(readString(env, 'DATABASE_URL', 'sqlite:data/passport.sqlite'));
    const signer = await hubSignerFromEnv(env);
    const hubAuth = sharedKeyHubVerifier(env, shared.tokenUses('passport'));
    const client = createHttpClient();
    const orm = await openPassportDatabase(target, { logger });
    return serveWith([client, orm], async () => {
      const service = createPassportService({
        orm,
        databaseKind: target.kind,
        sources: {
          client,
          signer,
          timeoutMs: readInt(env, 'SOURCE_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
          urls: {
            members: readString(env, 'MEMBERS_URL', 'http://127.0.0.1:4001/graphql'),
            esco: readString(env, 'ESCO_URL', 'http://127.0.0.1:4002/graphql'),
            learners: readString(env, 'LEARNERS_URL', 'http://127.0.0.1:4003/graphql'),
            issuance: readString(env, 'ISSUANCE_URL', 'http://127.0.0.1:4004/graphql'),
            recognition: readString(env, 'RECOGNITION_URL', 'http://127.0.0.1:4005/graphql'),
          },
        },
        logger,
      });
      return startPassportServer({ service, logger, port: readPort(env, 'PORT', 4006), host: readString(env, 'HOST', '127.0.0.1'), hubAuth });
    });
  },
});
