import { readInt, readPort, readString, type Env } from '../lib/config.js';
import { runService } from '../lib/entry.js';
import { startGateway, subgraphEndpoints, supergraphSubgraphs } from './gateway.js';
import { readSupergraph, SUPERGRAPH_PATH } from './supergraph.js';

const HELP = `Gateway: serves the committed supergraph (schema/supergraph.graphql) with
@apollo/gateway on Apollo Server 5.

Usage: [PORT=…] npm run gateway

Environment:
  SUPERGRAPH_PATH               supergraph file                        default schema/supergraph.graphql
  SUBGRAPH_URL_<NAME>           where subgraph <NAME> answers, e.g.
                                SUBGRAPH_URL_MEMBERS=http://127.0.0.1:4001/graphql
                                default: the URL composed into the supergraph
  SUBGRAPH_TIMEOUT_MS           deadline per subgraph call             default 5000
  SUBGRAPH_TIMEOUT_MS_<NAME>    deadline for one subgraph
  PORT                          port to listen on                      default 4000
  HOST                          address to bind                        default 127.0.0.1
  NODE_ENV=production           no introspection, no schema hints in errors
  LOG_FORMAT                    text or json                           default text

GET /healthz is liveness; GET /readyz answers 200 when every subgraph answers.
`;

/** SUBGRAPH_URL_<NAME> and SUBGRAPH_TIMEOUT_MS_<NAME> for each subgraph in the supergraph. */
function perSubgraph(env: Env, names: string[]) {
  const urls: Record<string, string> = {};
  const timeouts: Record<string, number> = {};
  for (const name of names) {
    const key = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    const url = env[`SUBGRAPH_URL_${key}`];
    if (url) urls[name] = url;
    if (env[`SUBGRAPH_TIMEOUT_MS_${key}`]) timeouts[name] = readInt(env, `SUBGRAPH_TIMEOUT_MS_${key}`, 5_000, { min: 50, max: 300_000 });
  }
  return { urls, timeouts };
}

runService({
  name: () => 'gateway',
  help: HELP,
  async start(env, logger) {
    const supergraphSdl = readSupergraph(readString(env, 'SUPERGRAPH_PATH', SUPERGRAPH_PATH));
    const { urls, timeouts } = perSubgraph(env, supergraphSubgraphs(supergraphSdl).map((subgraph) => subgraph.name));
    return startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, urls, { defaultMs: readInt(env, 'SUBGRAPH_TIMEOUT_MS', 5_000, { min: 50, max: 300_000 }), perSubgraph: timeouts }),
      logger,
      port: readPort(env, 'PORT', 4000),
      host: readString(env, 'HOST', '127.0.0.1'),
      production: env['NODE_ENV'] === 'production',
    });
  },
});
