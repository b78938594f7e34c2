import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { HUB_JWKS_PATH, startGateway, subgraphEndpoints } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { ANONYMOUS, remoteKeySet } from '../../lib/auth.js';
import { createHubVerifier, ensureHubSigner, HUB_ISSUER, HUB_TOKEN_TYPE, hubKeyFiles } from '../../lib/hub-token.js';
import { quietLogger } from '../../lib/log.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';

/*
 * Subgraphs trust only the hub: a request straight to any subgraph (the
 * router, ESCO, learners, a member) without a token the hub signed for that
 * very service, or with one already used, gets 401 and nothing else.
 */

let hub: RunningHub;
let dataDir: string;
const QUERY = { query: '{ __typename }' };

async function call(url: string, authorization?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(QUERY),
  });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hub-tokens-'));
  hub = await startHub({
    logger: quietLogger(),
    dataDir,
    learners: 10,
    registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
  });
});
afterAll(async () => {
  await hub?.stop();
});

const services = (): [string, string, string][] => [
  ['the member router', hub.urls.members, 'members'],
  ['the ESCO subgraph', hub.urls.esco, 'esco'],
  ['the learners subgraph', hub.urls.learners, 'learners'],
  ['the issuance subgraph', hub.urls.issuance, 'issuance'],
  ['a member subgraph', hub.members.get('tuni.fi')?.url as string, 'tuni.fi'],
];

describe.each(['the member router', 'the ESCO subgraph', 'the learners subgraph', 'the issuance subgraph', 'a member subgraph'])('%s', (name) => {
  const target = () => services().find(([label]) => label === name) as [string, string, string];
  const refused = (text: string) => {
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: expect.stringMatching(/^Request refused: /), extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(text).not.toMatch(/127\.0\.0\.1|\bat .*\.(ts|js):\d+/);
  };

  it('refuses a direct call without a hub token', async () => {
    const { status, text } = await call(target()[1]);
    expect(status).toBe(401);
    refused(text);
  });

  it('refuses a user access token: only the hub may call', async () => {
    const { status, text } = await call(target()[1], `Bearer ${await hub.idp.issue({ role: 'alliance-admin' })}`);
    expect(status).toBe(401);
    refused(text);
  });

  it('refuses a hub token meant for another service', async () => {
    const other = target()[2] === 'esco' ? 'learners' : 'esco';
    const { status } = await call(target()[1], `Bearer ${await hub.hubSigner.sign(ANONYMOUS, other)}`);
    expect(status).toBe(401);
  });

  it('answers a hub token for it once, and refuses it the second time', async () => {
    const token = `Bearer ${await hub.hubSigner.sign(ANONYMOUS, target()[2])}`;
    const first = await call(target()[1], token);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ data: { __typename: 'Query' } });
    const replay = await call(target()[1], token);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('already used');
  });

  it('refuses an expired hub token signed with the hub key', async () => {
    const privateJwk = JSON.parse(readFileSync(hubKeyFiles(join(dataDir, 'keys')).privatePath, 'utf8')) as JWK;
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ anon: true })
      .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid as string, typ: HUB_TOKEN_TYPE })
      .setIssuer(HUB_ISSUER)
      .setAudience(target()[2])
      .setSubject('anonymous')
      .setIssuedAt(now - 300)
      .setExpirationTime(now - 240)
      .setJti(`expired-${name}`)
      .sign(await importJWK(privateJwk, 'ES256'));
    expect((await call(target()[1], `Bearer ${expired}`)).status).toBe(401);
  });

  it('keeps its health probes open for the orchestrator', async () => {
    const response = await fetch(target()[1].replace(/\/graphql$/, '/healthz'));
    expect(response.status).toBe(200);
  });
});

describe('the hub’s published keys', () => {
  it('are served by the gateway, public halves only', async () => {
    const response = await fetch(hub.gatewayUrl.replace(/\/graphql$/, HUB_JWKS_PATH));
    const jwks = (await response.json()) as { keys: JWK[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
  });

  it('keep the private key readable only by its owner', () => {
    expect(statSync(hubKeyFiles(join(dataDir, 'keys')).privatePath).mode & 0o077).toBe(0);
  });
});

describe('a subgraph that cannot fetch the hub’s keys', () => {
  it('says that is why it refuses, instead of blaming the caller', async () => {
    const verifier = createHubVerifier(remoteKeySet('http://127.0.0.1:9/.well-known/hub-jwks.json'));
    const token = `Bearer ${await hub.hubSigner.sign(ANONYMOUS, 'esco')}`;
    await expect(verifier.verify(token, 'esco')).rejects.toThrow("the hub's public keys could not be obtained");
    await expect(verifier.verify('Bearer not.a.token', 'esco')).rejects.toThrow('answers only requests that come through the hub');
  });
});


describe('a gateway whose hub key the subgraphs do not know', () => {
  it('tells the client the service is unavailable, and nothing of why the subgraph refused', async () => {
    const strangerKeys = await ensureHubSigner(mkdtempSync(join(tmpdir(), 'stranger-hub-')));
    const supergraphSdl = readSupergraph();
    const stranger = await startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, { members: hub.urls.members, esco: hub.urls.esco, learners: hub.urls.learners, issuance: hub.urls.issuance }, { defaultMs: 5_000 }),
      logger: quietLogger(),
      auth: devIdpProfile(hub.idp),
      hubSigner: strangerKeys,
    });
    try {
      const response = await fetch(stranger.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ skills(first: 1) { totalCount } }' }) });
      const text = await response.text();
      const body = JSON.parse(text) as { errors?: { extensions?: Record<string, unknown> }[] };
      expect(body.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
      expect(text).not.toMatch(/hub|token|already used|keys/i);
    } finally {
      await stranger.stop();
    }
  });
});
