import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { startGateway, subgraphEndpoints, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { localHubVerifier } from '../../lib/hub-token.js';
import { quietLogger } from '../../lib/log.js';
import { encodeCursor } from '../../lib/pagination.js';
import type { RunningServer } from '../../lib/server.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { MEMBER_CONTRACT_PATH } from '../../subgraphs/members/schema.js';
import { startMemberRouter } from '../../subgraphs/members/server.js';
import type { GraphQLBody } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';

/*
 * Review findings: each test shows one defect and fails until it is fixed.
 *
 * Two set-ups: a small hub (three real members, ESCO, learners, router,
 * gateway), and a second router + gateway whose registry holds the real
 * tuni.fi and a throwaway HTTP server standing in for dcu.ie (a member that
 * misbehaves in a chosen way). Misbehaving central subgraphs are throwaway
 * servers too.
 */

const MEMBERS = ['tuni.fi', 'dcu.ie', 'utwente.nl'];

type Handler = (body: { query?: string; variables?: Record<string, unknown> }, response: ServerResponse) => void | Promise<void>;

interface FakeServer {
  url: string;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

/** A throwaway HTTP server on a free port that answers every POST with `handler`. */
async function startFake(handler: () => Handler): Promise<FakeServer> {
  const server = createServer((request, response) => {
    void readBody(request).then((text) => handler()(JSON.parse(text || '{}'), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A member that executes `resolvers` over the member contract (optionally edited, e.g. a newer minor version). */
function contractMember(resolvers: Record<string, Record<string, unknown>>, edit: (contract: string) => string = (text) => text): Handler {
  const schema = buildSubgraphSchema({ typeDefs: parse(edit(readFileSync(MEMBER_CONTRACT_PATH, 'utf8'))), resolvers: resolvers as never });
  return async (body, response) => {
    const result = await execute({ schema, document: parse(body.query ?? ''), variableValues: body.variables ?? {} });
    json(response, 200, result);
  };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLBody> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphQLBody;
}

const memberOf = (id: string) => id.slice(0, id.indexOf(':'));

let hub: RunningHub;
let dcu: FakeServer;
let dcuHandler: Handler = (_body, response) => json(response, 500, {});
let mixedRouter: RunningServer;
let mixedGateway: RunningGateway;

beforeAll(async () => {
  const registry = parseRegistry({
    members: MEMBERS.map((id) => ({ id, name: memberProfile(id)?.name, endpoint: 'http://127.0.0.1:0/graphql', timeoutMs: 1_000 })),
  });
  hub = await startHub({ logger: quietLogger(), dataDir: mkdtempSync(join(tmpdir(), 'hub-review-')), learners: 30, registry });

  dcu = await startFake(() => dcuHandler);
  mixedRouter = await startMemberRouter({
    registry: parseRegistry({
      members: [
        { id: 'tuni.fi', name: 'Tampere University', endpoint: hub.members.get('tuni.fi')?.url, timeoutMs: 1_000 },
        { id: 'dcu.ie', name: 'Dublin City University', endpoint: dcu.url, timeoutMs: 1_000 },
      ],
    }),
    logger: quietLogger(),
    hubAuth: localHubVerifier(hub.hubSigner.jwks),
    signer: hub.hubSigner,
  });
  const supergraphSdl = readSupergraph();
  mixedGateway = await startGateway({
    supergraphSdl,
    subgraphs: subgraphEndpoints(supergraphSdl, { members: mixedRouter.url, esco: hub.urls.esco, learners: hub.urls.learners }, { defaultMs: 5_000 }),
    logger: quietLogger(),
    auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
  });
});
afterAll(async () => {
  await mixedGateway?.stop();
  await mixedRouter?.stop();
  await dcu?.close();
  await hub?.stop();
});

describe('fan-out connections', () => {
  it('honour @include/@skip on nodes and edges (the merge must not read a key the members never returned)', async () => {
    const offerings = await post(
      hub.gatewayUrl,
      `query ($withNodes: Boolean!) { offerings(first: 3) { totalCount nodes @include(if: $withNodes) { id } } }`,
      { withNodes: false },
    );
    expect(offerings.errors).toBeUndefined();
    expect(offerings.data?.['offerings']?.totalCount).toBeGreaterThan(0);
    expect(offerings.data?.['offerings']).not.toHaveProperty('nodes');

    const accounts = await post(
      hub.gatewayUrl,
      `query ($bare: Boolean!) { learnerAccounts(first: 3) { totalCount edges @skip(if: $bare) { cursor } pageInfo { hasNextPage } } }`,
      { bare: true },
      // A member's staff see the member's accounts.
      await bearer(hub, { role: 'member-staff', memberId: 'tuni.fi' }),
    );
    expect(accounts.errors).toBeUndefined();
    expect(accounts.data?.['learnerAccounts']?.pageInfo.hasNextPage).toBe(true);
  });

  it('report a cursor of another order as the client’s BAD_USER_INPUT on "after", not as a member’s error', async () => {
    const startDateCursor = encodeCursor('START_DATE', ['2025-09-01', 'tuni.fi:mm-200']);
    const body = await post(hub.gatewayUrl, `query ($after: String) { offerings(orderBy: TITLE, after: $after) { totalCount } }`, { after: startDateCursor });
    expect(body.data?.['offerings'] ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors ?? [];
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    // It is the client's cursor, not a member's fault; which member "said so" depends on who answered first.
    expect(error?.extensions).not.toHaveProperty('member');
    expect(error?.message).not.toMatch(/^Member /);
  });
});

describe('the gateway', () => {
  it('passes on a subgraph’s BAD_USER_INPUT for an invalid custom scalar variable instead of calling the subgraph unavailable', async () => {
    // The supergraph treats LocalDate as an opaque scalar, so only the router can reject the value;
    // Apollo Server answers that rejection with HTTP 400 and a GraphQL body.
    const body = await post(hub.gatewayUrl, `query ($from: LocalDate) { offerings(filter: { startsOnOrAfter: $from }) { totalCount } }`, { from: '2025-13-45' });
    expect(body.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expect(JSON.stringify(body.errors)).not.toMatch(/HTTP 400|SERVICE_UNAVAILABLE/);
  });

  it('names a subgraph that answers 200 with an HTML page, like any other failing subgraph', async () => {
    const esco = await startFake(() => (_body, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Upstream error</body></html>');
    });
    const supergraphSdl = readSupergraph();
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, { members: hub.urls.members, esco: esco.url, learners: hub.urls.learners }, { defaultMs: 2_000 }),
      logger: quietLogger(),
      auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
    });
    try {
      const body = await post(gateway.url, `{ skills(first: 1) { totalCount } offerings(first: 1) { totalCount } }`);
      expect(body.data?.['offerings']?.totalCount).toBeGreaterThan(0);
      expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', service: 'esco' }) })]);
    } finally {
      await gateway.stop();
      await esco.close();
    }
  });

  it('applies the deadline message to a subgraph that sends headers and then stalls', async () => {
    const esco = await startFake(() => (_body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":');
    });
    const supergraphSdl = readSupergraph();
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, { members: hub.urls.members, esco: esco.url, learners: hub.urls.learners }, { defaultMs: 2_000, perSubgraph: { esco: 500 } }),
      logger: quietLogger(),
      auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
    });
    try {
      const body = await post(gateway.url, `{ skills(first: 1) { totalCount } offerings(first: 1) { totalCount } }`);
      expect(body.data?.['offerings']?.totalCount).toBeGreaterThan(0);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: 'Service "esco" did not answer within 500 ms; its part of the response is missing.',
          extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', service: 'esco' }),
        }),
      ]);
    } finally {
      await gateway.stop();
      await esco.close();
    }
  });
});

describe('a misbehaving member costs only its own part', () => {
  it('when its JSON body is not a well-formed GraphQL response (errors is an object, not a list)', async () => {
    dcuHandler = (_body, response) => json(response, 200, { data: null, errors: { message: 'Service temporarily unavailable' } });
    const body = await post(mixedGateway.url, `{ offerings(first: 5) { totalCount nodes { id } } }`);
    const ids = (body.data?.['offerings']?.nodes ?? []) as { id: string }[];
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((node) => memberOf(node.id) === 'tuni.fi')).toBe(true);
    expect(body.errors?.every((error) => error.extensions?.['member'] === 'dcu.ie')).toBe(true);
  });

  it('when it runs a newer minor contract version that adds an enum value (accepted by the version policy)', async () => {
    const summerSchool = { id: 'dcu.ie:ss-1', title: 'A summer school', kind: 'SUMMER_SCHOOL' };
    const cursor = encodeCursor('TITLE', ['a summer school', summerSchool.id]);
    dcuHandler = contractMember(
      {
        Query: {
          offerings: () => ({
            totalCount: 1,
            edges: [{ cursor, node: summerSchool }],
            nodes: [summerSchool],
            pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: cursor, endCursor: cursor },
          }),
        },
      },
      (contract) => contract.replace('enum OpportunityKind {', 'enum OpportunityKind {\n  SUMMER_SCHOOL'),
    );
    const body = await post(mixedGateway.url, `{ offerings(first: 5) { totalCount nodes { id title kind } } }`);
    const nodes = (body.data?.['offerings']?.nodes ?? null) as { id: string }[] | null;
    // tuni.fi's offerings must survive dcu.ie's unknown enum value.
    expect(nodes).not.toBeNull();
    expect(nodes?.some((node) => memberOf(node.id) === 'tuni.fi')).toBe(true);
    expect(body.errors?.some((error) => error.extensions?.['member'] === 'dcu.ie')).toBe(true);
  });

  it('keeps every error of a member answer that fails a root field (none is silently dropped)', async () => {
    // What a member on an older contract answers when the forwarded query uses two fields it lacks.
    dcuHandler = (_body, response) =>
      json(response, 400, {
        errors: [
          { message: 'Cannot query field "stackability" on type "LearningOpportunity".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          { message: 'Cannot query field "cycle" on type "LearningOpportunity".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ],
      });
    const body = await post(mixedGateway.url, `{ offering(id: "dcu.ie:mm-1") { id stackability cycle } }`);
    expect(body.data?.['offering'] ?? null).toBeNull();
    const messages = (body.errors ?? []).map((error) => error.message).join('\n');
    expect(messages).toContain('"stackability"');
    expect(messages).toContain('"cycle"');
  });
});
