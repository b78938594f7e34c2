import { trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATHWAY_QUERY } from '../../hub/sample.js';
import { showcaseLearners } from '../../hub/seed.js';
import { ConfigError } from '../../lib/config.js';
import { createLogger, quietLogger } from '../../lib/log.js';
import { hubTracer, startTracing, statementName, type Tracing } from '../../lib/tracing.js';
import { startTestHub, TEST_LEARNERS, type TestHub } from '../helpers/hub.js';
import { asLearner } from '../helpers/tokens.js';

/*
 * OpenTelemetry tracing (issue 17, point 3): off by default at no cost, and when on, one trace per client
 * request across the gateway, the members router and the members, exported over OTLP/HTTP to a real
 * receiver, without identities or tokens in any attribute. The hub runs in this process, so the test
 * starts tracing itself, as the entry points do; the OTel API's globals are this file's (a fork per file).
 */

/** A span as the OTLP/HTTP JSON encoding carries it (the fields the assertions read). */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  service: string;
}

const SERVER = 2;
const CLIENT = 3;

/** Ids arrive as hex in OTLP JSON (the specification); base64 (protobuf's JSON mapping) is read too. */
function hexId(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  return /^[0-9a-f]+$/i.test(value) && (value.length === 32 || value.length === 16) ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
}

function attributeValue(value: Record<string, unknown> | undefined): unknown {
  if (!value) return undefined;
  if ('arrayValue' in value) return ((value['arrayValue'] as { values?: Record<string, unknown>[] }).values ?? []).map(attributeValue);
  return Object.values(value)[0];
}

/** A small OTLP/HTTP receiver: POST /v1/traces with JSON bodies, every span kept. */
async function startReceiver(): Promise<{ url: string; spans: ExportedSpan[]; posts: () => number; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  let posts = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts += 1;
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).includes('json')) {
        response.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: { resource?: { attributes?: { key: string; value: Record<string, unknown> }[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
      };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributeValue(resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value) ?? '');
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            const attributes = Object.fromEntries(((span['attributes'] as { key: string; value: Record<string, unknown> }[] | undefined) ?? []).map((attribute) => [attribute.key, attributeValue(attribute.value)]));
            spans.push({
              traceId: hexId(span['traceId']),
              spanId: hexId(span['spanId']),
              parentSpanId: hexId(span['parentSpanId']) || undefined,
              name: String(span['name']),
              kind: Number(span['kind']),
              attributes,
              service,
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, posts: () => posts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let hub: TestHub;
let tracing: Tracing | undefined;
const lines: string[] = [];
const learner = showcaseLearners({ learners: TEST_LEARNERS }, 1)[0]!;

beforeAll(async () => {
  receiver = await startReceiver();
  // The cache off: the router asks the members every time, so the trace has member calls to show.
  hub = await startTestHub({ logger: createLogger({ name: 'hub', format: 'json', write: (line) => lines.push(line) }), catalogueCacheMs: 0 });
});
afterAll(async () => {
  await hub?.stop();
  await tracing?.stop();
  await receiver?.close();
});

describe('tracing', () => {
  it('registers nothing and exports nothing without an OTLP endpoint', async () => {
    const off = startTracing({ OTEL_SERVICE_NAME: 'eciu-hub' }, quietLogger());
    expect(off.enabled).toBe(false);
    expect(hubTracer()).toBeUndefined();
    // The API's proxy has no provider behind it: every span anyone starts is a no-op.
    expect(trace.getTracer('anyone').startSpan('x').isRecording()).toBe(false);
    const answer = await hub.query(PATHWAY_QUERY, { id: learner.id }, await asLearner(hub.hub, learner.id));
    expect(answer.status).toBe(200);
    await off.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.posts()).toBe(0);
  });

  it('refuses a malformed endpoint or sampler with one line naming the variable', () => {
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost 4318' }, quietLogger())).toThrow(ConfigError);
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }, quietLogger())).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_TRACES_SAMPLER: 'sometimes' }, quietLogger())).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, quietLogger())).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(hubTracer()).toBeUndefined();
  });

  it('names query spans by statement and table, never by values', () => {
    expect(statementName('select `l0`.* from `learner_account` as `l0` where `l0`.`id` = ?')).toBe('select learner_account');
    expect(statementName('insert into "achievement" ("id") values (\'eciu-123\')')).toBe('insert achievement');
    expect(statementName('update `offering` set `title` = ? where `id` = ?')).toBe('update offering');
    expect(statementName('begin')).toBe('begin');
  });

  it('traces a client request across the gateway, the members router and the members, without identities', async () => {
    tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`, OTEL_SERVICE_NAME: 'eciu-hub-test' }, quietLogger());
    expect(tracing.enabled).toBe(true);
    const clientTrace = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const headers = await asLearner(hub.hub, learner.id);
    const token = headers['authorization']!.replace(/^Bearer /, '');
    lines.splice(0, lines.length);
    // Its own text (a comment differs), so the gateway plans it afresh: the first test's plan is cached.
    const answer = await hub.query(`${PATHWAY_QUERY}\n# traced`, { id: learner.id }, { ...headers, traceparent: `00-${clientTrace}-${clientSpan}-01` });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    // A second request, in a trace of its own: issuance reading its sources (the achievement at the members).
    const issueTrace = randomBytes(16).toString('hex');
    const achievementId = (answer.body.data?.['learner'] as { achievements: { id: string }[] }).achievements[0]?.id;
    const issued = await hub.query('mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id } } }', { id: achievementId }, { ...headers, traceparent: `00-${issueTrace}-${randomBytes(8).toString('hex')}-01` });
    expect(issued.status).toBe(200);
    // Flushes the batch processor: every span of the request is at the receiver once it resolves.
    await tracing.stop();

    // Issuance's reads of its sources are CLIENT spans below its server span, and the router serves each as their child.
    const issueSpans = receiver.spans.filter((span) => span.traceId === issueTrace);
    const issuance = issueSpans.find((span) => span.kind === SERVER && span.attributes['hub.service'] === 'issuance');
    expect(issuance).toBeDefined();
    const sourceCalls = issueSpans.filter((span) => span.kind === CLIENT && span.parentSpanId !== undefined && issueSpans.some((other) => other.spanId === span.parentSpanId && (other.spanId === issuance!.spanId || other.parentSpanId === issuance!.spanId)));
    expect(sourceCalls.length).toBeGreaterThan(0);
    const servedForIssuance = issueSpans.filter((span) => span.kind === SERVER && span.attributes['hub.service'] === 'members' && sourceCalls.some((call) => call.spanId === span.parentSpanId));
    expect(servedForIssuance.length).toBeGreaterThan(0);

    const spans = receiver.spans.filter((span) => span.traceId === clientTrace);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const ancestors = (span: ExportedSpan): string[] => {
      const chain: string[] = [];
      for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId) chain.push(parent);
      return chain;
    };
    expect(spans.every((span) => span.service === 'eciu-hub-test')).toBe(true);

    // The gateway's server span is the client's span's child, and the gateway's own spans are below it.
    const gateway = spans.find((span) => span.kind === SERVER && span.attributes['hub.service'] === 'gateway');
    expect(gateway).toBeDefined();
    expect(gateway!.parentSpanId).toBe(clientSpan);
    expect(gateway!.attributes).toMatchObject({ 'http.response.status_code': 200, 'graphql.operation.name': 'Pathway', 'hub.role': 'learner' });
    for (const name of ['gateway.request', 'gateway.plan', 'gateway.execute', 'gateway.fetch']) {
      const found = spans.filter((span) => span.name === name);
      expect(found.length, name).toBeGreaterThan(0);
      for (const span of found) expect(ancestors(span), name).toContain(gateway!.spanId);
    }
    // The log line and the trace name the same span.
    const gatewayLine = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line['message'] === 'request' && line['traceId'] === clientTrace && String(line['service']).includes('gateway'));
    expect(gatewayLine?.['spanId']).toBe(gateway!.spanId);

    // The members router serves within the same trace, below the gateway's request.
    const router = spans.filter((span) => span.kind === SERVER && span.attributes['hub.service'] === 'members');
    expect(router.length).toBeGreaterThan(0);
    for (const span of router) expect(ancestors(span)).toContain(gateway!.spanId);

    // Each router → member call is a CLIENT span naming the member, and the member's server span is its child.
    const memberCalls = spans.filter((span) => span.kind === CLIENT && typeof span.attributes['hub.member'] === 'string');
    expect(memberCalls.length).toBeGreaterThanOrEqual(learner.members.length);
    for (const call of memberCalls) {
      expect(call.attributes).toMatchObject({ 'hub.outcome': 'ok', 'hub.purpose': expect.any(String), 'hub.timeout_ms': expect.any(Number) });
      expect(ancestors(call).some((id) => router.some((span) => span.spanId === id))).toBe(true);
    }
    const memberServers = spans.filter((span) => span.kind === SERVER && String(span.attributes['hub.service']).startsWith('member '));
    expect(memberServers.length).toBeGreaterThan(0);
    for (const span of memberServers) expect(memberCalls.map((call) => call.spanId)).toContain(span.parentSpanId);
    for (const member of learner.members) expect(memberServers.map((span) => span.attributes['hub.service'])).toContain(`member ${member}`);

    // The databases' queries, each a span below a server span.
    const queries = spans.filter((span) => span.attributes['db.system.name'] !== undefined);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((span) => /^[a-z]+( [A-Za-z_][\w$]*)?$/.test(span.name))).toBe(true);

    // Neither the learner's id nor their token appears anywhere in what was exported.
    const exported = JSON.stringify(spans);
    expect(exported).not.toContain(learner.id);
    expect(exported).not.toContain(token);
  });
});
