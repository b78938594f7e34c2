import type { Principal } from '../../lib/auth.js';
import type { GraphQLResponseBody, HttpClient } from '../../lib/http-client.js';
import type { HubSigner } from '../../lib/hub-token.js';
import { callService, observedClient, type SubgraphCall } from '../../lib/subgraph-calls.js';

/*
 * What the passport reads from other subgraphs (lib/subgraph-calls.ts): as
 * the caller, one batched request per call. Cost of a passport, whatever the
 * number of achievements: the learner register, then the member router,
 * issuance and recognition side by side, then ESCO - five calls, three rounds
 * (reader.ts).
 */

export type PassportSource = 'members' | 'learners' | 'issuance' | 'recognition' | 'esco';

export interface PassportSources {
  client: HttpClient;
  signer: HubSigner;
  timeoutMs: number;
  urls: Record<PassportSource, string>;
}

export type PassportCall = SubgraphCall<PassportSource>;

const NAMES: Record<PassportSource, string> = { members: 'member router', learners: 'learner register', issuance: 'issuance service', recognition: 'recognition service', esco: 'ESCO service' };

export function observedSources(sources: PassportSources, observe: () => ((call: PassportCall) => void) | undefined): PassportSources {
  return { ...sources, client: observedClient(sources.client, sources.urls, observe) };
}

export function call(sources: PassportSources, service: PassportSource, principal: Principal, query: string, variables: Record<string, unknown>, consequence = 'the passport could not be read'): Promise<GraphQLResponseBody> {
  return callService({ ...sources, names: NAMES }, service, principal, query, variables, consequence);
}
