import { SpanStatusCode } from '@opentelemetry/api';
import { GraphQLError } from 'graphql';
import type { Principal } from './auth.js';
import { postGraphQL, ServiceCallError, type GraphQLResponseBody, type HttpClient } from './http-client.js';
import type { HubSigner } from './hub-token.js';
import { startClientSpan } from './tracing.js';

/*
 * How a central subgraph reads what it does not hold: directly from the
 * subgraph that owns it, with a hub token per call carrying the caller's
 * identity (audience = that subgraph), so the owner's access rules apply as if
 * the caller asked. Shared by recognition and the passport; each names its
 * services and says what a request costs where it makes the calls.
 */

/** One call to another subgraph (what tests and the benchmarks count). */
export interface SubgraphCall<S extends string> {
  service: S;
  ms: number;
  ok: boolean;
}

export interface SubgraphCaller<S extends string> {
  client: HttpClient;
  signer: HubSigner;
  timeoutMs: number;
  /** Each service's GraphQL endpoint. */
  urls: Readonly<Record<S, string>>;
  /** Each service in words, for error messages ("member router"); never its address. */
  names: Readonly<Record<S, string>>;
}

/**
 * A client that reports every call it makes to one of `urls` to `observe`,
 * read at call time (tests and benchmarks set it while the service runs).
 */
export function observedClient<S extends string>(client: HttpClient, urls: Readonly<Record<S, string>>, observe: () => ((call: SubgraphCall<S>) => void) | undefined): HttpClient {
  const byUrl = new Map<string, S>((Object.entries(urls) as [S, string][]).map(([service, url]) => [new URL(url).href, service]));
  const observed = async <T>(url: string, send: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const report = (ok: boolean) => {
      const service = byUrl.get(new URL(url).href);
      if (service) observe()?.({ service, ms: performance.now() - started, ok });
    };
    try {
      const answer = await send();
      report(true);
      return answer;
    } catch (error) {
      report(false);
      throw error;
    }
  };
  return {
    fetch: (url, init) => observed(url, () => client.fetch(url, init)),
    post: (url, init) => observed(url, () => client.post(url, init)),
    close: () => client.close(),
  };
}

/** Posts one query to a service as `principal`; transport failures become SERVICE_UNAVAILABLE naming the service, never its address. */
export async function callService<S extends string>(
  caller: SubgraphCaller<S>,
  service: S,
  principal: Principal,
  query: string,
  variables: Record<string, unknown>,
  consequence = 'nothing was changed',
): Promise<GraphQLResponseBody> {
  // Tracing on: a CLIENT span for the call, and the callee's server span its child. Off, nothing is sent:
  // these calls have no request observation at hand (they run in loaders and background work too).
  const traced = startClientSpan(`call ${service}`, { 'hub.service': service, 'hub.timeout_ms': caller.timeoutMs });
  try {
    const headers = { authorization: `Bearer ${await caller.signer.sign(principal, service)}`, ...(traced ? { traceparent: traced.traceparent } : {}) };
    const body = await postGraphQL(caller.client, caller.urls[service], { query, variables }, { timeoutMs: caller.timeoutMs, headers });
    traced?.span.setAttribute('hub.outcome', body.errors?.length ? 'errors' : 'ok');
    return body;
  } catch (error) {
    if (traced) {
      const outcome = error instanceof ServiceCallError ? error.kind : 'error';
      traced.span.setAttribute('hub.outcome', outcome);
      traced.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    if (error instanceof ServiceCallError) {
      throw new GraphQLError(`The ${caller.names[service]} ${error.reason}; ${consequence}.`, { extensions: { code: 'SERVICE_UNAVAILABLE', service } });
    }
    throw error;
  } finally {
    traced?.span.end();
  }
}
