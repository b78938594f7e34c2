import { DEFAULT_ALGORITHMS, fileKeySet, remoteKeySet, type AccessTokenProfile } from '../lib/auth.js';
import { hubSignerFromEnv } from '../lib/hub-token.js';
import { ConfigError, readInt, readPort, readString, type Env } from '../lib/config.js';
import { devIdpProfile, ensureDevIdp, HUB_AUDIENCE } from '../hub/dev-idp.js';
import { runService } from '../lib/entry.js';
import { startGateway, subgraphEndpoints, supergraphSubgraphs } from './gateway.js';
import { EDGE_HELP, readEdgeSettings } from './edge-config.js';
import { readSupergraph, SUPERGRAPH_PATH } from './supergraph.js';
import { ISSUANCE_PUBLIC_PREFIXES, ISSUANCE_WALLET_PREFIXES } from '../subgraphs/issuance/server.js';

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
  AUTH_JWKS_URL | AUTH_JWKS_FILE
                                the identity provider's public keys (JWKS), fetched and cached
                                (refetched for an unknown kid) or read from a file
  AUTH_ISSUER                   expected "iss" of access tokens        required with the two above
  AUTH_AUDIENCE                 expected "aud"                          default ${HUB_AUDIENCE}
  AUTH_ALGORITHMS               accepted signing algorithms            default ${DEFAULT_ALGORITHMS.join(',')}
  AUTH_DEV_IDP_DIR              instead of the above: use (and create) the development identity
                                provider's keys in this folder (npm run token signs with them)
  HUB_KEYS_DIR                  the hub's signing key for calls to subgraphs (created on first
                                start, shared with the member router)  default data/keys
${EDGE_HELP}  LOG_FORMAT                    text or json                           default text

GET /healthz is liveness; GET /readyz answers 200 when every subgraph answers.
/issuers/… and /credentials/… (the issuer's key set, status lists, POST /credentials/verify)
are passed through to the issuance subgraph's address.
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

/** The access-token profile from AUTH_*: a JWKS URL or file with issuer, or the development identity provider. */
async function accessTokenProfile(env: Env): Promise<AccessTokenProfile> {
  const sources = ['AUTH_JWKS_URL', 'AUTH_JWKS_FILE', 'AUTH_DEV_IDP_DIR'].filter((name) => env[name]?.trim());
  if (sources.length !== 1) {
    throw new ConfigError(`set exactly one of AUTH_JWKS_URL, AUTH_JWKS_FILE or AUTH_DEV_IDP_DIR (got ${sources.length ? sources.join(', ') : 'none'}).`);
  }
  if (env['AUTH_DEV_IDP_DIR']) return devIdpProfile(await ensureDevIdp(readString(env, 'AUTH_DEV_IDP_DIR')));
  const algorithms = readString(env, 'AUTH_ALGORITHMS', DEFAULT_ALGORITHMS.join(',')).split(',').map((name) => name.trim());
  const symmetric = algorithms.filter((name) => /^HS/i.test(name) || name.toLowerCase() === 'none');
  if (symmetric.length > 0) throw new ConfigError(`AUTH_ALGORITHMS may list asymmetric algorithms only; remove ${symmetric.join(', ')}.`);
  const jwksUrl = env['AUTH_JWKS_URL'];
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl)) throw new ConfigError('AUTH_JWKS_URL must be an http(s) URL.');
  const issuer = readString(env, 'AUTH_ISSUER');
  const audience = readString(env, 'AUTH_AUDIENCE', HUB_AUDIENCE);
  if (!jwksUrl) return { issuer, audience, algorithms, keys: fileKeySet(readString(env, 'AUTH_JWKS_FILE')) };
  const keys = remoteKeySet(jwksUrl);
  // Fetched once before the port opens: a wrong or unreachable URL stops the start with one line instead of
  // a gateway that looks up and refuses every valid token.
  try {
    await keys.ready();
  } catch (error) {
    throw new ConfigError(`AUTH_JWKS_URL ${jwksUrl}: ${(error as Error).message}. Check the URL and that this machine can reach it.`);
  }
  return { issuer, audience, algorithms, keys, keysReady: () => keys.ready() };
}

runService({
  name: () => 'gateway',
  help: HELP,
  async start(env, logger) {
    const supergraphSdl = readSupergraph(readString(env, 'SUPERGRAPH_PATH', SUPERGRAPH_PATH));
    const { urls, timeouts } = perSubgraph(env, supergraphSubgraphs(supergraphSdl).map((subgraph) => subgraph.name));
    // Checked before keys are created or ports opened, so a bad value or manifest stops the start with one clear line.
    const edge = readEdgeSettings(env);
    const subgraphs = subgraphEndpoints(supergraphSdl, urls, { defaultMs: readInt(env, 'SUBGRAPH_TIMEOUT_MS', 5_000, { min: 50, max: 300_000 }), perSubgraph: timeouts });
    const issuance = subgraphs.find((subgraph) => subgraph.name === 'issuance');
    return startGateway({
      supergraphSdl,
      subgraphs,
      // The issuer's key set, status lists and POST /credentials/verify are public: served by the issuance service, at the hub's URL.
      ...(issuance
        ? {
            passThrough: [
              { prefixes: ISSUANCE_PUBLIC_PREFIXES, target: new URL(issuance.url).origin, timeoutMs: issuance.timeoutMs },
              { prefixes: ISSUANCE_WALLET_PREFIXES, target: new URL(issuance.url).origin, timeoutMs: issuance.timeoutMs, forwardAuthorization: true },
            ],
          }
        : {}),
      logger,
      port: readPort(env, 'PORT', 4000),
      host: readString(env, 'HOST', '127.0.0.1'),
      auth: await accessTokenProfile(env),
      hubSigner: await hubSignerFromEnv(env),
      ...edge,
    });
  },
});
