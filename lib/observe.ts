import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { context as otelContext, SpanKind, SpanStatusCode, trace as otelTrace, type Span } from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from './auth.js';
import type { Logger } from './log.js';
import type { ServiceMetrics } from './metrics.js';
import { hubTracer, remoteParent } from './tracing.js';

/*
 * One log line and one set of metrics per HTTP request, at the gateway and at
 * every subgraph, correlated across hops: the request id (X-Request-Id, taken
 * from the caller when well-formed, else new) and the W3C trace context
 * (`traceparent`) travel with every call the hub makes for the request, so the
 * gateway's line, the router's and each member's share both ids.
 *
 * What a line never holds: the token, the query's text or variables, the
 * query string of the URL (a GET's variables), personal data. The caller is
 * described by role only.
 *
 * With tracing on (lib/tracing.ts) each request is also a SERVER span, a child
 * of the caller's traceparent, whose ids are the observation's: the log line
 * and the trace name the same span. The rest of the request runs in its
 * context, so the gateway's planning and fetch spans, the calls' CLIENT spans
 * and the database's query spans are its children. Its attributes follow the
 * line's rule: a role, never an identity, no variables.
 */

/** The W3C trace context of this hop: the trace, this hop's span, and the caller's span (if any). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** Trace flags as two hex digits ("01": sampled). */
  flags: string;
}

/** A trace context with the server span behind it, when tracing is on. */
type TracedContext = TraceContext & { span?: Span };

/** One call a request made to another service, for its log line. */
export interface UpstreamCall {
  /** A subgraph's name, or `member:<id>`. */
  target: string;
  ms: number;
  ok: boolean;
}

/** What is known about one request while it is served. */
export interface Observation {
  requestId: string;
  trace: TraceContext;
  started: number;
  operation?: string;
  /** SHA-256 of the query text (Apollo's queryHash; what a safelist lists). */
  hash?: string;
  /** Error codes in the answer, each once. */
  errors: string[];
  calls: UpstreamCall[];
  /** This request's SERVER span (tracing on and the request sampled only). */
  span?: Span;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Routes whose requests are logged at debug level: probes and scrapes would drown the log otherwise. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const MAX_ERRORS = 10;
/**
 * Where a GraphQL context carries its request's observation. A property, not a
 * WeakMap entry: Apollo Server hands plugins a shallow copy of the context, and
 * a copy keeps enumerable properties (symbols too) but not identity.
 */
const OBSERVATION = Symbol('observation');

/** The caller's trace context from a `traceparent` header (W3C Trace Context, version 00), if valid. */
export function parseTraceparent(value: unknown): { traceId: string; parentId: string; flags: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [, traceId = '', parentId = '', flags = ''] = match;
  // All-zero ids are invalid by the specification: start a new trace instead.
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

function traceFor(request: Request): TracedContext {
  const parent = parseTraceparent(request.headers['traceparent']);
  const tracer = hubTracer();
  if (tracer) {
    // Tracing on: the SDK draws the ids (and samples), and the observation uses them so logs and traces agree.
    const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER }, remoteParent(parent));
    const { traceId, spanId, traceFlags } = span.spanContext();
    return { traceId, spanId, ...(parent ? { parentSpanId: parent.parentId } : {}), flags: (traceFlags & 1) === 1 ? '01' : '00', span };
  }
  const spanId = randomBytes(8).toString('hex');
  return parent ? { traceId: parent.traceId, spanId, parentSpanId: parent.parentId, flags: parent.flags } : { traceId: randomBytes(16).toString('hex'), spanId, flags: '01' };
}

/** The headers that carry a request's ids to the next service (none outside a request). */
export function propagationHeaders(observation: Observation | undefined): Record<string, string> {
  if (!observation) return {};
  const { traceId, spanId, flags } = observation.trace;
  return { traceparent: `00-${traceId}-${spanId}-${flags}`, 'x-request-id': observation.requestId };
}

/** The observation of the request an Express request belongs to (set by the observer's middleware). */
export function observationOf(request: Request): Observation | undefined {
  return request.res?.locals['observation'] as Observation | undefined;
}

/** The caller as a log may name them: a role, never an identity. */
export function roleOf(principal: Principal | undefined): string {
  if (!principal) return 'none';
  if (principal.kind === 'anonymous') return 'anonymous';
  return principal.roles.length > 0 ? [...principal.roles].sort().join('+') : 'signed-in';
}

/** Records one call on a request's observation and in the service's metrics. */
export function recordCall(observation: Observation | undefined, metrics: ServiceMetrics | undefined, target: string, ms: number, outcome: 'ok' | 'error' | 'timeout'): void {
  observation?.calls.push({ target, ms: Math.round(ms * 10) / 10, ok: outcome === 'ok' });
  metrics?.upstreamDuration.observe({ target, outcome }, ms / 1000);
}

export interface RequestObserverOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** The GraphQL endpoint's path: its requests are timed per operation. */
  graphqlPath: string;
  /** The service's name on its spans ("gateway", "members"…). */
  service?: string;
}

export interface RequestObserver {
  /** Mount first: every request gets its ids, its line and its metrics. */
  middleware: RequestHandler;
  /** Fills in the operation, its hash and the error codes of GraphQL requests. */
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext>;
  /** Ties a request's GraphQL context to its observation (call from the context function). */
  bind(context: object, request: Request): void;
}

/** Adds the codes of an answer's errors to the observation, each once. */
function noteErrors(observation: Observation, errors: unknown): void {
  if (!Array.isArray(errors)) return;
  for (const error of errors as { extensions?: { code?: unknown } }[]) {
    const code = error?.extensions?.code;
    const name = typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : 'UNKNOWN';
    if (!observation.errors.includes(name) && observation.errors.length < MAX_ERRORS) observation.errors.push(name);
  }
}

function outcomeOf(status: number, errors: readonly string[]): 'ok' | 'error' | 'refused' | 'failed' {
  if (status >= 500) return 'failed';
  if (status >= 400) return 'refused';
  return errors.length > 0 ? 'error' : 'ok';
}

export function createRequestObserver(options: RequestObserverOptions): RequestObserver {
  const { logger, metrics } = options;

  /** The span's closing attributes: what the log line says, in OTel's names where it has them. */
  const endSpan = (span: Span, request: Request, response: Response, observation: Observation, status: number, route: string) => {
    if (span.isRecording()) {
      span.updateName(`${request.method} ${route}`);
      span.setAttributes({
        'http.request.method': request.method,
        'http.route': route,
        'http.response.status_code': status,
        'hub.request_id': observation.requestId,
        'hub.role': roleOf(response.locals['principal'] as Principal | undefined),
        ...(options.service ? { 'hub.service': options.service } : {}),
        ...(observation.operation ? { 'graphql.operation.name': observation.operation } : {}),
        ...(observation.errors.length > 0 ? { 'hub.error_codes': observation.errors } : {}),
      });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: observation.errors[0] ?? `HTTP ${status}` });
    }
    span.end();
  };

  const finish = (request: Request, response: Response, observation: Observation, aborted: boolean) => {
    const status = aborted ? 499 : response.statusCode;
    const ms = performance.now() - observation.started;
    const route = request.baseUrl || (request.route as { path?: string } | undefined)?.path || (response.statusCode === 404 ? 'unmatched' : request.path);
    if (observation.span) endSpan(observation.span, request, response, observation, status, route);
    metrics.httpRequests.inc({ route, status: String(status) });
    const graphql = route === options.graphqlPath;
    if (graphql) metrics.graphqlDuration.observe({ operation: metrics.operationLabel(observation.operation), outcome: outcomeOf(status, observation.errors) }, ms / 1000);
    if (status >= 400 && status !== 404 && status !== 499) metrics.refused.inc({ reason: observation.errors[0] ?? `HTTP_${status}` });
    const level = QUIET_ROUTES.has(route) ? 'debug' : status >= 500 ? 'error' : 'info';
    if (!logger.enabled(level)) return;
    logger[level]('request', {
      requestId: observation.requestId,
      traceId: observation.trace.traceId,
      spanId: observation.trace.spanId,
      method: request.method,
      // The path only: a GET's query string can carry variables.
      path: request.originalUrl.split('?')[0],
      status,
      ms: Math.round(ms * 10) / 10,
      ...(observation.operation ? { operation: observation.operation } : {}),
      ...(observation.hash ? { hash: observation.hash } : {}),
      role: roleOf(response.locals['principal'] as Principal | undefined),
      ...(observation.calls.length > 0 ? { calls: observation.calls } : {}),
      ...(observation.errors.length > 0 ? { errors: observation.errors } : {}),
    });
  };

  const middleware: RequestHandler = (request, response, next) => {
    const given = request.headers['x-request-id'];
    const { span, ...trace } = traceFor(request);
    const observation: Observation = {
      requestId: typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID(),
      trace,
      started: performance.now(),
      errors: [],
      calls: [],
      ...(span ? { span } : {}),
    };
    response.locals['observation'] = observation;
    // Refusals before GraphQL (a bad token, a rate limit, a body too large) answer with response.json:
    // their codes are the reasons the metrics and the line give.
    const json = response.json.bind(response);
    response.json = (body: unknown) => {
      if (response.statusCode >= 400) noteErrors(observation, (body as { errors?: unknown } | null)?.errors);
      return json(body);
    };
    response.setHeader('x-request-id', observation.requestId);
    let done = false;
    const end = (aborted: boolean) => {
      if (done) return;
      done = true;
      finish(request, response, observation, aborted);
    };
    response.once('finish', () => end(false));
    // A client that hangs up before the answer: logged as 499, like nginx does.
    response.once('close', () => end(!response.writableFinished));
    if (!span) {
      next();
      return;
    }
    // The rest of the request in the span's context. The request and response are bound too: body parsing
    // continues from their stream events, which would otherwise run outside it.
    const active = otelTrace.setSpan(otelContext.active(), span);
    otelContext.bind(active, request);
    otelContext.bind(active, response);
    otelContext.with(active, next);
  };

  return {
    middleware,
    bind(context, request) {
      const observation = observationOf(request);
      if (observation) (context as Record<symbol, unknown>)[OBSERVATION] = observation;
    },
    plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
      return {
        async requestDidStart({ contextValue }) {
          const observation = (contextValue as Record<symbol, unknown>)[OBSERVATION] as Observation | undefined;
          if (!observation) return;
          return {
            async didResolveSource({ queryHash }) {
              observation.hash = queryHash;
            },
            async didResolveOperation({ operationName }) {
              observation.operation = operationName ?? undefined;
              if (operationName && observation.span?.isRecording()) observation.span.setAttribute('graphql.operation.name', operationName);
            },
            async willSendResponse({ response }) {
              if (response.body.kind === 'single') noteErrors(observation, response.body.singleResult.errors);
            },
          };
        },
      };
    },
  };
}
