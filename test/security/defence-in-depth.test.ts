import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { ANONYMOUS } from '../../lib/auth.js';
import { quietLogger } from '../../lib/log.js';
import { SUBGRAPH_QUERY_LIMITS } from '../../lib/query-limits.js';
import { estimateResultSize } from '../../lib/result-size.js';
import { buildEscoSchema } from '../../subgraphs/esco/schema.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';

/*
 * Defence in depth (issue 10, fix 8): every subgraph enforces the query
 * limits itself, so a deployer who puts another gateway in front of the
 * subgraphs (or an attacker holding a hub token) cannot send what the hub's
 * gateway would refuse. The calls below go straight to the subgraphs with a
 * valid hub token, as a foreign gateway would.
 */

let hub: RunningHub;

beforeAll(async () => {
  hub = await startHub({
    logger: quietLogger(),
    dataDir: mkdtempSync(join(tmpdir(), 'defence-in-depth-')),
    learners: 5,
    registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
  });
});
afterAll(async () => {
  await hub?.stop();
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function direct(service: 'esco' | 'members', body: Record<string, unknown>): Promise<Answer> {
  const token = await hub.hubSigner.sign(ANONYMOUS, service);
  const response = await fetch(hub.urls[service], {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const nest = (field: string, levels: number, leaf: string): string => (levels === 0 ? leaf : `${field} { ${nest(field, levels - 1, leaf)} }`);

/** offerings → nodes → institution, `rounds` times, then `leaf` inside the last institution. */
const offeringChain = (rounds: number, leaf: string): string => (rounds === 0 ? leaf : `offerings(first: 1) { nodes { institution { ${offeringChain(rounds - 1, leaf)} } } }`);

describe('a subgraph called directly refuses what the gateway would refuse', () => {
  it('refuses a document nested deeper than the subgraph limit, naming depth and limit', async () => {
    const uri = 'http://data.europa.eu/esco/skill/538f8bc6-a5bf-422b-8112-5ad3fe9de9a0';
    const answer = await direct('esco', { query: `{ skill(uri: "${uri}") { ${nest('broaderSkills', 10, 'uri')} } }` });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors?.[0]).toMatchObject({
      message: `The query's depth is 12 (limit ${SUBGRAPH_QUERY_LIMITS.maxDepth}): nest fields less deeply.`,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('answers a query plan at the depth limit and refuses one level more', async () => {
    // offerings(1) nodes(2) institution(3) … institution(9) id(10)
    const atLimit = await direct('members', { query: `{ ${offeringChain(3, 'id')} }` });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.errors).toBeUndefined();
    expect(JSON.stringify(atLimit.body.data)).toContain('tuni.fi');
    const over = await direct('members', { query: `{ ${offeringChain(3, 'offerings { totalCount }')} }` });
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.message).toBe(`The query's depth is 11 (limit ${SUBGRAPH_QUERY_LIMITS.maxDepth}): nest fields less deeply.`);
  });

  it('refuses an ESCO cost bomb before any resolver runs', async () => {
    const answer = await direct('esco', { query: '{ skills(first: 100) { nodes { broaderSkills { narrowerSkills { relatedSkills { skill { uri } } } } } } }' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_LARGE');
    expect(answer.body.errors?.[0]?.message).toMatch(/^This query could return up to [\d,]+ objects \(limit 40,000\): ask for smaller pages with `first`\.$/);
  });

  it('refuses a 100 × 100 × 100 offerings bomb sent through variables', async () => {
    const query = 'query ($n: Int) { offerings(first: $n) { nodes { institution { offerings(first: $n) { nodes { institution { offerings(first: $n) { nodes { id } } } } } } } } }';
    const answer = await direct('members', { query, variables: { n: 100 } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_LARGE');
    // The same document with small pages is an ordinary query.
    const small = await direct('members', { query, variables: { n: 2 } });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
  });

  it('refuses more aliases than the limit and answers the limit itself', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const atLimit = await direct('esco', { query: aliases(SUBGRAPH_QUERY_LIMITS.maxAliases) });
    expect(atLimit.status).toBe(200);
    const over = await direct('esco', { query: aliases(SUBGRAPH_QUERY_LIMITS.maxAliases + 1) });
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.message).toBe(`The query uses ${SUBGRAPH_QUERY_LIMITS.maxAliases + 1} aliases (limit ${SUBGRAPH_QUERY_LIMITS.maxAliases}): ask for fewer fields under other names.`);
  });

  it('stops parsing a document over the token limit: 400 GRAPHQL_PARSE_FAILED', async () => {
    const answer = await direct('members', { query: `{ ${'__typename '.repeat(SUBGRAPH_QUERY_LIMITS.maxTokens + 1_000)}}` });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(answer.body.errors?.[0]?.message).toMatch(/tokens/);
  });

  it('answers an operationName naming no operation with 400, not 500', async () => {
    const answer = await direct('esco', { query: 'query A { __typename } query B { __typename }', operationName: 'C' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]).toMatchObject({ message: 'Unknown operation named "C".' });
  });
});

describe('the cost of an entity batch', () => {
  it('counts one object per representation, not a list of ten', async () => {
    const schema = await buildEscoSchema();
    const document = parse('query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Skill { uri broaderSkills { uri } } } }');
    const representations = Array.from({ length: 300 }, (_, i) => ({ __typename: 'Skill', uri: `http://data.europa.eu/esco/skill/${i}` }));
    // 300 entities, each with up to 10 broader skills: 300 × (1 + 10).
    expect(estimateResultSize(schema, document, { variables: { representations } })).toBe(300 * 11);
    // Without the variables (a validation-time guess) a batch counts as the largest page.
    expect(estimateResultSize(schema, document)).toBe(100 * 11);
  });
});
