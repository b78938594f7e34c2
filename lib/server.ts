import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { MikroORM } from '@mikro-orm/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ANONYMOUS, InvalidTokenError, type Principal } from './auth.js';
import { ConfigError } from './config.js';
import { maskError, scrubMessage } from './errors.js';
import { queryLimitRules, queryLimitsPlugin, queryParseOptions, SUBGRAPH_QUERY_LIMITS, type QueryLimits } from './query-limits.js';
import { watchDrain, type DrainOptions } from './drain.js';
import type { HubVerifier } from './hub-token.js';
import type { Logger } from './log.js';
import { createServiceMetrics, mountMetrics, type MetricsAccess, type ServiceMetrics } from './metrics.js';
import { createRequestObserver } from './observe.js';

export interface RunningServer {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4101/graphql`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface GraphQLServerOptions<TContext extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  logger: Logger;
  /** Builds the per-request context: a forked EntityManager, fresh DataLoaders, the caller. */
  context: (request: Request, principal: Principal) => Promise<TContext>;
  /**
   * Hub-internal token check: every GraphQL request must carry a token the
   * hub signed for `audience`, else HTTP 401. Entry points always pass one;
   * `null` is for in-process tests that call the server directly.
   */
  hubAuth: { verifier: HubVerifier; audience: string } | null;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<TContext>[];
  fieldResolver?: GraphQLFieldResolver<unknown, TContext>;
  /** Throws when the service cannot serve (database down…); drives `/readyz`. */
  readiness?: () => Promise<unknown>;
  /** The drain at a stop (lib/drain.ts): `/readyz` 503 and serving until no connection waits to be read. */
  drain?: DrainOptions;
  /** Largest accepted request body, e.g. `'1mb'`. */
  bodyLimit?: string;
  /** Extra HTTP routes mounted before the GraphQL endpoint. */
  routes?: (app: Express) => void;
  /** Introspection on (default) or off. */
  introspection?: boolean;
  /** The document limits this server enforces itself (default: SUBGRAPH_QUERY_LIMITS, lib/query-limits.ts). */
  limits?: QueryLimits;
  /** This service's metrics, when it records its own too (a cache, member calls); default: a registry of its own. */
  metrics?: ServiceMetrics;
  /** Who may read /metrics (lib/metrics.ts); default: anyone who reaches the port, like /healthz. */
  metricsAccess?: MetricsAccess;
  /** The service's database, its pool reported in /metrics. */
  orm?: MikroORM;
}

export const GRAPHQL_PATH = '/graphql';

/** Mounts liveness (`/healthz`) and readiness (`/readyz`) probes. */
export function mountHealthRoutes(app: Express, name: string, readiness?: () => Promise<unknown>): void {
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok', service: name });
  });
  app.get('/readyz', async (_request, response) => {
    try {
      const details = await readiness?.();
      response.json({ status: 'ready', service: name, ...(details && typeof details === 'object' ? details : {}) });
    } catch (error) {
      response.status(503).json({ status: 'not ready', service: name, reason: scrubMessage((error as Error).message) });
    }
  });
}

/**
 * Answers errors raised before GraphQL sees the request (body too large, body
 * not JSON) as a GraphQL-shaped JSON error. Express's default handler would
 * answer with an HTML page carrying a stack trace.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: { status?: unknown; type?: unknown; limit?: unknown }, _request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
    let message = 'Internal server error.';
    let code = 'INTERNAL_SERVER_ERROR';
    if (error.type === 'entity.too.large') {
      message = `The request body is larger than the limit of ${String(error.limit)} bytes.`;
      code = 'PAYLOAD_TOO_LARGE';
    } else if (error.type === 'entity.parse.failed') {
      message = 'The request body is not valid JSON.';
      code = 'BAD_REQUEST';
    } else if (status < 500) {
      message = 'The request could not be read.';
      code = 'BAD_REQUEST';
    } else {
      logger.error('unexpected error before GraphQL', { error: error as Error });
    }
    response.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}

/**
 * Answers every path no route took with a JSON 404. Express's default is an
 * HTML page that echoes the path (a reflection an attacker can point people
 * at, and a fingerprint of the stack).
 */
export function notFoundHandler(): RequestHandler {
  return (_request, response) => {
    response.status(404).json({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
  };
}

/**
 * A port that was free a moment ago, for a service whose public URL others
 * must know before it starts (the hub's gateway: credentials name its URLs).
 */
export async function freePort(host: string): Promise<number> {
  const probe = createServer();
  const port = await listen(probe, 0, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Listens on `host:port` and resolves with the bound port. An address that
 * cannot be bound is the operator's to fix, so it rejects with a one-line
 * ConfigError naming the service, not a stack trace.
 */
export function listen(server: Server, port: number, host: string, service = 'the service'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, service, host, port)));
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function listenError(error: NodeJS.ErrnoException, service: string, host: string, port: number): Error {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigError(`${service} cannot listen on ${where}: the port is already in use (another program, or the hub already running). Stop it or choose another port (see --help).`);
    case 'EACCES':
      return new ConfigError(`${service} cannot listen on ${where}: ports below 1024 need privileges. Choose a port from 1024 (see --help).`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ConfigError(`${service} cannot listen on ${where}: ${host} is not an address of this machine. Check HOST (see --help).`);
    default:
      return error;
  }
}

/**
 * Starts one GraphQL service (a subgraph) over HTTP with health probes and
 * masked errors. No side effects until called; returns a handle to stop it.
 */
export async function startGraphQLServer<TContext extends BaseContext>(options: GraphQLServerOptions<TContext>): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  // As at the gateway: a stop answers the requests callers have sent, including those not read yet.
  const drain = watchDrain(httpServer, options.drain);
  const limits = options.limits ?? SUBGRAPH_QUERY_LIMITS;
  const metrics = options.metrics ?? createServiceMetrics(options.name);
  if (options.orm) metrics.watchDatabase(options.orm, options.name);
  // First, so that every request, refused or not, has its ids, its log line and its metrics.
  const observer = createRequestObserver({ logger: options.logger, metrics, graphqlPath: GRAPHQL_PATH, service: options.name });
  app.use(observer.middleware);
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    // Defence in depth: the same checks as the gateway's, with room for query plans (lib/query-limits.ts).
    parseOptions: queryParseOptions(limits),
    validationRules: queryLimitRules(limits),
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    // Entry points own SIGINT/SIGTERM (one handler stops every service in order).
    stopOnTerminationSignals: false,
    ...(options.fieldResolver ? { fieldResolver: options.fieldResolver } : {}),
    formatError: (formatted, error) =>
      maskError(formatted, error, {
        report: (original) => options.logger.error('unexpected error', { error: original }),
      }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // No HTTP caching of GraphQL answers here (the router keeps the public catalogue itself: subgraphs/members/public-cache.ts),
      // and the cache-control plugin wraps every field resolver of every request to compute a policy nobody reads.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      queryLimitsPlugin<TContext>(limits),
      observer.plugin<TContext>(),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  mountHealthRoutes(app, options.name, async () => {
    if (drain.draining) throw new Error(`the ${options.name} service is stopping`);
    return options.readiness?.();
  });
  mountMetrics(app, metrics, options.metricsAccess);
  options.routes?.(app);
  const hubAuth = options.hubAuth;
  app.use(
    GRAPHQL_PATH,
    async (request, response, next) => {
      if (!hubAuth) {
        response.locals['principal'] = ANONYMOUS;
        next();
        return;
      }
      try {
        response.locals['principal'] = await hubAuth.verifier.verify(request.headers.authorization, hubAuth.audience);
        next();
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        response.status(401).setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
        response.json({ errors: [{ message: `Request refused: ${error.reason}.`, extensions: { code: 'UNAUTHENTICATED' } }] });
      }
    },
    express.json({ limit: options.bodyLimit ?? '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const context = await options.context(req, res.locals['principal'] as Principal);
        observer.bind(context, req);
        return context;
      },
    }),
  );
  app.use(notFoundHandler());
  app.use(jsonErrorHandler(options.logger));
  const port = await listen(httpServer, options.port ?? 0, options.host ?? '127.0.0.1', `the ${options.name} subgraph`);
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  let stopped = false;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await drain.drain();
      await apollo.stop();
    },
  };
}
