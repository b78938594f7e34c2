import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEdgeSettings } from '../../gateway/edge-config.js';
import { PATHWAY_QUERY } from '../../hub/sample.js';
import { showcaseLearners } from '../../hub/seed.js';
import { ConfigError } from '../../lib/config.js';
import { createLogger, readLogOptions } from '../../lib/log.js';
import { createServiceMetrics } from '../../lib/metrics.js';
import { parseTraceparent } from '../../lib/observe.js';
import { startTestHub, TEST_LEARNERS, type TestHub } from '../helpers/hub.js';
import { asLearner } from '../helpers/tokens.js';

/*
 * What an operator sees of the hub at work (issue 17, points 1 and 2): one log
 * line per request at the gateway and at every service it calls, joined by the
 * request id and the W3C trace id; Prometheus metrics on every service; and
 * neither leaking the caller's token or the query's variables.
 */

interface Line {
  level: string;
  service: string;
  message: string;
  requestId?: string;
  traceId?: string;
  operation?: string;
  hash?: string;
  role?: string;
  status?: number;
  ms?: number;
  path?: string;
  calls?: { target: string; ms: number; ok: boolean }[];
  errors?: string[];
}

const lines: string[] = [];
const requestLines = (): Line[] => lines.map((line) => JSON.parse(line) as Line).filter((line) => line.message === 'request');
const METRICS_TOKEN = 'a-metrics-secret-of-32-characters';

let hub: TestHub;
let guarded: TestHub;
const learner = showcaseLearners({ learners: TEST_LEARNERS }, 1)[0]!;

beforeAll(async () => {
  const logger = createLogger({ name: 'hub', format: 'json', write: (line) => lines.push(line) });
  // The cache off: the members router asks the members every time, so every request has member calls to show.
  hub = await startTestHub({ logger, catalogueCacheMs: 0 });
  // A second gateway as production runs it: /metrics only with the token.
  guarded = await startTestHub({}, { production: true, metricsAccess: { kind: 'token', token: METRICS_TOKEN } });
});
afterAll(async () => {
  await hub?.stop();
  await guarded?.stop();
});

async function metricsOf(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(new URL('/metrics', url), { headers });
  return { status: response.status, text: await response.text() };
}

/** The value of one series in a Prometheus text exposition (labels in any order), or undefined. */
function series(text: string, name: string, labels: Record<string, string | RegExp>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => (typeof value === 'string' ? found[key] === value : value.test(found[key] ?? '')))) return Number(match[3]);
  }
  return undefined;
}

/** Waits for log lines written when a response finished (the line follows the answer by a tick). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('one log line per request, joined across services', () => {
  it('the gateway, the members router and each member called log the same request id and trace id', async () => {
    lines.length = 0;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const headers = { ...(await asLearner(hub.hub, learner.id)), traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'portal-req-42' };
    const { status, body } = await hub.query(PATHWAY_QUERY, { id: learner.id }, headers);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    await settle();
    const mine = requestLines().filter((line) => line.traceId === traceId);
    const gateway = mine.find((line) => line.service === 'hub/gateway');
    expect(gateway).toMatchObject({ requestId: 'portal-req-42', operation: 'Pathway', role: 'learner', status: 200, path: '/graphql' });
    // The hash is the query text's SHA-256: what a safelist lists and what the portal can look up.
    expect(gateway?.hash).toBe(createHash('sha256').update(PATHWAY_QUERY).digest('hex'));
    // Per-subgraph timings: the gateway called the members router, learners and ESCO for this query.
    expect(new Set(gateway?.calls?.map((call) => call.target))).toEqual(new Set(['learners', 'members', 'esco']));
    expect(gateway?.calls?.every((call) => call.ok && call.ms >= 0)).toBe(true);
    const router = mine.filter((line) => line.service === 'hub/members');
    expect(router.length).toBeGreaterThan(0);
    expect(router.every((line) => line.requestId === 'portal-req-42')).toBe(true);
    // The router's lines name the members it asked, and each of those members logged the request too.
    const asked = new Set(router.flatMap((line) => line.calls ?? []).map((call) => call.target.replace(/^member:/, '')));
    expect(asked.size).toBeGreaterThanOrEqual(3);
    // Each member's logger is the hub's child named by its id.
    const answered = new Set(mine.map((line) => line.service.replace(/^hub\//, '')));
    expect([...asked].filter((member) => !answered.has(member))).toEqual([]);
    expect(mine.find((line) => line.service === 'hub/esco')).toMatchObject({ requestId: 'portal-req-42', status: 200 });
  });

  it('never writes the token, the variables or the learner into a line', async () => {
    lines.length = 0;
    const headers = await asLearner(hub.hub, learner.id);
    await hub.query(PATHWAY_QUERY, { id: learner.id }, headers);
    await settle();
    const text = lines.join('\n');
    const token = (headers['authorization'] ?? '').replace('Bearer ', '');
    expect(token.length).toBeGreaterThan(20);
    expect(text).not.toContain(token);
    expect(text).not.toContain(learner.id);
    expect(text).not.toContain('achievements {');
  });

  it('answers with the request id it logged, and replaces one that is not well-formed', async () => {
    const given = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const bad = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad id\twith "quotes"' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs a refused request with its status and code, and counts it by reason', async () => {
    lines.length = 0;
    const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'broken-body' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    await settle();
    expect(requestLines().find((line) => line.requestId === 'broken-body')).toMatchObject({ service: 'hub/gateway', status: 400, errors: ['BAD_REQUEST'], role: 'anonymous' });
    const { text } = await metricsOf(hub.gatewayUrl);
    expect(series(text, 'hub_refused_requests_total', { service: 'gateway', reason: 'BAD_REQUEST' })).toBeGreaterThan(0);
  });

  it('starts a new trace for a traceparent that is not valid W3C trace context', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '01' });
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
    expect(parseTraceparent(undefined)).toBeUndefined();
  });
});

describe('Prometheus metrics on every service', () => {
  it('the gateway: requests per operation, calls per subgraph, the event loop', async () => {
    await hub.query(PATHWAY_QUERY, { id: learner.id }, await asLearner(hub.hub, learner.id));
    const { status, text } = await metricsOf(hub.gatewayUrl);
    expect(status).toBe(200);
    expect(series(text, 'hub_graphql_request_duration_seconds_count', { service: 'gateway', operation: 'Pathway', outcome: 'ok' })).toBeGreaterThan(0);
    expect(series(text, 'hub_upstream_request_duration_seconds_count', { service: 'gateway', target: 'members', outcome: 'ok' })).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(series(text, 'hub_http_requests_total', { service: 'gateway', route: '/graphql', status: '200' })).toBeGreaterThan(0);
  });

  it('the members router: calls per member and the catalogue cache', async () => {
    const { text } = await metricsOf(hub.hub.urls.members);
    expect(series(text, 'hub_upstream_request_duration_seconds_count', { service: 'members', target: /^member:[a-z.-]+$/, outcome: 'ok' })).toBeGreaterThan(0);
    // The second hub keeps the public catalogue (the default): the same search twice is answered the second time from it.
    for (let i = 0; i < 2; i += 1) expect((await guarded.query('{ institutions { id name } }')).status).toBe(200);
    const kept = (await metricsOf(guarded.hub.urls.members)).text;
    expect(series(kept, 'hub_cache_lookups_total', { service: 'members', cache: 'catalogue', result: 'miss' })).toBeGreaterThan(0);
    expect(series(kept, 'hub_cache_lookups_total', { service: 'members', cache: 'catalogue', result: 'hit' })).toBeGreaterThan(0);
  });

  it('a service with a database reports its pool', async () => {
    const { text } = await metricsOf(hub.hub.urls.learners);
    expect(series(text, 'hub_db_pool_connections', { service: 'learners', database: 'learners', state: 'free' })).toBeGreaterThanOrEqual(0);
  });

  it('keeps the operation label bounded: names clients invent share "other" past 200', () => {
    const metrics = createServiceMetrics('test', { processMetrics: false });
    const labels = new Set(Array.from({ length: 300 }, (_, i) => metrics.operationLabel(`Op${i}`)));
    expect(labels.size).toBe(201);
    expect(labels.has('other')).toBe(true);
    expect(metrics.operationLabel('Op1')).toBe('Op1');
    expect(metrics.operationLabel('not a name')).toBe('other');
    expect(metrics.operationLabel(undefined)).toBe('anonymous');
  });
});

describe('who may read /metrics at the gateway', () => {
  it('in production only with METRICS_TOKEN as a bearer token', async () => {
    expect((await metricsOf(guarded.gatewayUrl)).status).toBe(401);
    expect((await metricsOf(guarded.gatewayUrl, { authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    const allowed = await metricsOf(guarded.gatewayUrl, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('hub_http_requests_total');
  });

  it('in production without a token it is not served; a short token is a configuration error', () => {
    expect(readEdgeSettings({ NODE_ENV: 'production' }).metricsAccess).toEqual({ kind: 'off' });
    expect(readEdgeSettings({}).metricsAccess).toEqual({ kind: 'open' });
    expect(readEdgeSettings({ METRICS_TOKEN }).metricsAccess).toEqual({ kind: 'token', token: METRICS_TOKEN });
    expect(() => readEdgeSettings({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
  });
});

describe('log configuration', () => {
  it('reads LOG_FORMAT and LOG_LEVEL and refuses a typo', () => {
    expect(readLogOptions({})).toEqual({ format: 'text', level: 'info' });
    expect(readLogOptions({ LOG_FORMAT: 'json', LOG_LEVEL: 'WARN' })).toEqual({ format: 'json', level: 'warn' });
    // JSON by default in production, text elsewhere; LOG_FORMAT wins either way.
    expect(readLogOptions({ NODE_ENV: 'production' }).format).toBe('json');
    expect(readLogOptions({ NODE_ENV: 'production', LOG_FORMAT: 'text' }).format).toBe('text');
    expect(readLogOptions({}).format).toBe('text');
    expect(() => readLogOptions({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of debug, info, warn, error/);
    expect(() => readLogOptions({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be text or json/);
  });

  it('at warn, request lines are not written; probes only at debug', async () => {
    const written: string[] = [];
    const warn = createLogger({ name: 'x', format: 'json', level: 'warn', write: (line) => written.push(line) });
    warn.info('request', { status: 200 });
    warn.warn('member call failed');
    expect(written).toHaveLength(1);
    lines.length = 0;
    await fetch(new URL('/healthz', hub.gatewayUrl));
    await settle();
    expect(requestLines().filter((line) => line.path === '/healthz')).toHaveLength(0);
  });
});
