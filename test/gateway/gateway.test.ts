import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { learnerId } from '../../hub/demo.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { startGateway, subgraphEndpoints, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { quietLogger } from '../../lib/log.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import type { GraphQLBody } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';

const MEMBERS = ['tuni.fi', 'uab.cat'];
let hub: RunningHub;
let production: RunningGateway;
let impatient: RunningGateway;
let slowMember = false;

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: GraphQLBody; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as GraphQLBody, text };
}

beforeAll(async () => {
  const registry = parseRegistry({
    members: MEMBERS.map((id) => ({ id, name: memberProfile(id)?.name, endpoint: 'http://127.0.0.1:0/graphql', timeoutMs: 3_000 })),
  });
  hub = await startHub({
    logger: quietLogger(),
    dataDir: mkdtempSync(join(tmpdir(), 'hub-gateway-')),
    learners: 30,
    registry,
    memberPlugins: () => [
      {
        async requestDidStart() {
          if (slowMember) await new Promise((resolve) => setTimeout(resolve, 1_500));
        },
      },
    ],
  });
  const supergraphSdl = readSupergraph();
  const urls = { members: hub.urls.members, esco: hub.urls.esco, learners: hub.urls.learners };
  production = await startGateway({
    supergraphSdl,
    subgraphs: subgraphEndpoints(supergraphSdl, urls, { defaultMs: 5_000 }),
    logger: quietLogger(),
    production: true,
    auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
  });
  impatient = await startGateway({
    supergraphSdl,
    subgraphs: subgraphEndpoints(supergraphSdl, urls, { defaultMs: 5_000, perSubgraph: { members: 300 } }),
    logger: quietLogger(),
    auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
  });
});
afterAll(async () => {
  await production?.stop();
  await impatient?.stop();
  await hub?.stop();
});

describe('health', () => {
  it('answers liveness and readiness with the state of every subgraph', async () => {
    const base = hub.gatewayUrl.replace(/\/graphql$/, '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', service: 'gateway' });
    const ready = await fetch(hub.readyUrl);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', subgraphs: { members: 'up', esco: 'up', learners: 'up' } });
  });
});

describe('deadlines', () => {
  it('gives up on a subgraph at its deadline and still returns the other subgraphs’ data', async () => {
    slowMember = true;
    try {
      const { body, text } = await post(
        impatient.url,
        { query: `{ learner(id: "${learnerId(0)}") { id } offerings(first: 1) { totalCount } }` },
        await bearer(hub, { role: 'learner', learnerId: learnerId(0) }),
      );
      expect(body.data?.['learner']).toEqual({ id: learnerId(0) });
      expect(body.data?.['offerings'] ?? null).toBeNull();
      expect(body.errors?.[0]).toMatchObject({
        message: 'Service "members" did not answer within 300 ms; its part of the response is missing.',
        extensions: { code: 'SERVICE_UNAVAILABLE', service: 'members' },
      });
      expect(text).not.toMatch(/127\.0\.0\.1|:\d{4,5}\//);
    } finally {
      slowMember = false;
    }
  });
});

describe('production mode', () => {
  it('refuses introspection and gives no field suggestions', async () => {
    const introspection = await post(production.url, { query: '{ __schema { types { name } } }' });
    expect(introspection.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = await post(production.url, { query: '{ offering(id: "tuni.fi:mm-200") { titel } }' });
    expect(typo.body.errors?.[0]?.message).toBeDefined();
    expect(typo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('keeps CSRF prevention: a simple GET without a preflight header is refused', async () => {
    const response = await fetch(`${production.url}?query=${encodeURIComponent('{ institutions { id } }')}`);
    expect(response.status).toBe(400);
  });

  it('refuses a body over the size limit with a clear status', async () => {
    const response = await fetch(production.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ institutions { id } }`, variables: { padding: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: 'The request body is larger than the limit of 1048576 bytes.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
    expect(text).not.toMatch(/at .*\.js:\d+|node_modules/);
  });
});

describe('a subgraph that is down', () => {
  it('costs only the fields it serves, with an error naming it and no address', async () => {
    const query = { query: '{ offerings(first: 3) { totalCount nodes { id learningOutcomes { skill { uri preferredLabel } } } } }' };
    const before = await post(hub.gatewayUrl, query);
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data?.['offerings'].nodes[0].learningOutcomes[0].skill.preferredLabel).toEqual(expect.any(String));

    await hub.central.esco.stop();
    const { body, text } = await post(hub.gatewayUrl, query);
    const nodes = body.data?.['offerings'].nodes as { id: string; learningOutcomes: { skill: { uri: string } | null }[] }[];
    expect(nodes.map((node) => node.id)).toEqual(before.body.data?.['offerings'].nodes.map((node: { id: string }) => node.id));
    expect(body.errors?.[0]).toMatchObject({
      message: 'Service "esco" could not be reached; its part of the response is missing.',
      extensions: { code: 'SERVICE_UNAVAILABLE', service: 'esco' },
    });
    expect(text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:\d{4,5}\//);
    const ready = await fetch(hub.readyUrl);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not ready', reason: 'subgraphs not answering: esco' });
  });
});
