import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { startHub, type HubOptions, type RunningHub } from '../../hub/stack.js';
import { startGateway, subgraphEndpoints, type GatewayOptions, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { quietLogger } from '../../lib/log.js';

/** A request a member subgraph received (recorded by a plugin on the member's server). */
export interface MemberRequest {
  member: string;
  query: string;
  variables: Record<string, unknown>;
}

export interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Gateway settings for `startTestHub`'s second argument (the rest comes from the hub). */
export type TestGatewayOptions = Partial<Omit<GatewayOptions, 'supergraphSdl' | 'subgraphs' | 'logger' | 'hubSigner'>>;

export interface TestHub {
  hub: RunningHub;
  /** The hub's data folder (SQLite files, keys); removed by `stop()`. */
  dataDir: string;
  /** The gateway `query()` calls: the hub's own, or the one started with the test's gateway options. */
  gatewayUrl: string;
  /** Every request members received since the last `resetRequests()`. */
  requests: MemberRequest[];
  resetRequests(): void;
  /** Members' `_entities` requests for a type, with their representations. */
  entityRequests(typeName: string): { member: string; representations: { __typename: string; id: string }[] }[];
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: GraphQLBody; text: string }>;
  stop(): Promise<void>;
}

export const TEST_LEARNERS = 150;

/**
 * Starts the whole hub on free ports with fresh SQLite files (or the
 * databases `options.databaseUrl` names), recording what each member receives.
 * With `gateway` options a second gateway with those settings serves the
 * same subgraphs, and `query()` goes to it (the hub's own gateway is built by
 * `startHub` with fixed edge settings).
 */
export async function startTestHub(options: Partial<HubOptions> = {}, gateway?: TestGatewayOptions): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const requests: MemberRequest[] = [];
  const recorder = (member: string): ApolloServerPlugin<BaseContext>[] => [
    {
      async requestDidStart({ request }) {
        requests.push({ member, query: request.query ?? '', variables: (request.variables ?? {}) as Record<string, unknown> });
      },
    },
  ];
  const hub = await startHub({ logger: quietLogger(), dataDir, learners: TEST_LEARNERS, memberPlugins: recorder, ...options });
  let custom: RunningGateway | undefined;
  if (gateway) {
    const supergraphSdl = readSupergraph();
    try {
      custom = await startGateway({
        supergraphSdl,
        subgraphs: subgraphEndpoints(supergraphSdl, hub.urls, { defaultMs: 5_000 }),
        logger: quietLogger(),
        auth: devIdpProfile(hub.idp),
        hubSigner: hub.hubSigner,
        ...gateway,
      });
    } catch (error) {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }
  const gatewayUrl = custom?.url ?? hub.gatewayUrl;
  return {
    hub,
    dataDir,
    gatewayUrl,
    requests,
    resetRequests: () => void requests.splice(0, requests.length),
    entityRequests: (typeName) =>
      requests
        .filter((request) => request.query.includes('_entities'))
        .map((request) => ({
          member: request.member,
          representations: (Object.values(request.variables).find(Array.isArray) ?? []) as { __typename: string; id: string }[],
        }))
        .filter((request) => request.representations.some((representation) => representation.__typename === typeName)),
    async query(query, variables = {}, headers = {}) {
      const response = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, body: JSON.parse(text) as GraphQLBody, text };
    },
    async stop() {
      await custom?.stop();
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
