import type { Principal } from '../../lib/auth.js';
import type { GraphQLResponseBody } from '../../lib/http-client.js';
import { callService, observedClient, type SubgraphCall } from '../../lib/subgraph-calls.js';
import type { FactSources } from '../issuance/sources.js';

/*
 * What the recognition service reads from other subgraphs (the member router,
 * learners, issuance, ESCO), through lib/subgraph-calls.ts: as the caller,
 * one batched request per call; what a request costs is stated where it is made.
 */

export interface RecognitionSources extends FactSources {
  learnersUrl: string;
  issuanceUrl: string;
}

export type SourceService = 'members' | 'learners' | 'issuance' | 'esco';

/** One call to another subgraph (what tests and the benchmark count). */
export type SourceCall = SubgraphCall<SourceService>;

/**
 * The sources with a client that reports every call it makes (the service's
 * own and those of the issuance helpers it reuses) to `observe`, read at call time.
 */
export function observedSources(sources: RecognitionSources, observe: () => ((call: SourceCall) => void) | undefined): RecognitionSources {
  return { ...sources, client: observedClient(sources.client, urlsOf(sources), observe) };
}

function urlsOf(sources: RecognitionSources): Record<SourceService, string> {
  return { members: sources.membersUrl, learners: sources.learnersUrl, issuance: sources.issuanceUrl, esco: sources.escoUrl };
}

const SERVICE_NAMES: Record<SourceService, string> = { members: 'member router', learners: 'learner register', issuance: 'issuance service', esco: 'ESCO service' };

/** Posts one query to a subgraph as `principal`; transport failures become SERVICE_UNAVAILABLE naming the service, never its address. */
export function callSubgraph(
  sources: RecognitionSources,
  service: SourceService,
  principal: Principal,
  query: string,
  variables: Record<string, unknown>,
): Promise<GraphQLResponseBody> {
  return callService({ client: sources.client, signer: sources.signer, timeoutMs: sources.timeoutMs, urls: urlsOf(sources), names: SERVICE_NAMES }, service, principal, query, variables);
}
