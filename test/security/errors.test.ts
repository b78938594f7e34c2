import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { learnerId } from '../../hub/demo.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { createLogger } from '../../lib/log.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';

/*
 * Every error code the README and docs/security.md list answers with its
 * documented HTTP status, and a client's mistake leaves at most one line,
 * without a stack trace, in the log (a probe sending bad requests must not
 * be able to flood it).
 */

let hub: RunningHub;
let dataDir: string;
const log: string[] = [];

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
}

async function send(init: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const base = new URL(hub.gatewayUrl);
  const response = await fetch(new URL(init.path ?? base.pathname, base), {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

const graphql = (query: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  send({ body: JSON.stringify({ query, ...extra }), headers });

const nest = (levels: number) => {
  let inner = 'id';
  for (let level = 0; level < levels; level += 1) inner = `offerings(first: 1) { nodes { institution { ${inner} } } }`;
  return `{ ${inner} }`;
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hub-errors-'));
  hub = await startHub({
    logger: createLogger({ name: 'hub', write: (line) => log.push(line) }),
    dataDir,
    learners: 10,
    registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
  });
});
afterAll(async () => {
  await hub?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

type Scenario = [name: string, status: number, code: string, request: () => Promise<Answer>, message?: RegExp];

const scenarios: Scenario[] = [
  ['a syntax error', 400, 'GRAPHQL_PARSE_FAILED', () => graphql('{ offerings(first: 2) { nodes { id }'), /^Syntax Error: Expected Name, found <EOF>\.$/],
  ['an over-long query (token limit)', 400, 'GRAPHQL_PARSE_FAILED', () => graphql(`{ offerings { ${'totalCount '.repeat(3_000)} } }`), /^The query has more than 2,000 tokens \(limit 2,000\)/],
  ['an unknown field', 400, 'GRAPHQL_VALIDATION_FAILED', () => graphql('{ offerings { nope } }'), /Cannot query field "nope"/],
  ['a depth bomb', 400, 'GRAPHQL_VALIDATION_FAILED', () => graphql(nest(4)), /^The query's depth is 13 \(limit 8\)/],
  ['an alias bomb', 400, 'GRAPHQL_VALIDATION_FAILED', () => graphql(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: __typename`).join(' ')} }`), /^The query uses 20 aliases \(limit 15\)/],
  ['a directive bomb', 400, 'GRAPHQL_VALIDATION_FAILED', () => graphql(`{ ${'__typename @include(if: true) '.repeat(60)} }`), /^The query uses 60 directives \(limit 50\)/],
  ['an operationName naming no operation', 400, 'OPERATION_RESOLUTION_FAILURE', () => graphql('query A { __typename }', { operationName: 'B' }), /^Unknown operation named "B"\.$/],
  ['two operations and no operationName', 400, 'OPERATION_RESOLUTION_FAILURE', () => graphql('query A { __typename } query B { __typename }'), /Must provide operation name/],
  [
    'an operationName that is not a GraphQL name (not echoed)',
    400,
    'OPERATION_RESOLUTION_FAILURE',
    () => graphql('query A { __typename }', { operationName: '<script>alert(1)</script>' }),
    /^The document has no operation of the name given/,
  ],
  [
    'a result too large (100 × 100 pages with their outcomes)',
    400,
    'QUERY_TOO_LARGE',
    () => graphql('{ offerings(first: 100) { nodes { institution { offerings(first: 100) { nodes { learningOutcomes { description } } } } } } }'),
    /^This query could return up to 110,301 objects \(limit 20,000\)/,
  ],
  ['a variable of the wrong type', 400, 'BAD_USER_INPUT', () => graphql('query ($n: Int) { offerings(first: $n) { totalCount } }', { variables: { n: 'ten' } }), /Int cannot represent/],
  ['a body that is not JSON', 400, 'BAD_REQUEST', () => send({ body: '{"query": ' }), /not valid JSON/],
  ['a body without a query', 400, 'BAD_REQUEST', () => send({ body: '{}' })],
  ['a body over 1 MB', 413, 'PAYLOAD_TOO_LARGE', () => graphql(`{ __typename } # ${'x'.repeat(1_100_000)}`)],
  ['a mutation sent by GET', 405, 'BAD_REQUEST', () => send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { __typename }')}`, headers: { 'apollo-require-preflight': '1' } })],
  ['a GET a browser could send cross-site (CSRF prevention)', 400, 'BAD_REQUEST', () => send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}`, headers: { 'content-type': 'text/plain' } })],
  ['a refused access token', 401, 'UNAUTHENTICATED', () => graphql('{ __typename }', {}, { authorization: 'Bearer not.a.token' }), /not a well-formed signed JWT/],
  ['an anonymous read of protected data', 401, 'UNAUTHENTICATED', () => graphql(`{ learner(id: "${learnerId(0)}") { id } }`)],
];

describe('documented error codes', () => {
  it.each(scenarios)('answers %s with HTTP %i and %s', async (_name, status, code, request, message) => {
    const answer = await request();
    expect(answer.status).toBe(status);
    expect(answer.body?.errors?.[0]?.extensions?.['code']).toBe(code);
    if (message) expect(answer.body?.errors?.[0]?.message).toMatch(message);
    expect(answer.text).not.toMatch(/Syntax Error: (Query|Token|Aliases)|\bat .*\.(ts|js):\d+|node_modules/);
  });

  it('answers a learner reading another learner with 200 and FORBIDDEN', async () => {
    const token = await hub.idp.issue({ role: 'learner', learnerId: learnerId(1) });
    const answer = await graphql(`{ learner(id: "${learnerId(0)}") { id } }`, {}, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.body?.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('admits offerings(first: 100) with modest fields: `first` may be 100', async () => {
    const answer = await graphql('{ offerings(first: 100) { totalCount nodes { id title ects eqfLevel institution { id name } learningOutcomes { description } } } }');
    expect(answer.status).toBe(200);
    expect(answer.body?.errors).toBeUndefined();
  });

  it('answers a page over 100 with BAD_USER_INPUT naming the argument', async () => {
    const answer = await graphql('{ offerings(first: 101) { totalCount } }');
    expect(answer.body?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('logs a client mistake in one line, never with a stack trace', async () => {
    log.splice(0);
    for (let i = 0; i < 5; i += 1) await graphql('query A { __typename }', { operationName: 'B' });
    await graphql('{ offerings(first: 2) { nodes { id }');
    await graphql(nest(4));
    const lines = log.filter((line) => line.includes('[hub/gateway]'));
    expect(lines.length).toBeLessThanOrEqual(7);
    for (const line of lines) {
      expect(line).not.toMatch(/\n|\\n\s*at |stack/);
      expect(line).not.toMatch(/ERROR/);
    }
    expect(lines.join('\n')).toContain('OPERATION_RESOLUTION_FAILURE');
  });
});
