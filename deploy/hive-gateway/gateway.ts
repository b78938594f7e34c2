import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { createServer } from 'node:http';
import type { SubgraphEndpoint } from '../../gateway/gateway.js';
import { listen, type RunningServer } from '../../lib/server.js';
import { useHubEdge, type HubEdgePluginOptions } from './plugin.js';

/*
 * Hive Gateway (the GraphQL Hive runtime, MIT) serving the hub's committed
 * supergraph with the hub's edge plugin: the deployment a member or the
 * alliance runs when it prefers Hive Gateway to ours. The same wiring as
 * ours (gateway/wiring.ts): subgraph URLs and deadlines, access tokens, the
 * REST routes.
 */

export interface HiveGatewayOptions extends Omit<HubEdgePluginOptions, 'graphqlPath'> {
  supergraphSdl: string;
  subgraphs: readonly SubgraphEndpoint[];
  port?: number;
  host?: string;
  /** Production mode: no introspection (as our gateway with NODE_ENV=production). */
  production?: boolean;
}

export async function startHiveGateway(options: HiveGatewayOptions): Promise<RunningServer> {
  const endpoints = new Map(options.subgraphs.map((endpoint) => [endpoint.name, endpoint]));
  const production = options.production ?? false;
  const runtime = createGatewayRuntime({
    supergraph: options.supergraphSdl,
    // Where each subgraph answers in this deployment, instead of the URLs composed into the supergraph.
    transportEntries: Object.fromEntries(options.subgraphs.map((endpoint) => [endpoint.name, { location: endpoint.url }])),
    upstreamTimeout: ({ subgraphName }) => (subgraphName ? endpoints.get(subgraphName)?.timeoutMs : undefined) ?? 5_000,
    plugins: () => [useHubEdge(options)],
    landingPage: false,
    graphiql: false,
    // Hive Gateway's own logger is for its operators; ours log through the services.
    logging: 'warn',
    maskedErrors: true,
    ...(production ? { disableIntrospection: { disableIf: () => true } } : {}),
  });
  const server = createServer(runtime);
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host, 'Hive Gateway');
  let stopped = false;
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}/graphql`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}
