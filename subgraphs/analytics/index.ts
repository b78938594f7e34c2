import { readInt, readPort, readString } from '../../lib/config.js';
import { runService, serveWith } from '../../lib/entry.js';
import { createHttpClient } from '../../lib/http-client.js';
import { hubSignerFromEnv, sharedKeyHubVerifier } from '../../lib/hub-token.js';
import { configuredDatabase } from '../../lib/orm.js';
import { DEFAULT_K, MIN_K } from '../../lib/suppression.js';
import { openAnalyticsDatabase } from './database.js';
import { createAnalyticsService, startAnalyticsServer } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

const HELP = `Analytics subgraph: the alliance statistics (counts aggregated by each member,
published with k-anonymity and complementary suppression), learners' feedback on
offerings and its quality-assurance summaries (aggregates over at least k
responses; comments for the offering member's own staff only).

Usage: [DATABASE_URL=…] [PORT=…] npm run analytics

Environment:
  DATABASE_URL      postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/analytics.sqlite
  MEMBERS_URL       the member router: enrolments, enrolment counts   default http://127.0.0.1:4001/graphql
  LEARNERS_URL      the learner register: mobility counts            default http://127.0.0.1:4003/graphql
  ISSUANCE_URL      the issuance service: credential counts           default http://127.0.0.1:4004/graphql
  RECOGNITION_URL   the recognition service: recognition counts       default http://127.0.0.1:4005/graphql
  ESCO_URL          the ESCO service: skills' groups and collections  default http://127.0.0.1:4002/graphql
  ANALYTICS_K       the smallest count published (k-anonymity)        default ${DEFAULT_K}, at least ${MIN_K}
  STATISTICS_TTL_SECONDS
                    how long a publication of the statistics stands   default 600
                    (built at start, rebuilt behind it when old: readers never wait)
  STATISTICS_BUILD_TIMEOUT_SECONDS
                    deadline of each call a publication build makes   default 60
  FEEDBACK_EDITABLE_DAYS
                    days a learner may change their feedback          default 30
  SOURCE_TIMEOUT_MS deadline for each call to the router              default 5000
  HUB_KEYS_DIR      the hub's signing key (shared with the gateway): verifies calls from the
                    gateway, signs the calls above                    default data/keys
  PORT              port to listen on                                 default 4007
  HOST              address to bind                                   default 127.0.0.1
  LOG_FORMAT        text or json                                      default text; json with NODE_ENV=production
  LOG_LEVEL         debug, info, warn or error                        default info
${TRACING_HELP}`;

runService({
  name: () => 'analytics',
  help: HELP,
  async start(env, logger, shared) {
    const target = configuredDatabase(readString(env, 'DATABASE_URL', 'sqlite:data/analytics.sqlite'));
    const k = readInt(env, 'ANALYTICS_K', DEFAULT_K, { min: MIN_K, max: 1_000 });
    const editableDays = readInt(env, 'FEEDBACK_EDITABLE_DAYS', 30, { min: 0, max: 3_650 });
    const statisticsTtlMs = readInt(env, 'STATISTICS_TTL_SECONDS', 600, { min: 0, max: 31 * 86_400 }) * 1_000;
    const buildTimeoutMs = readInt(env, 'STATISTICS_BUILD_TIMEOUT_SECONDS', 60, { min: 1, max: 3_600 }) * 1_000;
    const signer = await hubSignerFromEnv(env);
    const hubAuth = sharedKeyHubVerifier(env, shared.tokenUses('analytics'));
    const client = createHttpClient();
    const orm = await openAnalyticsDatabase(target, { logger });
    return serveWith([client, orm], async () => {
      const service = createAnalyticsService({
        orm,
        databaseKind: target.kind,
        sources: {
          client,
          signer,
          timeoutMs: readInt(env, 'SOURCE_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
          urls: {
            members: readString(env, 'MEMBERS_URL', 'http://127.0.0.1:4001/graphql'),
            learners: readString(env, 'LEARNERS_URL', 'http://127.0.0.1:4003/graphql'),
            issuance: readString(env, 'ISSUANCE_URL', 'http://127.0.0.1:4004/graphql'),
            recognition: readString(env, 'RECOGNITION_URL', 'http://127.0.0.1:4005/graphql'),
            esco: readString(env, 'ESCO_URL', 'http://127.0.0.1:4002/graphql'),
          },
          names: { members: 'member router', learners: 'learner register', issuance: 'issuance service', recognition: 'recognition service', esco: 'ESCO service' },
        },
        logger,
        k,
        editableDays,
        statisticsTtlMs,
        buildTimeoutMs,
      });
      return startAnalyticsServer({ service, logger, port: readPort(env, 'PORT', 4007), host: readString(env, 'HOST', '127.0.0.1'), hubAuth, warm: true });
    });
  },
});
