import { buildSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { PATHWAY_QUERY } from '../../hub/sample.js';
import { DEFAULT_MAX_RESULT_ITEMS, estimateResultSize, queryTooLarge } from '../../lib/result-size.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';

/*
 * The pagination-aware result size limit: page sizes multiply through
 * nesting, `first: $n` is read from the request's variables, and a query
 * over the limit is refused with QUERY_TOO_LARGE before any subgraph is asked.
 */

const SCHEMA = buildSchema(/* GraphQL */ `
  interface Node { id: ID! }
  type Outcome { description: String }
  type Institution implements Node { id: ID! name: String offerings(first: Int = 20, after: String): OfferingConnection! }
  type Offering implements Node { id: ID! title: String tags: [String!]! institution: Institution! learningOutcomes: [Outcome!]! }
  type OfferingEdge { cursor: String! node: Offering! }
  type PageInfo { hasNextPage: Boolean! }
  type OfferingConnection { totalCount: Int! nodes: [Offering!]! edges: [OfferingEdge!]! pageInfo: PageInfo! }
  union SearchResult = Offering | Institution
  type Query {
    offerings(first: Int = 20, after: String): OfferingConnection!
    institutions: [Institution!]!
    search(text: String!, first: Int): [SearchResult!]!
    node(id: ID!): Node
    grid: [[Outcome]]
  }
`);

const estimate = (query: string, input?: Parameters<typeof estimateResultSize>[2]) => estimateResultSize(SCHEMA, parse(query), input);

const BOMB = '{ offerings(first: 100) { nodes { institution { offerings(first: 100) { nodes { learningOutcomes { description } } } } } } }';
const NESTED = 'query Nested($first: Int!) { offerings(first: $first) { nodes { institution { offerings(first: $first) { nodes { learningOutcomes { description } } } } } } }';
/** Fans out through a list without `first` (institutions), which a field-count cost would count once. */
const FAN_OUT = '{ institutions { offerings(first: 100) { nodes { learningOutcomes { skill { uri } } } } } }';

describe('estimateResultSize', () => {
  it.each<[string, string, number]>([
    ['scalars only', '{ __typename }', 0],
    ['a page of a connection (connection + nodes)', '{ offerings(first: 5) { totalCount nodes { id title tags } } }', 6],
    ['the default page when `first` is omitted', '{ offerings { nodes { id } } }', 21],
    ['edges and pageInfo', '{ offerings(first: 10) { edges { cursor node { id } } pageInfo { hasNextPage } } }', 1 + 10 + 10 + 1],
    ['a list without `first`', '{ institutions { id } }', 10],
    ['a list of lists', '{ grid { description } }', 100],
    ['a paginated list', '{ search(text: "x", first: 7) { ... on Offering { institution { id } } ... on Institution { id } } }', 14],
    ['an interface with an inline fragment', '{ node(id: "x") { ... on Institution { offerings(first: 3) { nodes { id } } } } }', 1 + 1 + 3],
    ['named fragments', 'query { ...Q } fragment Q on Query { offerings(first: 5) { nodes { ...O } } } fragment O on Offering { institution { id } }', 1 + 5 + 5],
    ['a field selected twice under one key (counted once)', '{ offerings(first: 5) { nodes { id } nodes { title } } offerings(first: 5) { totalCount } }', 6],
    ['aliases (counted each)', '{ a: offerings(first: 5) { nodes { id } } b: offerings(first: 5) { nodes { id } } }', 12],
    ['nested pages, multiplied', BOMB, 1 + 100 + 100 + 100 + 10_000 + 100_000],
  ])('counts %s', (_name, query, expected) => {
    expect(estimate(query)).toBe(expected);
  });

  it('reads `first` from variables, their defaults, or the argument default', () => {
    const query = 'query ($n: Int) { offerings(first: $n) { nodes { id } } }';
    expect(estimate(query, { variables: { n: 3 } })).toBe(4);
    expect(estimate(query, { variables: {} })).toBe(21);
    expect(estimate(query, { variables: { n: null } })).toBe(21);
    expect(estimate('query ($n: Int = 7) { offerings(first: $n) { nodes { id } } }', { variables: {} })).toBe(8);
    expect(estimate(NESTED, { variables: { first: 5 } })).toBe(1 + 5 + 5 + 5 + 25 + 250);
  });

  it('assumes the largest page (100) when variable values are unknown or not a number', () => {
    const query = 'query ($n: Int) { offerings(first: $n) { nodes { id } } }';
    expect(estimate(query)).toBe(101);
    expect(estimate(query, { variables: { n: '5' } })).toBe(101);
  });

  it('estimates the operation the request names', () => {
    const document = 'query Small { institutions { id } } query Large { offerings(first: 100) { nodes { id } } }';
    expect(estimate(document, { operationName: 'Small' })).toBe(10);
    expect(estimate(document, { operationName: 'Large' })).toBe(101);
    expect(estimate(document, { operationName: 'Missing' })).toBe(0);
  });

  it('walks fragment-doubling documents quickly (each fragment once)', () => {
    // F<i> selects F<i-1> twice one level down: 2^40 paths, 4·(2^40 − 1) objects.
    const fragments = Array.from({ length: 40 }, (_, index) => {
      const i = index + 1;
      return `fragment F${i} on Offering { institution { offerings(first: 1) { x: nodes { ...F${i - 1} } y: nodes { ...F${i - 1} } } } }`;
    });
    const query = `{ offerings(first: 1) { nodes { ...F40 } } } fragment F0 on Offering { id } ${fragments.join(' ')}`;
    const started = performance.now();
    expect(estimate(query)).toBe(1 + 1 + 4 * (2 ** 40 - 1));
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('stops at a fragment cycle (a validation error) instead of recursing forever', () => {
    const cyclic = estimate('{ offerings(first: 2) { nodes { ...A } } } fragment A on Offering { institution { offerings(first: 2) { nodes { ...A } } } }');
    expect(cyclic).toBeGreaterThan(0);
    expect(Number.isFinite(cyclic)).toBe(true);
  });

  it('keeps the pathway query far below the default limit', () => {
    // The supergraph SDL declares every join__/link directive it uses, so graphql-js builds it as is.
    const supergraph = buildSchema(readSupergraph());
    const pathway = estimateResultSize(supergraph, parse(PATHWAY_QUERY), { variables: { id: 'x' } });
    expect(pathway).toBe(272);
    expect(pathway * 10).toBeLessThan(DEFAULT_MAX_RESULT_ITEMS);
    expect(estimateResultSize(supergraph, parse(BOMB))).toBeGreaterThan(DEFAULT_MAX_RESULT_ITEMS);
    expect(estimateResultSize(supergraph, parse(FAN_OUT))).toBe(10 + 10 + 1_000 + 10_000 + 10_000);
  });

  it('words the refusal for people', () => {
    const error = queryTooLarge(123_456, 20_000);
    expect(error.message).toBe('This query could return up to 123,456 objects (limit 20,000): ask for smaller pages with `first`.');
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_LARGE', http: { status: 400 } });
  });
});

describe('the gateway', () => {
  let hub: TestHub;
  const LEAK = /127\.0\.0\.1|localhost|:\d{4,5}\/|\bat .*\.(ts|js):\d+|node_modules|stacktrace/i;

  beforeAll(async () => {
    hub = await startTestHub(
      {
        learners: 5,
        registry: parseRegistry({
          members: ['tuni.fi', 'dcu.ie'].map((id) => ({ id, name: memberProfile(id)?.name, endpoint: 'http://127.0.0.1:0/graphql' })),
        }),
      },
      { maxResultItems: 50 },
    );
  });
  afterAll(async () => {
    await hub?.stop();
  });

  async function post(url: string, body: unknown) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as GraphQLBody };
  }

  it('refuses nested `first: 100` bombs before any member is asked', async () => {
    hub.resetRequests();
    const bombs: [unknown, number][] = [
      [{ query: NESTED, variables: { first: 100 } }, 110_301],
      [{ query: FAN_OUT }, 21_020],
    ];
    for (const [request, objects] of bombs) {
      const { status, body, text } = await post(hub.hub.gatewayUrl, request);
      expect(status).toBe(400);
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toEqual([
        {
          message: `This query could return up to ${objects.toLocaleString('en-US')} objects (limit 20,000): ask for smaller pages with \`first\`.`,
          extensions: { code: 'QUERY_TOO_LARGE' },
        },
      ]);
      expect(text).not.toMatch(LEAK);
    }
    // Literal pages count the same as variables: one cost model.
    const literal = await post(hub.hub.gatewayUrl, { query: BOMB });
    expect(literal.status).toBe(400);
    expect(literal.body.data ?? null).toBeNull();
    expect(literal.body.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_LARGE');
    expect(hub.requests).toEqual([]);
  });

  it('honours `first` given as a variable: small pages pass, big ones are refused', async () => {
    const small = await post(hub.hub.gatewayUrl, { query: NESTED, variables: { first: 5 } });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data?.['offerings'].nodes).toHaveLength(5);
    const big = await post(hub.hub.gatewayUrl, { query: NESTED, variables: { first: 100 } });
    expect(big.status).toBe(400);
    expect(big.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_LARGE' });
  });

  it('lets the pathway query through', async () => {
    // Sent anonymously: the learner part may be refused by access rules, but never for its size.
    const { body } = await post(hub.hub.gatewayUrl, { query: PATHWAY_QUERY, variables: { id: 'no-such-learner' } });
    expect(body.errors?.map((error) => error.extensions?.['code']) ?? []).not.toContain('QUERY_TOO_LARGE');
    expect(typeof body.data?.['offerings']?.totalCount).toBe('number');
  });

  it('applies a configured maxResultItems', async () => {
    const under = await post(hub.gatewayUrl, { query: '{ offerings(first: 40) { nodes { id } } }' });
    expect(under.status).toBe(200);
    expect(under.body.errors).toBeUndefined();
    const over = await post(hub.gatewayUrl, { query: '{ offerings(first: 60) { nodes { id } } }' });
    expect(over.status).toBe(400);
    expect(over.body.errors?.[0]?.message).toBe('This query could return up to 61 objects (limit 50): ask for smaller pages with `first`.');
  });
});
