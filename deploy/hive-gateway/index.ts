import { readPort, readString } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { hubSignerFromEnv } from '../../lib/hub-token.js';
import { queryLimits } from '../../lib/query-limits.js';
import { readEdgeSettings } from '../../gateway/edge-config.js';
import { readSupergraph, SUPERGRAPH_PATH } from '../../gateway/supergraph.js';
import { issuancePassThrough, readAccessTokenProfile, readSubgraphEndpoints, WIRING_HELP } from '../../gateway/wiring.js';
import { startHiveGateway } from './gateway.js';

const HELP = `Hive Gateway in front of the hub: serves the committed supergraph
(schema/supergraph.graphql) with @graphql-hive/gateway-runtime and the hub's
edge plugin (deploy/hive-gateway/plugin.ts): access tokens, hub tokens to the
subgraphs, the edge's query limits, the REST routes. See
deploy/hive-gateway/README.md for what it does and does not do.

Usage: [PORT=…] npm run gateway:hive

Environment (as for npm run gateway):
${WIRING_HELP}  NODE_ENV=production           no introspection
  RATE_LIMIT_PER_MINUTE         failed sign-ins one address may make per minute  default 600
  MAX_RESULT_ITEMS              most objects one query may return       default 20000
  LOG_FORMAT                    text or json                           default text; json with NODE_ENV=production
`;

runService({
  name: () => 'hive-gateway',
  help: HELP,
  async start(env) {
    const supergraphSdl = readSupergraph(readString(env, 'SUPERGRAPH_PATH', SUPERGRAPH_PATH));
    // The same reader as our gateway, so a bad value stops the start with the same one line.
    const edge = readEdgeSettings(env);
    const subgraphs = readSubgraphEndpoints(env, supergraphSdl);
    return startHiveGateway({
      supergraphSdl,
      subgraphs,
      passThrough: issuancePassThrough(subgraphs),
      auth: await readAccessTokenProfile(env),
      hubSigner: await hubSignerFromEnv(env),
      limits: queryLimits({ maxResultItems: edge.maxResultItems }),
      failedSignInsPerMinute: edge.rateLimitPerMinute ?? 600,
      production: edge.production ?? false,
      port: readPort(env, 'PORT', 4000),
      host: readString(env, 'HOST', '127.0.0.1'),
    });
  },
});
