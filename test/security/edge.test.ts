import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { learnerId } from '../../hub/demo.js';
import { devIdpProfile, DEV_IDP_ISSUER, HUB_AUDIENCE } from '../../hub/dev-idp.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { startGateway, subgraphEndpoints, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { CLAIMS } from '../../lib/auth.js';
import { quietLogger } from '../../lib/log.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';

/*
 * The gateway's edge: access tokens (every forgery a JWT library has been
 * fooled by), query limits, CORS and rate limits. Every rejection must say
 * what was wrong and leak nothing.
 */

let hub: RunningHub;
let limited: RunningGateway;
const CATALOGUE = '{ offerings(first: 2) { totalCount nodes { id } } }';
const LEAK = /127\.0\.0\.1|localhost|:\d{4,5}\/|\bat .*\.(ts|js):\d+|node_modules|BEGIN|"d":/;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The dev IdP's own public JWK, as an attacker could read it from the published JWKS. */
function publishedKey(): JWK {
  return (JSON.parse(readFileSync(hub.idp.jwksPath, 'utf8')) as { keys: JWK[] }).keys[0] as JWK;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: DEV_IDP_ISSUER, aud: HUB_AUDIENCE, sub: 'eve', iat: now, exp: now + 600, [CLAIMS.roles]: ['alliance-admin'], ...overrides };
}

async function signedWithOtherKey(kid?: string, payload = claims()): Promise<{ token: string; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const keyId = kid ?? (await calculateJwkThumbprint(jwk));
  const token = await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: keyId, typ: 'at+jwt' }).sign(privateKey);
  return { token, jwk: { ...jwk, kid: keyId, alg: 'ES256', use: 'sig' } };
}

beforeAll(async () => {
  hub = await startHub({
    logger: quietLogger(),
    dataDir: mkdtempSync(join(tmpdir(), 'hub-edge-')),
    learners: 20,
    registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
    corsOrigins: ['https://portal.eciu.eu'],
  });
  const supergraphSdl = readSupergraph();
  limited = await startGateway({
    supergraphSdl,
    subgraphs: subgraphEndpoints(supergraphSdl, { members: hub.urls.members, esco: hub.urls.esco, learners: hub.urls.learners }, { defaultMs: 5_000 }),
    logger: quietLogger(),
    auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
    rateLimitPerMinute: 5,
  });
});
afterAll(async () => {
  await limited?.stop();
  await hub?.stop();
});

describe('access tokens', () => {
  it('lets anyone read the catalogue without a token', async () => {
    const { status, body } = await post(hub.gatewayUrl, { query: CATALOGUE });
    expect(status).toBe(200);
    expect(body.data?.offerings.nodes).toHaveLength(2);
  });

  it('accepts a token of the identity provider', async () => {
    const token = await hub.idp.issue({ role: 'learner', learnerId: learnerId(0) });
    const { status, body } = await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(token));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  const forgeries: [string, () => Promise<string>, string][] = [
    ['an unsigned token (alg "none")', async () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`, 'its signing algorithm is not accepted'],
    [
      'a token signed with HS256 using the published public key as the secret',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(publishedKey()));
        return new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: publishedKey().kid as string, typ: 'at+jwt' }).sign(secret);
      },
      'its signing algorithm is not accepted',
    ],
    ['an expired token', () => hub.idp.issue({ role: 'alliance-admin', ttlSeconds: -120 }), 'it has expired'],
    [
      'a token for another audience',
      async () => {
        const { token } = await signedWithOtherKey(publishedKey().kid as string, claims({ aud: 'urn:other' }));
        return token;
      },
      'its signature does not match',
    ],
    ['a token with an unknown key id', async () => (await signedWithOtherKey()).token, 'it is signed with a key this hub does not know'],
    [
      'a token whose payload was changed after signing',
      async () => {
        const [header, , signature] = (await hub.idp.issue({ role: 'learner', learnerId: learnerId(0) })).split('.');
        return `${header}.${b64(claims({ [CLAIMS.roles]: ['alliance-admin'] }))}.${signature}`;
      },
      'its signature does not match',
    ],
    ['a token that is not a JWT at all', async () => 'not.a.token', 'it is not a well-formed signed JWT'],
  ];

  it.each(forgeries)('refuses %s with 401 and says why', async (_name, forge, reason) => {
    const { status, body, text, headers } = await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(await forge()));
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toContain('invalid_token');
    expect(body).toEqual({ errors: [{ message: `The access token was refused: ${reason}.`, extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(text).not.toMatch(LEAK);
  });

  it('checks issuer and audience of properly signed tokens', async () => {
    // Signed by a key the hub trusts (added to its key set), but issued for someone else.
    const other = await signedWithOtherKey(undefined, claims({ aud: 'urn:another-service' }));
    const jwks = JSON.parse(readFileSync(hub.idp.jwksPath, 'utf8')) as { keys: JWK[] };
    writeFileSync(hub.idp.jwksPath, JSON.stringify({ keys: [...jwks.keys, other.jwk] }));
    try {
      const audience = await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(other.token));
      expect(audience.status).toBe(401);
      expect(audience.body.errors?.[0]?.message).toBe('The access token was refused: it is meant for another audience.');
    } finally {
      writeFileSync(hub.idp.jwksPath, JSON.stringify(jwks));
    }
  });

  it('picks up a rotated key from the key set file and keeps accepting the old one', async () => {
    const old = await hub.idp.issue({ role: 'analyst' });
    const rotated = await signedWithOtherKey(undefined, claims({ [CLAIMS.roles]: ['analyst'] }));
    const jwks = JSON.parse(readFileSync(hub.idp.jwksPath, 'utf8')) as { keys: JWK[] };
    expect((await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(rotated.token))).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(hub.idp.jwksPath, JSON.stringify({ keys: [...jwks.keys, rotated.jwk] }));
    try {
      expect((await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(rotated.token))).status).toBe(200);
      expect((await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(old))).status).toBe(200);
    } finally {
      writeFileSync(hub.idp.jwksPath, JSON.stringify(jwks));
    }
  });

  it.each([
    ['a token of another type (a hub-internal or credential JWT)', { typ: 'vc+jwt' }, {}, 'its type "vc+jwt" is not an access token'],
    ['a learner token without a learner id', {}, { [CLAIMS.roles]: ['learner'] }, `the learner role needs an alliance learner id in "${CLAIMS.learner}"`],
    ['a token without any known role', {}, { [CLAIMS.roles]: ['superuser'] }, 'it carries none of the roles learner, member-staff, analyst, alliance-admin, verifier'],
    ['a verifier token without a verifier id', {}, { [CLAIMS.roles]: ['verifier'] }, `the verifier role needs a verifier id (https URL, DID or mailto: address) in "${CLAIMS.verifier}"`],
  ])('refuses %s', async (_name, header, payload, reason) => {
    // Signed with a key the hub trusts, so only the checked property is wrong.
    const jwks = JSON.parse(readFileSync(hub.idp.jwksPath, 'utf8')) as { keys: JWK[] };
    try {
      const forged = await signWithTrustedKey(header, payload);
      const { status, body } = await post(hub.gatewayUrl, { query: CATALOGUE }, bearer(forged));
      expect(status).toBe(401);
      expect(body.errors?.[0]?.message).toBe(`The access token was refused: ${reason}.`);
    } finally {
      writeFileSync(hub.idp.jwksPath, JSON.stringify(jwks));
    }
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const { status, body } = await post(hub.gatewayUrl, { query: CATALOGUE }, { authorization: 'Basic YWRtaW46YWRtaW4=' });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toBe('The access token was refused: the Authorization header must be "Bearer <token>".');
  });
});

/** Signs with a fresh key that is added to the hub's key set, with the given header and payload changes. */
async function signWithTrustedKey(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const jwks = JSON.parse(readFileSync(hub.idp.jwksPath, 'utf8')) as { keys: JWK[] };
  writeFileSync(hub.idp.jwksPath, JSON.stringify({ keys: [...jwks.keys, { ...jwk, kid, alg: 'ES256', use: 'sig' }] }));
  return new SignJWT(claims(payload)).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...header }).sign(privateKey);
}

describe('query limits', () => {
  const deep = `{ offerings { nodes { institution { offerings { nodes { institution { offerings { nodes { institution { offerings { nodes { id } } } } } } } } } } } }`;
  const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: offerings(first: 1) { totalCount }`).join(' ')} }`;
  const typenameAliases = `{ ${Array.from({ length: 40 }, (_, i) => `t${i}: __typename`).join(' ')} }`;
  const tokens = `{ offerings { ${'totalCount '.repeat(3_000)} } }`;

  it.each([
    ['a depth bomb', deep, /depth/i],
    ['an alias bomb', aliases, /alias/i],
    ['an alias bomb made of __typename', typenameAliases, /alias/i],
    ['a token bomb', tokens, /token/i],
  ])('rejects %s before it reaches a subgraph, without details', async (_name, query, pattern) => {
    const { body, text } = await post(hub.gatewayUrl, { query });
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.message).toMatch(pattern);
    expect(text).not.toMatch(LEAK);
  });
});

describe('browsers and busy callers', () => {
  it('answers CORS only for allowed origins', async () => {
    const allowed = await fetch(hub.gatewayUrl, { method: 'OPTIONS', headers: { origin: 'https://portal.eciu.eu', 'access-control-request-method': 'POST' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://portal.eciu.eu');
    const other = await fetch(hub.gatewayUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits requests per caller and says when to come back', async () => {
    const token = await hub.idp.issue({ role: 'analyst', subject: 'busy-analyst' });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 7; i += 1) {
      last = await post(limited.url, { query: '{ __typename }' }, bearer(token));
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    // Another caller still has its own budget.
    const other = await hub.idp.issue({ role: 'analyst', subject: 'patient-analyst' });
    expect((await post(limited.url, { query: '{ __typename }' }, bearer(other))).status).toBe(200);
  });
});

describe('bad-token floods', () => {
  let flooded: RunningGateway;
  let keyLookups = 0;

  beforeAll(async () => {
    const supergraphSdl = readSupergraph();
    const profile = devIdpProfile(hub.idp);
    flooded = await startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, { members: hub.urls.members, esco: hub.urls.esco, learners: hub.urls.learners }, { defaultMs: 5_000 }),
      logger: quietLogger(),
      // Counts signature checks: every verification of a well-formed token looks its key up.
      auth: {
        ...profile,
        keys: (header, token) => {
          keyLookups += 1;
          return profile.keys(header, token);
        },
      },
      hubSigner: hub.hubSigner,
      rateLimitPerMinute: 5,
      trustedProxies: ['loopback'],
    });
  });
  afterAll(async () => {
    await flooded?.stop();
  });

  const from = (address: string, token?: string) => ({ 'x-forwarded-for': address, ...(token ? bearer(token) : {}) });

  it('count against the address budget: after it, 429 without checking signatures', async () => {
    const [header, payload] = (await hub.idp.issue({ role: 'analyst' })).split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await post(flooded.url, { query: CATALOGUE }, from('203.0.113.66', forged))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect(keyLookups).toBe(5);
    const refused = await post(flooded.url, { query: CATALOGUE }, from('203.0.113.66', forged));
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The address's anonymous budget paid for them; another address keeps its own.
    expect((await post(flooded.url, { query: CATALOGUE }, from('203.0.113.66'))).status).toBe(429);
    expect((await post(flooded.url, { query: CATALOGUE }, from('203.0.113.67'))).status).toBe(200);
    expect((await post(flooded.url, { query: CATALOGUE }, from('203.0.113.67', await hub.idp.issue({ role: 'analyst' })))).status).toBe(200);
  });

  it('leave signed-in callers alone when the failures are few', async () => {
    const token = await hub.idp.issue({ role: 'analyst', subject: 'careful-analyst' });
    expect((await post(flooded.url, { query: CATALOGUE }, from('203.0.113.68', 'not.a.token'))).status).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await post(flooded.url, { query: CATALOGUE }, from('203.0.113.68', token))).status).toBe(200);
  });
});
