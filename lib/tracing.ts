import { context, propagation, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ConfigError, type Env } from './config.js';
import type { Logger } from './log.js';

/*
 * OpenTelemetry tracing with the official SDK, exported over OTLP/HTTP (JSON) when
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, and off otherwise.
 *
 * Off costs nothing per request: no provider is registered, so `hubTracer()` answers undefined after one
 * look at the OTel API's global, and the callers (lib/observe.ts, the call helpers, the ORM's query hook)
 * skip their spans and the attributes they would carry. @apollo/gateway's own spans (gateway.request,
 * plan, execute, fetch) go through the same global API and are no-ops then too.
 *
 * On, the provider, the AsyncLocalStorage context manager and the W3C propagator are registered globally:
 * that is how the OTel API finds them (the gateway's spans included); nothing else here keeps state.
 */

/** The tracer name of the hub's own spans (the gateway's are "apollo/gateway-js"). */
export const TRACER_NAME = 'eciu-hub';
export const DEFAULT_SERVICE_NAME = 'eciu-hub';

export interface Tracing {
  /** Whether spans are exported (false: nothing was registered). */
  enabled: boolean;
  /** Exports what is buffered and unregisters the provider. */
  stop(): Promise<void>;
}

export interface TracingSettings {
  /** Where spans are POSTed (…/v1/traces). */
  url: string;
  serviceName: string;
  sampler: Sampler;
}

/** The help text lines for the variables read here (every entry point lists them). */
export const TRACING_HELP = `  OTEL_EXPORTER_OTLP_ENDPOINT  OTLP/HTTP collector base URL (spans go to <url>/v1/traces),
                    e.g. http://localhost:4318; unset: no tracing, at no cost
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  the full traces URL instead (wins over the above)
  OTEL_SERVICE_NAME service.name of the spans               default ${DEFAULT_SERVICE_NAME}
  OTEL_TRACES_SAMPLER  parentbased_always_on (default), parentbased_traceidratio,
                    traceidratio, always_on, always_off, parentbased_always_off
  OTEL_TRACES_SAMPLER_ARG  the ratio of the *traceidratio samplers, 0 to 1   default 1
`;

function readUrl(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL such as http://localhost:4318; got "${value}".`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new ConfigError(`${name} must be an http(s) URL such as http://localhost:4318; got "${value}".`);
  return value;
}

function readSampler(env: Env): Sampler {
  const name = env['OTEL_TRACES_SAMPLER']?.trim().toLowerCase() || 'parentbased_always_on';
  const rawRatio = env['OTEL_TRACES_SAMPLER_ARG']?.trim();
  const ratio = rawRatio ? Number(rawRatio) : 1;
  if (name.endsWith('traceidratio') && !(Number.isFinite(ratio) && ratio >= 0 && ratio <= 1)) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1; got "${rawRatio}".`);
  }
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    default:
      throw new ConfigError(
        `OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; got "${name}".`,
      );
  }
}

/** The tracing configuration, checked (a ConfigError names the variable); undefined: tracing is off. */
export function readTracingSettings(env: Env): TracingSettings | undefined {
  const traces = readUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = readUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!traces && !base) return undefined;
  // As the OTLP specification says: the signal's own variable is used as is, the base one gets /v1/traces.
  const url = traces ?? `${(base as string).replace(/\/+$/, '')}/v1/traces`;
  return { url, serviceName: env['OTEL_SERVICE_NAME']?.trim() || DEFAULT_SERVICE_NAME, sampler: readSampler(env) };
}

/**
 * Starts tracing if the environment asks for it (call before any service starts; stop after they stopped,
 * so their last spans are exported). Without an endpoint it registers nothing and its stop does nothing.
 */
export function startTracing(env: Env, logger: Logger): Tracing {
  const settings = readTracingSettings(env);
  if (!settings) return { enabled: false, stop: async () => undefined };
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.url }));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    sampler: settings.sampler,
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  // Each returns false when something else registered first (a second start in one process): then that one wins.
  if (!trace.setGlobalTracerProvider(provider)) logger.warn('a tracer provider was already registered; the hub uses it');
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  logger.info('tracing on', { exporter: new URL(settings.url).origin, service: settings.serviceName });
  let stopped = false;
  return {
    enabled: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      // Flushes the batch processor and shuts the exporter down; a collector that is gone costs a log line, not the stop.
      await provider.shutdown().catch((error: unknown) => logger.warn('tracing: spans could not be exported at stop', { error: error as Error }));
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * The hub's tracer when tracing is on, else undefined — the one check every span site makes first. Asks
 * the global proxy for its delegate's tracer: without a registered provider that is undefined, and
 * nothing is allocated.
 */
export function hubTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(TRACER_NAME) : provider.getTracer(TRACER_NAME);
}

/**
 * A CLIENT span for one call to another service, a child of the active span, with the `traceparent` that
 * makes the callee's server span its child. Undefined when tracing is off (the caller then sends what it
 * sent before).
 */
export function startClientSpan(name: string, attributes: Record<string, string | number | boolean>): { span: Span; traceparent: string } | undefined {
  const tracer = hubTracer();
  if (!tracer) return undefined;
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, context.active());
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { span, traceparent: `00-${traceId}-${spanId}-${(traceFlags & 1) === 1 ? '01' : '00'}` };
}

/** The context a remote parent (a parsed `traceparent`) gives, for a server span. */
export function remoteParent(parent: { traceId: string; parentId: string; flags: string } | undefined): Context {
  if (!parent) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.parentId, traceFlags: Number.parseInt(parent.flags, 16) & 1, isRemote: true });
}

/**
 * A span's name for a SQL statement: its first keyword and first table ("select learner_account"), so a
 * trace shows what was read without the statement's values (literals and parameters never appear).
 */
export function statementName(sql: string): string {
  const keyword = /^\s*\(?\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase() ?? 'query';
  const table = /\b(?:from|into|update|join)\s+[`"[]?([A-Za-z_][\w$]*)/i.exec(sql)?.[1];
  return table ? `${keyword} ${table}` : keyword;
}

/**
 * One span for a database query that has just ended (MikroORM reports a query once it is done, with how
 * long it took): it starts `tookMs` ago and ends now, a child of the active span.
 */
export function recordQuerySpan(tracer: Tracer, sql: string, tookMs: number, system: string, failed: boolean): void {
  const end = Date.now();
  const name = statementName(sql);
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: end - tookMs, attributes: { 'db.system.name': system, 'db.operation.name': name.split(' ')[0] ?? name } }, context.active());
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}
