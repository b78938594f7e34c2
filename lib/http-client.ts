import { SpanStatusCode } from '@opentelemetry/api';
import { Agent, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import { hubTracer, startClientSpan } from './tracing.js';

/**
 * HTTP client for service-to-service GraphQL calls: keep-alive connections
 * (one pool per client) and a hard deadline on every request, because neither
 * the gateway's default fetcher nor plain `fetch` has one.
 */
export interface HttpClient {
  fetch(url: string, init: RequestInit & { timeoutMs: number }): Promise<Response>;
  /**
   * POSTs `body` and reads the whole answer as text within `timeoutMs`: the hot path of every subgraph and
   * member call, on undici's own request API (WHATWG fetch's Request, Headers, Response and web streams cost
   * ~10 % of the hub's CPU under load for answers read whole anyway).
   */
  post(url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number; signal?: AbortSignal }): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Connections kept per origin. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const agent = new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: 5_000 },
  });
  return {
    fetch(url, { timeoutMs, signal, ...init }) {
      const deadline = AbortSignal.timeout(timeoutMs);
      return undiciFetch(url, {
        ...init,
        dispatcher: agent,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      });
    },
    async post(url, { headers, body, timeoutMs, signal }) {
      const deadline = AbortSignal.timeout(timeoutMs);
      const target = new URL(url);
      const response = await agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers,
        body,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      });
      return { status: response.statusCode, text: await response.body.text() };
    },
    close: () => agent.close(),
  };
}

export interface GraphQLRequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

export interface GraphQLResponseError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLResponseError[];
}

/** Why a call to another service failed, in words fit for a user (no address). */
export class ServiceCallError extends Error {
  constructor(
    readonly reason: string,
    readonly kind: 'timeout' | 'unreachable' | 'http' | 'invalid-response',
  ) {
    super(reason);
    this.name = 'ServiceCallError';
  }
}

function describeFailure(error: unknown, timeoutMs: number): ServiceCallError {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ServiceCallError(`did not answer within ${timeoutMs} ms`, 'timeout');
  }
  return new ServiceCallError('could not be reached', 'unreachable');
}

/** The GraphQL-over-HTTP response shape: `data` an object or null, `errors` a list of objects with a message. */
export function isGraphQLResponse(value: unknown): value is GraphQLResponseBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { data, errors } = value as { data?: unknown; errors?: unknown };
  if (data === undefined && errors === undefined) return false;
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) return false;
  if (errors !== undefined) {
    if (!Array.isArray(errors)) return false;
    if (!errors.every((error) => typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string')) return false;
  }
  return true;
}

/**
 * POSTs a GraphQL request and returns its body. Transport failures, non-JSON
 * answers and HTTP errors without a GraphQL body become `ServiceCallError`s;
 * GraphQL errors in a well-formed body are returned for the caller to map.
 */
export async function postGraphQL(
  client: HttpClient,
  url: string,
  body: GraphQLRequestBody,
  options: { timeoutMs: number; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<GraphQLResponseBody> {
  // Tracing on (lib/tracing.ts): a call that does not carry a trace of its own (the router's member calls and
  // callService make their own CLIENT span and pass its traceparent) gets a CLIENT span here, so every
  // service-to-service call (issuance reading its sources, recognition, passport…) joins the request's trace.
  // Off, hubTracer() is the one look (no URL parsed, no name built).
  const traced = options.headers?.['traceparent'] === undefined && hubTracer() ? startClientSpan(`POST ${new URL(url).host}`, { 'url.full': url }) : undefined;
  if (!traced) return sendGraphQL(client, url, body, options);
  try {
    return await sendGraphQL(client, url, body, { ...options, headers: { ...options.headers, traceparent: traced.traceparent } });
  } catch (error) {
    traced.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof ServiceCallError ? error.kind : 'error' });
    throw error;
  } finally {
    traced.span.end();
  }
}

async function sendGraphQL(
  client: HttpClient,
  url: string,
  body: GraphQLRequestBody,
  options: { timeoutMs: number; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<GraphQLResponseBody> {
  let status: number;
  let text: string;
  try {
    ({ status, text } = await client.post(url, {
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...options.headers },
      body: JSON.stringify(body),
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  } catch (error) {
    throw describeFailure(error, options.timeoutMs);
  }
  const ok = status >= 200 && status < 300;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ServiceCallError(
      ok ? 'answered with something that is not JSON' : `answered with HTTP ${status}`,
      ok ? 'invalid-response' : 'http',
    );
  }
  if (!isGraphQLResponse(parsed)) {
    throw new ServiceCallError(
      ok ? 'answered with something that is not a GraphQL response' : `answered with HTTP ${status}`,
      ok ? 'invalid-response' : 'http',
    );
  }
  return parsed as GraphQLResponseBody;
}
