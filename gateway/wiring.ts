import { DEFAULT_ALGORITHMS, fileKeySet, remoteKeySet, type AccessTokenProfile } from '../lib/auth.js';
import { ConfigError, readInt, readString, type Env } from '../lib/config.js';
import type { Express } from 'express';
import { ALLIANCE_MEMBERS } from '../hub/alliance.js';
import { devIdpProfile, ensureDevIdp, HUB_AUDIENCE } from '../hub/dev-idp.js';
import { devIdpSignInConfig, mountDevIdpSignIn } from '../hub/dev-idp-sign-in.js';
import { ISSUANCE_PUBLIC_PREFIXES, ISSUANCE_WALLET_PREFIXES } from '../subgraphs/issuance/server.js';
import { DASHBOARD_PREFIX, subgraphEndpoints, supergraphSubgraphs, type SignInConfig, type SubgraphEndpoint } from './gateway.js';
import type { PassThrough } from './pass-through.js';

/*
 * How a gateway is wired, from the environment: where each subgraph answers,
 * how access tokens are verified, which REST routes pass through. Read in one
 * place for every gateway the hub ships: ours (`npm run gateway`) and the
 * Hive Gateway deployment (deploy/hive-gateway), so a variable means the
 * same in both.
 */

/** The `--help` lines of the variables read here (and PORT/HOST). */
export const WIRING_HELP = `  SUPERGRAPH_PATH               supergraph file                        default schema/supergraph.graphql
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
  AUTH_AUTHORIZATION_URL, AUTH_TOKEN_URL, AUTH_CLIENT_ID
                                where the dashboard signs in (OAuth 2.0 code flow with PKCE at the
                                identity provider; redirect URI <hub>/dashboard/). With
                                AUTH_DEV_IDP_DIR: the development provider's own sign-in page
  AUTH_SCOPE                    scopes the dashboard asks for          default none
  HUB_KEYS_DIR                  the hub's signing key for calls to subgraphs (created on first
                                start, shared with the member router)  default data/keys
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
export async function readAccessTokenProfile(env: Env): Promise<AccessTokenProfile> {
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

/** The dashboard's sign-in (AUTH_AUTHORIZATION_URL …, or the development identity provider's page). */
export async function readSignIn(env: Env): Promise<{ signIn?: SignInConfig; routes?: (app: Express) => void }> {
  const named = ['AUTH_AUTHORIZATION_URL', 'AUTH_TOKEN_URL', 'AUTH_CLIENT_ID'].filter((name) => env[name]?.trim());
  const scope = env['AUTH_SCOPE']?.trim();
  if (named.length === 3) {
    for (const name of ['AUTH_AUTHORIZATION_URL', 'AUTH_TOKEN_URL']) {
      if (!/^https?:\/\//.test(readString(env, name))) throw new ConfigError(`${name} must be an http(s) URL.`);
    }
    return { signIn: { authorizationEndpoint: readString(env, 'AUTH_AUTHORIZATION_URL'), tokenEndpoint: readString(env, 'AUTH_TOKEN_URL'), clientId: readString(env, 'AUTH_CLIENT_ID'), ...(scope ? { scope } : {}) } };
  }
  if (named.length > 0) throw new ConfigError(`set all of AUTH_AUTHORIZATION_URL, AUTH_TOKEN_URL and AUTH_CLIENT_ID or none (got ${named.join(', ')}).`);
  if (!env['AUTH_DEV_IDP_DIR']) return {};
  const idp = await ensureDevIdp(readString(env, 'AUTH_DEV_IDP_DIR'));
  return {
    signIn: devIdpSignInConfig(),
    routes: (app) => mountDevIdpSignIn(app, { idp, members: ALLIANCE_MEMBERS }),
  };
}

/** Each subgraph's URL (SUBGRAPH_URL_<NAME> or the composed one) and deadline (SUBGRAPH_TIMEOUT_MS[_<NAME>]). */
export function readSubgraphEndpoints(env: Env, supergraphSdl: string): SubgraphEndpoint[] {
  const { urls, timeouts } = perSubgraph(env, supergraphSubgraphs(supergraphSdl).map((subgraph) => subgraph.name));
  return subgraphEndpoints(supergraphSdl, urls, { defaultMs: readInt(env, 'SUBGRAPH_TIMEOUT_MS', 5_000, { min: 50, max: 300_000 }), perSubgraph: timeouts });
}

/** The analyst dashboard (static pages of the analytics service; its data comes through the graph). */
export function analyticsPassThrough(subgraphs: readonly SubgraphEndpoint[]): PassThrough[] {
  const analytics = subgraphs.find((subgraph) => subgraph.name === 'analytics');
  return analytics ? [{ prefixes: [DASHBOARD_PREFIX], target: new URL(analytics.url).origin, timeoutMs: analytics.timeoutMs }] : [];
}

/**
 * The issuer's key set, status lists, POST /credentials/verify and the wallet
 * routes are public: served by the issuance service, at the hub's URL.
 */
export function issuancePassThrough(subgraphs: readonly SubgraphEndpoint[]): PassThrough[] {
  const issuance = subgraphs.find((subgraph) => subgraph.name === 'issuance');
  if (!issuance) return [];
  const target = new URL(issuance.url).origin;
  return [
    { prefixes: ISSUANCE_PUBLIC_PREFIXES, target, timeoutMs: issuance.timeoutMs },
    { prefixes: ISSUANCE_WALLET_PREFIXES, target, timeoutMs: issuance.timeoutMs, forwardAuthorization: true },
  ];
}
