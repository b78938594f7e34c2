import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import cors from 'cors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { GraphQLError, Kind, parse, type GraphQLFormattedError } from 'graphql';
import { createServer } from 'node:http';
import { ANONYMOUS, type AccessTokenProfile, type Principal } from '../lib/auth.js';
import { maskError } from '../lib/errors.js';
import type { HubSigner } from '../lib/hub-token.js';
import { Response } from 'undici';
import type { GatewayContext } from './context.js';
import { EXPORT_PATH, mountLearnerExport } from './export.js';
import { mountIde } from './ide.js';
import { watchDrain, type DrainOptions } from '../lib/drain.js';
import { createHttpClient, isGraphQLResponse, postGraphQL, type HttpClient } from '../lib/http-client.js';
import type { Logger } from '../lib/log.js';
import type { SharedState } from '../lib/shared-state.js';
import { createServiceMetrics, mountMetrics, type MetricsAccess, type ServiceMetrics } from '../lib/metrics.js';
import { createRequestObserver, observationOf, propagationHeaders, recordCall } from '../lib/observe.js';
import { GRAPHQL_PATH, jsonErrorHandler, listen, mountHealthRoutes, notFoundHandler, type RunningServer } from '../lib/server.js';
import { trustProxySetting } from '../lib/client-address.js';
import { mountPassThrough, type PassThrough } from './pass-through.js';
import { callerKey, callerOf, createIdentify } from './identify.js';
import { createAdmission, DEFAULT_ADMISSION, type AdmissionOptions } from './admission.js';
import { queryLimitRules, queryLimits, queryLimitsPlugin, queryParseOptions, type QueryLimits } from '../lib/query-limits.js';
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
  /**
   * Proxies whose X-Forwarded-For names the client (addresses, CIDR ranges,
   * `loopback`…; lib/client-address.ts). None: the peer's address is the client's.
   */
  trustedProxies?: readonly string[];
  /** Query limits (lib/query-limits.ts); defaults fit the portal's queries with room to spare. */
  maxDepth?: number;
  maxAliases?: number;
  maxDirectives?: number;
  maxTokens?: number;
  /** Most objects one query may return, page sizes multiplied through nesting (lib/result-size.ts); default 20,000. */
  maxResultItems?: number;
  /** Cost-aware admission (gateway/admission.ts); unset parts take DEFAULT_ADMISSION. */
  admission?: Partial<AdmissionOptions>;
}

function definedOnly<T extends object>(values: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The query limits an EdgeOptions asks for, defaults filled in. */
export function edgeQueryLimits(options: EdgeOptions): QueryLimits {
  return queryLimits({
    maxDepth: options.maxDepth,
    maxAliases: options.maxAliases,
    maxDirectives: options.maxDirectives,
    maxTokens: options.maxTokens,
    maxResultItems: options.maxResultItems,
  });
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
  /**
   * The GraphQL IDE at GET /graphql, from bundled files (gateway/ide.ts); default: on unless
   * in production. Apollo's own landing page is never served: it loads from a CDN.
   */
  ide?: boolean;
  /** Production mode: no introspection, no schema hints in errors. */
  production?: boolean;
  bodyLimit?: string;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** When set, only the manifest's operations run (gateway/safelist.ts). */
  safelist?: Safelist;
  /** Public HTTP routes served by a subgraph (e.g. credential verification), passed through unchanged. */
  passThrough?: readonly PassThrough[];
  /** Where the hub's web pages (the dashboard) sign in: published at SIGN_IN_CONFIG_PATH. */
  signIn?: SignInConfig;
  /** More routes on the gateway's app, mounted before the graph (the development identity provider's sign-in). */
  routes?: (app: Express) => void;
  /**
   * Who may read /metrics (lib/metrics.ts). Default: anyone in development; in production
   * not served unless a token is set, because the gateway is the public edge.
   */
  metricsAccess?: MetricsAccess;
  /** Rate limits and cost budgets shared by the gateway's replicas (lib/shared-state.ts); default this process's memory. */
  sharedState?: SharedState;
  /**
   * The drain at a stop (lib/drain.ts): `/readyz` answers 503 and the gateway keeps serving until no
   * connection waits to be read, at least `minimumMs` (SHUTDOWN_DELAY_SECONDS, for load balancers that
   * poll readiness).
   */
  drain?: DrainOptions;
}

/** Where a browser page signs in (OAuth 2.0 authorisation code with PKCE at the identity provider). */
export interface SignInConfig {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  /** Space-separated scopes to ask for (none by default). */
  scope?: string;
}

/** Where the analyst dashboard is served (by the analytics service, passed through). */
export const DASHBOARD_PREFIX = '/dashboard/';

/** Where the gateway publishes its SignInConfig. */
export const SIGN_IN_CONFIG_PATH = '/auth/sign-in.json';


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
  /** When each fetch in flight started, for its request's log line. */
  private readonly started = new WeakMap<object, number>();

  constructor(
    private readonly signer: HubSigner,
    private readonly audience: string,
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0],
  ) {
    super(config);
  }

  override async willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): Promise<void> {
    const { principal = ANONYMOUS, idempotencyKey, observation } = context as Partial<GatewayContext>;
    request.http?.headers.set('authorization', `Bearer ${await this.signer.sign(principal, this.audience)}`);
    if (idempotencyKey) request.http?.headers.set('idempotency-key', idempotencyKey);
    // The request's ids travel on, so the subgraph's log line joins the gateway's.
    for (const [name, value] of Object.entries(propagationHeaders(observation))) request.http?.headers.set(name, value);
    // Keyed by the http part: the gateway hands the response hooks a copy of the request that shares it.
    if (request.http) this.started.set(request.http, performance.now());
  }

  override async didReceiveResponse(input: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    if (input.request.http) this.note(input.request.http, input.context, true);
    return input.response;
  }

  override didEncounterError(...[error, fetchRequest, fetchResponse, context, request]: Parameters<RemoteGraphQLDataSource<GatewayContext>['didEncounterError']>): void {
    if (request?.http) this.note(request.http, context, false);
    super.didEncounterError(error, fetchRequest, fetchResponse, context, request);
  }

  /** The call on its request's line (the metrics are the fetcher's: it knows a timeout from an error). */
  private note(http: object, context: Partial<GatewayContext> | undefined, ok: boolean): void {
    const started = this.started.get(http);
    if (started === undefined || !context?.observation) return;
    this.started.delete(http);
    context.observation.calls.push({ target: this.audience, ms: Math.round((performance.now() - started) * 10) / 10, ok });
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
function deadlineFetcher(client: HttpClient, endpoint: SubgraphEndpoint, logger: Logger, metrics: ServiceMetrics) {
  return async (url: string, init?: { method?: string; headers?: unknown; body?: string }) => {
    let status: number;
    let text: string;
    const started = performance.now();
    const record = (outcome: 'ok' | 'error' | 'timeout') => recordCall(undefined, metrics, endpoint.name, performance.now() - started, outcome);
    try {
      // The gateway hands over a Headers object (its fetch API), or a plain record.
      const given = init?.headers as Record<string, string> | { entries(): Iterable<[string, string]> } | undefined;
      const headers = given && typeof given.entries === 'function' ? Object.fromEntries((given as { entries(): Iterable<[string, string]> }).entries()) : ((given as Record<string, string> | undefined) ?? {});
      ({ status, text } = await client.post(url, { headers, body: init?.body ?? '', timeoutMs: endpoint.timeoutMs }));
    } catch (error) {
      const timedOut = ['TimeoutError', 'AbortError'].includes((error as { name?: string }).name ?? '');
      record(timedOut ? 'timeout' : 'error');
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
    const usable = (status >= 200 && status < 300 && graphql) || (status >= 400 && status < 500 && graphql && Array.isArray((body as { errors?: unknown }).errors));
    record(usable && status !== 401 ? 'ok' : 'error');
    if (status === 401) {
      logger.error('subgraph refused the hub token', { subgraph: endpoint.name, body: text.slice(0, 500) });
      throw serviceUnavailable(endpoint.name, 'could not be reached');
    }
    if (usable) {
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
export type { PassThrough } from './pass-through.js';

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
  const metrics = createServiceMetrics('gateway');
  const endpoints = new Map(options.subgraphs.map((endpoint) => [endpoint.name, endpoint]));
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const endpoint = endpoints.get(name) ?? { name, url: url ?? '', timeoutMs: 5_000 };
      return new HubDataSource(options.hubSigner, name, { url: endpoint.url, fetcher: deadlineFetcher(client, endpoint, options.logger, metrics) as never });
    },
  });
  const app = express();
  app.disable('x-powered-by');
  // request.ip: from X-Forwarded-For only through trusted proxies (lib/client-address.ts).
  app.set('trust proxy', trustProxySetting(options.trustedProxies));
  // First, so that every request, refused or not, has its ids, its log line and its metrics.
  const observer = createRequestObserver({ logger: options.logger, metrics, graphqlPath: GRAPHQL_PATH, service: 'gateway' });
  app.use(observer.middleware);
  const httpServer = createServer(app);
  // A stop first drains (lib/drain.ts): requests clients have sent are answered, not reset.
  const drain = watchDrain(httpServer, options.drain);
  const production = options.production ?? false;
  // Token, depth, alias, directive and result-size limits reject query bombs before planning.
  const limits = edgeQueryLimits(options);
  const admission = createAdmission({ ...DEFAULT_ADMISSION, ...definedOnly(options.admission ?? {}) }, options.sharedState);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: queryParseOptions(limits),
    validationRules: queryLimitRules(limits),
    // Entry points own SIGINT/SIGTERM (one handler stops every service in order).
    stopOnTerminationSignals: false,
    formatError: formatGatewayError(options.logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Answers carry no cache policy (see lib/server.ts): the plugin would wrap every field of every plan's result for nothing.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      queryLimitsPlugin<GatewayContext>(limits, {
        admit: ({ cost, request }) => admission.admit(request.contextValue.caller ?? callerKey(request.contextValue.principal), cost),
      }),
      signInStatusPlugin(),
      observer.plugin<GatewayContext>(),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  mountHealthRoutes(app, 'gateway', async () => {
    // Stopping: the load balancer is told first, while the gateway still serves what it is sent.
    if (drain.draining) throw new Error('the gateway is stopping');
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
    // Without the identity provider's keys every signed-in request would be refused: not ready either.
    await options.auth.keysReady?.().catch(() => {
      throw new Error('the identity provider\'s keys (AUTH_JWKS_URL) cannot be obtained');
    });
    return { subgraphs };
  });
  mountMetrics(app, metrics, options.metricsAccess ?? (production ? { kind: 'off' } : { kind: 'open' }));
  // The hub's public keys, for subgraphs (members hosted by universities included) to verify hub tokens.
  app.get(HUB_JWKS_PATH, (_request, response) => {
    response.setHeader('cache-control', 'public, max-age=300');
    response.json(options.hubSigner.jwks);
  });
  // Who is calling (401 for a bad token) and whether they are within their rate; shared by every caller-facing route.
  const identify = createIdentify({ auth: options.auth, rateLimitPerMinute: options.rateLimitPerMinute ?? 600, ...(options.sharedState ? { sharedState: options.sharedState } : {}) });
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
  // The dashboard's own address without the trailing slash its relative asset paths need.
  if (options.passThrough?.some((route) => route.prefixes.includes(DASHBOARD_PREFIX))) {
    // Express matches "/dashboard" for the "/dashboard/" prefix too; only the bare path is sent to the slashed one.
    app.get(DASHBOARD_PREFIX.slice(0, -1), (request, response, next) => (request.originalUrl.split('?')[0] === DASHBOARD_PREFIX.slice(0, -1) ? response.redirect(301, DASHBOARD_PREFIX) : next()));
  }
  // Public routes are rate-limited per caller like the graph (verification parses up to 2 MB).
  for (const route of options.passThrough ?? []) {
    for (const prefix of route.prefixes) app.use(prefix, allowCors);
    mountPassThrough(app, client, route, options.logger, identify);
  }
  // Where the hub's pages sign in (the dashboard reads it before sending the browser to the identity provider).
  if (options.signIn) {
    const signIn = options.signIn;
    app.get(SIGN_IN_CONFIG_PATH, (_request, response) => {
      response.setHeader('cache-control', 'no-store');
      response.json(signIn);
    });
  }
  options.routes?.(app);
  if (options.ide ?? !production) mountIde(app, GRAPHQL_PATH);
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
        const observation = observationOf(req);
        const context: GatewayContext = {
          principal: res.locals['principal'] as Principal,
          caller: callerOf(res),
          ...(typeof idempotencyKey === 'string' ? { idempotencyKey: idempotencyKey.slice(0, 300) } : {}),
          ...(observation ? { observation } : {}),
        };
        observer.bind(context, req);
        return context;
      },
    }),
  );
  app.use(notFoundHandler());
  app.use(jsonErrorHandler(options.logger));
  const port = await listen(httpServer, options.port ?? 0, options.host ?? '127.0.0.1', 'the gateway');
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
      await drain.drain();
      await apollo.stop();
      await client.close();
    },
  };
}
