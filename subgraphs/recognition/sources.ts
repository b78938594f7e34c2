import { GraphQLError } from 'graphql';
import type { Principal } from '../../lib/auth.js';
import { postGraphQL, ServiceCallError, type GraphQLResponseBody, type HttpClient } from '../../lib/http-client.js';
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
  ms: number;
  ok: boolean;
}

/**
 * The sources with a client that reports every call it makes (the service's
 * own and those of the issuance helpers it reuses) to `observe`, read at call time.
 */
export function observedSources(sources: RecognitionSources, observe: () => ((call: SourceCall) => void) | undefined): RecognitionSources {
  const byOrigin = new Map<string, SourceService>(
    (['members', 'learners', 'issuance', 'esco'] as const).map((service) => [new URL(urlOf(sources, service)).href, service]),
  );
  const client: HttpClient = {
    async fetch(url, init) {
      const started = performance.now();
      const report = (ok: boolean) => {
        const service = byOrigin.get(new URL(url).href);
        if (service) observe()?.({ service, ms: performance.now() - started, ok });
      };
      try {
        const response = await sources.client.fetch(url, init);
        report(true);
        return response;
      } catch (error) {
        report(false);
        throw error;
      }
    },
    close: () => sources.client.close(),
  };
  return { ...sources, client };
}

function urlOf(sources: RecognitionSources, service: SourceService): string {
  return { members: sources.membersUrl, learners: sources.learnersUrl, issuance: sources.issuanceUrl, esco: sources.escoUrl }[service];
}

const SERVICE_NAMES: Record<SourceService, string> = { members: 'member router', learners: 'learner register', issuance: 'issuance service', esco: 'ESCO service' };

/** Posts one query to a subgraph as `principal`; transport failures become SERVICE_UNAVAILABLE naming the service, never its address. */
export async function callSubgraph(
  sources: RecognitionSources,
  service: SourceService,
  principal: Principal,
  query: string,
  variables: Record<string, unknown>,
): Promise<GraphQLResponseBody> {
  try {
    return await postGraphQL(sources.client, urlOf(sources, service), { query, variables }, { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(principal, service)}` } });
  } catch (error) {
    if (error instanceof ServiceCallError) {
      throw new GraphQLError(`The ${SERVICE_NAMES[service]} ${error.reason}; nothing was changed.`, { extensions: { code: 'SERVICE_UNAVAILABLE', service } });
    }
    throw error;
  }
}
