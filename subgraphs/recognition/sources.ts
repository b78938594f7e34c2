import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import { postGraphQL, ServiceCallError, type GraphQLResponseBody } from '../../lib/http-client.js';
import type { FactSources } from '../issuance/sources.js';

/*
 * How the recognition service reads what it does not hold: directly from the
 * subgraph that owns it (the member router, learners, issuance, ESCO), with a
 * hub token per call carrying the caller's identity (audience = that
 * subgraph), so the owner's access rules apply as if the caller asked. Every
 * call is one batched request; what a request costs is stated where it is made.
 */

export interface RecognitionSources extends FactSources {
  learnersUrl: string;
  issuanceUrl: string;
}

export type SourceService = 'members' | 'learners' | 'issuance' | 'esco';

/** One call to another subgraph (what tests and the benchmark count). */
export interface SourceCall {
  service: SourceService;
  purpose: string;
  ms: number;
  ok: boolean;
}

const SERVICE_NAMES: Record<SourceService, string> = { members: 'member router', learners: 'learner register', issuance: 'issuance service', esco: 'ESCO service' };

/** Posts one query to a subgraph as `principal`; transport failures become SERVICE_UNAVAILABLE naming the service, never its address. */
export async function callSubgraph(
  sources: RecognitionSources,
  service: SourceService,
  principal: Principal,
  purpose: string,
  query: string,
  variables: Record<string, unknown>,
  observe?: (call: SourceCall) => void,
): Promise<GraphQLResponseBody> {
  const url = { members: sources.membersUrl, learners: sources.learnersUrl, issuance: sources.issuanceUrl, esco: sources.escoUrl }[service];
  const started = performance.now();
  try {
    const body = await postGraphQL(sources.client, url, { query, variables }, { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(principal, service)}` } });
    observe?.({ service, purpose, ms: performance.now() - started, ok: true });
    return body;
  } catch (error) {
    observe?.({ service, purpose, ms: performance.now() - started, ok: false });
    if (error instanceof ServiceCallError) {
      throw new GraphQLError(`The ${SERVICE_NAMES[service]} ${error.reason}; nothing was changed.`, { extensions: { code: 'SERVICE_UNAVAILABLE', service } });
    }
    throw error;
  }
}
