import { hubSignerFromEnv } from '../lib/hub-token.js';
import { readPort, readString } from '../lib/config.js';
import { runService } from '../lib/entry.js';
import { SHARED_STATE_HELP } from '../lib/shared-state.js';
import { startGateway } from './gateway.js';
import { EDGE_HELP, readEdgeSettings } from './edge-config.js';
import { readSupergraph, SUPERGRAPH_PATH } from './supergraph.js';
import { analyticsPassThrough, issuancePassThrough, readAccessTokenProfile, readSignIn, readSubgraphEndpoints, WIRING_HELP } from './wiring.js';
import { TRACING_HELP } from '../lib/tracing.js';

const HELP = `Gateway: serves the committed supergraph (schema/supergraph.graphql) with
@apollo/gateway on Apollo Server 5.

Usage: [PORT=…] npm run gateway

Environment:
${WIRING_HELP}${EDGE_HELP}${SHARED_STATE_HELP}  LOG_FORMAT                    text or json                           default text; json with NODE_ENV=production
  LOG_LEVEL                     debug, info, warn or error             default info
${TRACING_HELP}
GET /healthz is liveness; GET /readyz answers 200 when every subgraph answers.
/issuers/… and /credentials/… (the issuer's key set, status lists, POST /credentials/verify)
are passed through to the issuance subgraph's address, /dashboard/ (the analyst
dashboard) to the analytics subgraph's; GET /auth/sign-in.json tells the dashboard
where to sign in.
`;

runService({
  name: () => 'gateway',
  help: HELP,
  async start(env, logger, shared) {
    const supergraphSdl = readSupergraph(readString(env, 'SUPERGRAPH_PATH', SUPERGRAPH_PATH));
    // Checked before keys are created or ports opened, so a bad value or manifest stops the start with one clear line.
    const edge = readEdgeSettings(env);
    const subgraphs = readSubgraphEndpoints(env, supergraphSdl);
    return startGateway({
      supergraphSdl,
      subgraphs,
      passThrough: [...issuancePassThrough(subgraphs), ...analyticsPassThrough(subgraphs)],
      ...(await readSignIn(env)),
      logger,
      port: readPort(env, 'PORT', 4000),
      host: readString(env, 'HOST', '127.0.0.1'),
      auth: await readAccessTokenProfile(env),
      hubSigner: await hubSignerFromEnv(env),
      sharedState: shared,
      ...edge,
    });
  },
});
