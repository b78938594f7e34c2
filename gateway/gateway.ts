import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from 'cors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type RequestHandler, type Response as ExpressResponse } from 'express';
import { GraphQLError, Kind, parse, type GraphQLFormattedError } from 'graphql';
import { createServer } from 'node:http';
import { ANONYMOUS, authenticate, InvalidTokenError, unauthenticated, type AccessTokenProfile, type Principal } from '../lib/auth.js';
import { maskError } from '../lib/errors.js';
import type { HubSigner } from '../lib/hub-token.js';
import { createRateLimiter } from '../lib/rate-limit.js';
import { Response } from 'undici';
import type { GatewayContext } from './context.js';
import { EXPORT_PATH, mountLearnerExport } from './export.js';
import { createHttpClient, isGraphQLResponse, postGraphQL, type HttpClient } from '../lib/http-client.js';
import type { Logger } from '../lib/log.js';
import { GRAPHQL_PATH, jsonErrorHandler, listen, mountHealthRoutes, type RunningServer } from '../lib/server.js';
import { resultSizeLimit } from './result-size.js';
import { safelistMiddleware, type Safelist } from './safelist.js';

export interface SubgraphEndpoint {
  name: string;
  url: string;
  /** Deadline for one call from the gateway to this subgraph, in milliseconds. */
  timeoutMs: number;
}

/** How callers are identified and what each may send (docs/security.md). */
export interface EdgeOptions {
  /** Verification profile for access tokens; requests without a token are anonymous. */
  auth: AccessTokenProfile;
  /** Origins allowed to call from a browser (CORS); none means same-origin only. */
  corsOrigins?: readonly string[];
  /** Requests per minute per caller (token subject, or IP address when anonymous). */
  rateLimitPerMinute?: number;
  /** Query limits; defaults fit the portal's queries with room to spare. */
  maxDepth?: number;
  maxCost?: number;
  maxAliases?: number;
  maxTokens?: number;
  /** Most objects one query may return, page sizes multiplied through nesting (gateway/result-size.ts); default 20,000. */
  maxResultItems?: number;
}

export interface GatewayOptions extends EdgeOptions {
  supergraphSdl: string;
  /** Signs a hub-internal token for every subgraph call; its public keys are published at /.well-known/hub-jwks.json. */
  hubSigner: HubSigner;
  /** Per subgraph: where to reach it and its deadline (see `subgraphEndpoints`). */
  subgraphs: readonly SubgraphEndpoint[];
  logger: Logger;
  port?: number;
  host?: string;
  /** Production mode: no introspection, no schema hints in errors. */
  production?: boolean;
  bodyLimit?: string;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** When set, only the manifest's operations run (gateway/safelist.ts). */
  safelist?: Safelist;
  /** Public HTTP routes served by a subgraph (e.g. credential verification), passed through unchanged. */
  passThrough?: readonly PassThrough[];
}

export interface PassThrough {
  /** Path prefixes, e.g. "/credentials/". */
  prefixes: readonly string[];
  /** The service's base URL, e.g. "http://issuance:4004". */
  target: string;
  timeoutMs: number;
  /**
   * The route takes its own bearer token (an OID4VCI wallet's access token),
   * not a hub access token: the gateway does not read the Authorization
   * header (the caller counts as anonymous, rate-limited by address) and
   * passes it on unchanged.
   */
  forwardAuthorization?: boolean;
}

export interface RunningGateway extends RunningServer {
  /** GET this for readiness (every subgraph answers). */
  readyUrl: string;
}

/** The subgraphs named in a supergraph, with the URLs composition wrote (`join__graph`). */
export function supergraphSubgraphs(supergraphSdl: string): { name: string; url: string }[] {
  const document = parse(supergraphSdl);
  const subgraphs: { name: string; url: string }[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const argument = (name: string) => directive?.arguments?.find((a) => a.name.value === name)?.value;
      const name = argument('name');
      const url = argument('url');
      if (name?.kind === Kind.STRING && url?.kind === Kind.STRING) subgraphs.push({ name: name.value, url: url.value });
    }
  }
  return subgraphs;
}

/**
 * Resolves each subgraph's endpoint: the URL from `overrides` (configuration)
 * or the one composition wrote, and its deadline.
 */
export function subgraphEndpoints(
  supergraphSdl: string,
  overrides: Readonly<Record<string, string>>,
  timeouts: { defaultMs: number; perSubgraph?: Readonly<Record<string, number>> },
): SubgraphEndpoint[] {
  return supergraphSubgraphs(supergraphSdl).map(({ name, url }) => ({
    name,
    url: overrides[name] ?? url,
    timeoutMs: timeouts.perSubgraph?.[name] ?? timeouts.defaultMs,
  }));
}

/** Where the gateway publishes the hub's public keys. */
export const HUB_JWKS_PATH = '/.well-known/hub-jwks.json';

/**
 * Sends every subgraph call with a fresh hub-internal token carrying the
 * caller's identity (audience = the subgraph), so subgraphs answer only the
 * hub and know on whose behalf.
 */
class HubDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly signer: HubSigner,
    private readonly audience: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): Promise<void> {
    const { principal = ANONYMOUS, idempotencyKey } = context as Partial<GatewayContext>;
    request.http?.headers.set('authorization', `Bearer ${await this.signer.sign(principal, this.audience)}`);
    if (idempotencyKey) request.http?.headers.set('idempotency-key', idempotencyKey);
  }
}

function serviceUnavailable(name: string, reason: string): GraphQLError {
  return new GraphQLError(`Service "${name}" ${reason}; its part of the response is missing.`, {
    extensions: { code: 'SERVICE_UNAVAILABLE', service: name },
  });
}

/**
 * The gateway's subgraph fetcher: keep-alive connections, one deadline per
 * subgraph covering the whole answer (headers and body), and failures turned
 * into an error that names the subgraph and never its address (the default
 * fetcher has no timeout, and the gateway would pass the URL and response
 * body on to the client). A 4xx answer that is a GraphQL response (e.g. a
 * variable the subgraph rejects) is passed on as such, so its errors reach the
 * client instead of "unavailable".
 */
function deadlineFetcher(client: HttpClient, endpoint: SubgraphEndpoint, logger: Logger) {
  return async (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => {
    let status: number;
    let text: string;
    try {
      const response = await client.fetch(url, { ...(init as object), timeoutMs: endpoint.timeoutMs });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const timedOut = ['TimeoutError', 'AbortError'].includes((error as { name?: string }).name ?? '');
      logger.warn('subgraph call failed', { subgraph: endpoint.name, reason: timedOut ? 'timeout' : (error as Error).message });
      throw serviceUnavailable(endpoint.name, timedOut ? `did not answer within ${endpoint.timeoutMs} ms` : 'could not be reached');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const graphql = isGraphQLResponse(body);
    // A subgraph refusing the hub's own token (401) is the hub's fault, not the client's: its reason
    // (keys unavailable, token reused) is for the operator's log, the client hears "unavailable".
    if (status === 401) {
      logger.error('subgraph refused the hub token', { subgraph: endpoint.name, body: text.slice(0, 500) });
      throw serviceUnavailable(endpoint.name, 'could not be reached');
    }
    if ((status >= 200 && status < 300 && graphql) || (status >= 400 && status < 500 && graphql && Array.isArray((body as { errors?: unknown }).errors))) {
      return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    logger.warn('subgraph answered with something that is not a GraphQL response', { subgraph: endpoint.name, status, body: text.slice(0, 500) });
    throw serviceUnavailable(endpoint.name, status >= 200 && status < 300 ? 'answered with something that is not a GraphQL response' : `answered with HTTP ${status}`);
  };
}

/**
 * An anonymous caller who asked for something that needs sign-in gets HTTP
 * 401 with `WWW-Authenticate: Bearer` (RFC 6750), so clients know to send a
 * token; the body still carries the public data the query asked for and the
 * error saying what needs a token.
 */
export type { GatewayContext } from './context.js';

export function signInStatusPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (contextValue.principal.kind !== 'anonymous' || response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (!errors.some((error) => error.extensions?.['code'] === 'UNAUTHENTICATED')) return;
          response.http.status = 401;
          response.http.headers.set('www-authenticate', 'Bearer');
        },
      };
    },
  };
}

/**
 * Passes public routes of a service (the issuer's keys, status lists,
 * credential verification) through the gateway, so their URLs are the hub's
 * public ones. Only method, path, query, body and content type travel; the
 * answer keeps its status, content type and caching headers. A service that
 * does not answer gets 503 with its name, never its address.
 */
function mountPassThrough(app: Express, client: HttpClient, route: PassThrough, logger: Logger, identify: RequestHandler): void {
  const handler: RequestHandler = async (request, response) => {
    // The path as the service would resolve it ("/credentials/%2e%2e/graphql" is "/graphql"): only
    // paths still under a passed-through prefix leave the gateway, so no other route of the service is reachable.
    const resolved = new URL(request.originalUrl, 'http://gateway.invalid');
    if (!route.prefixes.some((prefix) => resolved.pathname.startsWith(prefix)) || /%2e|%2f|%5c/i.test(request.originalUrl)) {
      response.status(404).json({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    const url = new URL(`${resolved.pathname}${resolved.search}`, route.target).toString();
    try {
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : (request.body as Buffer | undefined);
      const answer = await client.fetch(url, {
        method: request.method,
        headers: {
          ...(request.headers['content-type'] ? { 'content-type': request.headers['content-type'] } : {}),
          accept: request.headers.accept ?? '*/*',
          ...(typeof response.locals['forwardedAuthorization'] === 'string' ? { authorization: response.locals['forwardedAuthorization'] } : {}),
        },
        ...(body && body.length > 0 ? { body } : {}),
        timeoutMs: route.timeoutMs,
      });
      const text = Buffer.from(await answer.arrayBuffer());
      response.status(answer.status);
      for (const name of ['content-type', 'cache-control']) {
        const value = answer.headers.get(name);
        if (value) response.setHeader(name, value);
      }
      response.send(text);
    } catch (error) {
      logger.warn('pass-through failed', { path: request.path, reason: (error as Error).message });
      response.status(503).json({ errors: [{ message: 'The credential service could not be reached; try again shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
    }
  };
  // The wallet's token is the route's business: set aside before identify, which would refuse it as a hub token.
  const setAside: RequestHandler = (request, response, next) => {
    if (typeof request.headers.authorization === 'string') response.locals['forwardedAuthorization'] = request.headers.authorization;
    delete request.headers.authorization;
    next();
  };
  for (const prefix of route.prefixes) app.use(prefix, ...(route.forwardAuthorization ? [setAside] : []), identify, express.raw({ type: '*/*', limit: '2mb' }), handler);
}

/** Masks errors for clients; errors from a subgraph keep their public code and name the subgraph. */
export function formatGatewayError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const serviceName = formatted.extensions?.['serviceName'];
    const withService: GraphQLFormattedError =
      typeof serviceName === 'string' && !formatted.extensions?.['service']
        ? { ...formatted, extensions: { ...formatted.extensions, service: serviceName } }
        : formatted;
    return maskError(withService, error, { report: (original) => logger.error('unexpected error', { error: original }) });
  };
}

/**
 * Starts the gateway: `@apollo/gateway` over the committed supergraph on
 * Apollo Server 5 (Express), with health (`/healthz`) and readiness
 * (`/readyz`: every subgraph answers) endpoints.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const client = createHttpClient();
  const endpoints = new Map(options.subgraphs.map((endpoint) => [endpoint.name, endpoint]));
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const endpoint = endpoints.get(name) ?? { name, url: url ?? '', timeoutMs: 5_000 };
      return new HubDataSource(options.hubSigner, name, { url: endpoint.url, fetcher: deadlineFetcher(client, endpoint, options.logger) as never });
    },
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const production = options.production ?? false;
  // Depth, cost, alias, directive and token limits reject query bombs before planning.
  const armor = new ApolloArmor({
    // Depth 8 fits the portal's deepest query (the pathway query is 6) and stops nested fan-out bombs
    // (offerings → institution → offerings …), which the field-count cost model does not see.
    maxDepth: { n: options.maxDepth ?? 8 },
    costLimit: { maxCost: options.maxCost ?? 5_000 },
    maxAliases: { n: options.maxAliases ?? 15, allowList: [] },
    maxDirectives: { n: 50 },
    maxTokens: { n: options.maxTokens ?? 2_000 },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: armor.validationRules,
    // Entry points own SIGINT/SIGTERM (one handler stops every service in order).
    stopOnTerminationSignals: false,
    formatError: formatGatewayError(options.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
      resultSizeLimit<GatewayContext>(options.maxResultItems),
      signInStatusPlugin(),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  mountHealthRoutes(app, 'gateway', async () => {
    const results = await Promise.all(
      options.subgraphs.map(async (endpoint) => {
        try {
          const token = await options.hubSigner.sign(ANONYMOUS, endpoint.name);
          const body = await postGraphQL(
            client,
            endpoint.url,
            { query: '{ __typename }' },
            { timeoutMs: Math.min(endpoint.timeoutMs, 2_000), headers: { authorization: `Bearer ${token}` } },
          );
          return [endpoint.name, body.data ? 'up' : 'down'] as const;
        } catch {
          return [endpoint.name, 'down'] as const;
        }
      }),
    );
    const subgraphs = Object.fromEntries(results);
    const down = results.filter(([, status]) => status !== 'up').map(([name]) => name);
    if (down.length > 0) throw new Error(`subgraphs not answering: ${down.join(', ')}`);
    return { subgraphs };
  });
  // The hub's public keys, for subgraphs (members hosted by universities included) to verify hub tokens.
  app.get(HUB_JWKS_PATH, (_request, response) => {
    response.setHeader('cache-control', 'public, max-age=300');
    response.json(options.hubSigner.jwks);
  });
  const limiter = createRateLimiter(options.rateLimitPerMinute ?? 600);
  const refuse = (response: ExpressResponse, status: number, message: string, code: string) =>
    response.status(status).json({ errors: [{ message, extensions: { code } }] });
  // Who is calling (401 for a bad token) and whether they are within their rate; shared by every caller-facing route.
  const identify: RequestHandler = async (request, response, next) => {
    let principal: Principal;
    try {
      principal = await authenticate(request.headers.authorization, options.auth);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      refuse(response, 401, unauthenticated(error.reason).message, 'UNAUTHENTICATED');
      return;
    }
    const caller = principal.kind === 'user' ? `user:${principal.subject}` : `ip:${request.ip ?? 'unknown'}`;
    const wait = limiter.take(caller);
    if (wait > 0) {
      response.setHeader('Retry-After', String(wait));
      refuse(response, 429, `Too many requests; try again in ${wait} s.`, 'RATE_LIMITED');
      return;
    }
    response.locals['principal'] = principal;
    next();
  };
  // One CORS policy for everything the portal calls: the graph, the learner's export, the public credential routes.
  const allowCors = cors({
    // No allowlist, no CORS headers: browsers then allow same-origin calls only.
    origin: options.corsOrigins && options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'idempotency-key'],
    maxAge: 600,
  });
  // Mounted with use(), so a browser's preflight (OPTIONS) is answered too.
  app.use(EXPORT_PATH, allowCors);
  mountLearnerExport(app, apollo, identify);
  // Public routes are rate-limited per caller like the graph (verification parses up to 2 MB).
  for (const route of options.passThrough ?? []) {
    for (const prefix of route.prefixes) app.use(prefix, allowCors);
    mountPassThrough(app, client, route, options.logger, identify);
  }
  app.use(
    GRAPHQL_PATH,
    allowCors,
    identify,
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    // Reads the parsed body and fills in a listed operation's text, so it sits between the two.
    ...(options.safelist ? [safelistMiddleware(options.safelist)] : []),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const idempotencyKey = req.headers['idempotency-key'];
        return { principal: res.locals['principal'] as Principal, ...(typeof idempotencyKey === 'string' ? { idempotencyKey: idempotencyKey.slice(0, 300) } : {}) };
      },
    }),
  );
  app.use(jsonErrorHandler(options.logger));
  const port = await listen(httpServer, options.port ?? 0, options.host ?? '127.0.0.1');
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const base = `http://${host}:${port}`;
  let stopped = false;
  return {
    url: `${base}${GRAPHQL_PATH}`,
    readyUrl: `${base}/readyz`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await apollo.stop();
      await client.close();
    },
  };
}
