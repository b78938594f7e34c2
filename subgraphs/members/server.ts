import type { ApolloServerPlugin } from '@apollo/server';
import type { Request } from 'express';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLFormattedError } from 'graphql';
import { maskError } from '../../lib/errors.js';
import { createHttpClient, type HttpClient } from '../../lib/http-client.js';
import type { HubSigner, HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import { createServiceMetrics, type MetricsAccess } from '../../lib/metrics.js';
import { observationOf } from '../../lib/observe.js';
import { createMemberDeadlines } from './deadlines.js';
import type { RouterContext } from './context.js';
import { createForwardMemo, readForwardedField } from './forward.js';
import { createCatalogueCache, type CatalogueCache } from './public-cache.js';
import type { Registry } from './registry.js';
import { createRegistryHolder, openLiveRegistry, type LiveRegistry, type RegistryReload } from './registry-watch.js';
import { buildRouterSchema, contractSchema, readMemberContract } from './schema.js';

interface MemberRouterBaseOptions {
  logger: Logger;
  port?: number;
  host?: string;
  /** Path of the member contract; defaults to schema/member-contract.graphql. */
  contractPath?: string;
  plugins?: ApolloServerPlugin<RouterContext>[];
  /** Verifies hub-internal tokens (audience "members"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
  /** Signs the caller's identity for each member call; null only when members do not check (tests). */
  signer: HubSigner | null;
  /** How long members' public catalogue answers are kept (public-cache.ts); 0 keeps none. Default 10 s. */
  catalogueCacheMs?: number;
  /** Who may read /metrics (lib/metrics.ts); default anyone who reaches the port. */
  metricsAccess?: MetricsAccess;
}

/**
 * The members to route to: a registry, or a registry file (MEMBER_REGISTRY)
 * that the router reads at start and reloads when it changes; with both, the
 * registry is the one in use and the file is watched for the next; or a live
 * registry the caller owns and shares with other services (the embedded hub).
 */
export type MemberRouterOptions = MemberRouterBaseOptions &
  ({ registry: Registry; registryFile?: string; live?: undefined } | { registry?: Registry; registryFile: string; live?: undefined } | { live: Omit<LiveRegistry, 'close'>; registry?: undefined; registryFile?: undefined });

export interface RunningMemberRouter extends RunningServer {
  client: HttpClient;
  /** The registry new requests use. */
  registry(): Registry;
  /**
   * Re-reads the registry file now (the SIGHUP handler, tests): a valid file
   * replaces the registry for new requests, an invalid one keeps it.
   */
  reloadRegistry(trigger?: string): Promise<RegistryReload>;
  /** The members' public catalogue answers this router keeps (hits and misses, for benchmarks and tests). */
  catalogue: CatalogueCache;
}

/** Reads forwarded member data by response key; everything else as usual. */
const routerFieldResolver: GraphQLFieldResolver<unknown, RouterContext> = (source, args, context, info) => {
  const forwarded = readForwardedField(source, info);
  return forwarded.handled ? forwarded.value : defaultFieldResolver(source, args, context, info);
};

/** The client's variables as sent: from a POST body, or the `variables` query parameter of a GET. */
function rawVariablesOf(request: Request): Record<string, unknown> {
  const body = request.body as { variables?: unknown } | undefined;
  let variables: unknown = body?.variables;
  if (variables === undefined && typeof request.query['variables'] === 'string') {
    try {
      variables = JSON.parse(request.query['variables']);
    } catch {
      variables = undefined;
    }
  }
  return typeof variables === 'object' && variables !== null && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {};
}

function errorKey(error: GraphQLFormattedError): string {
  return JSON.stringify([error.message, error.path ?? null, error.extensions?.['code'] ?? null, error.extensions?.['member'] ?? null]);
}

/**
 * Adds the errors that belong to no single field (a member that failed, once
 * per member) to the response, masked like every other error.
 */
function extraErrorsPlugin(logger: Logger): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.extraErrors.length === 0) return;
          const result = response.body.singleResult;
          // The same refusal or failure reached through many learners or fields is said once.
          const seen = new Set((result.errors ?? []).map((error) => errorKey(error)));
          const extra = contextValue.extraErrors
            .map((error) => maskError(error.toJSON(), error, { report: (original) => logger.error('unexpected error', { error: original }) }))
            .filter((error) => {
              const key = errorKey(error);
              if (seen.has(key)) return false;
              seen.add(key);
              return true;
            });
          result.errors = [...(result.errors ?? []), ...extra];
        },
      };
    },
  };
}

/**
 * Starts the member router: a standard Federation 2 subgraph that serves the
 * member contract for the whole alliance by routing each entity to its member
 * and fanning lists out to all members (docs/routing.md).
 */
export async function startMemberRouter(options: MemberRouterOptions): Promise<RunningMemberRouter> {
  // Its own live registry when given a file (closed when it stops); the caller's when shared.
  const owned: LiveRegistry | undefined = options.registryFile ? openLiveRegistry(options.registryFile, options.logger, options.registry ? { initial: options.registry } : {}) : undefined;
  const live: Omit<LiveRegistry, 'close'> = options.live ?? owned ?? {
    holder: createRegistryHolder(options.registry as Registry),
    reload: () => Promise.resolve({ status: 'invalid', error: 'this router was started without a registry file' }),
  };
  const holder = live.holder;
  const contract = readMemberContract(options.contractPath);
  const schema = buildRouterSchema(contract);
  const contractOnly = contractSchema(contract);
  const client = createHttpClient();
  const forwards = createForwardMemo();
  const deadlines = createMemberDeadlines();
  const catalogue = createCatalogueCache(contractOnly, options.catalogueCacheMs !== undefined ? { ttlMs: options.catalogueCacheMs } : {});
  const metrics = createServiceMetrics('members');
  const server = await startGraphQLServer<RouterContext>({
    name: 'members',
    metrics,
    ...(options.metricsAccess ? { metricsAccess: options.metricsAccess } : {}),
    schema,
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    fieldResolver: routerFieldResolver,
    plugins: [extraErrorsPlugin(options.logger), ...(options.plugins ?? [])],
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'members' } : null,
    context: async (request, principal) => {
      const observation = observationOf(request);
      return {
        ...(observation ? { observation } : {}),
        metrics,
        principal,
        signer: options.signer,
        // Taken once per request: a reload while it runs leaves its members as they were.
        registry: holder.current(),
        client,
        contract: contractOnly,
        forwards,
        deadlines,
        logger: options.logger,
        rawVariables: rawVariablesOf(request),
        extraErrors: [],
        reported: new Set(),
        calls: [],
        catalogue,
        entityBatches: new WeakMap(),
        accountFieldBatches: new WeakMap(),
        sharingByAccount: new Map(),
      };
    },
    readiness: async () => ({ members: holder.current().members.map((member) => member.id) }),
  });
  return {
    ...server,
    client,
    catalogue,
    registry: () => holder.current(),
    reloadRegistry: (trigger) => live.reload(trigger),
    async stop() {
      owned?.close();
      await server.stop();
      await client.close();
    },
  };
}
