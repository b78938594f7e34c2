import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_IDP_ISSUER, HUB_AUDIENCE } from '../../hub/dev-idp.js';
import { memberProfile } from '../../hub/alliance.js';
import { DEFAULT_ALGORITHMS, remoteKeySet } from '../../lib/auth.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/*
 * Issue 17: the gateway verifies access tokens with the identity provider's
 * keys from AUTH_JWKS_URL. When that URL stops answering, a valid token is not
 * the caller's fault: keys fetched before keep working, a gateway that never
 * had keys answers 503 at once (not 401, not after a 5 s wait per request),
 * and /readyz says it is not ready.
 */

let jwksServer: Server;
let jwksBody = '';
let jwksUp = true;
let jwksFetches = 0;
let jwksUrl = '';
let hub: TestHub;
let ready: TestHub;

function startJwksServer(): Promise<void> {
  jwksServer = createServer((request, response) => {
    jwksFetches += 1;
    if (!jwksUp) {
      // Accepts the connection and never answers: the worst case for a caller waiting on it.
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody);
  });
  return new Promise((resolve) =>
    jwksServer.listen(0, '127.0.0.1', () => {
      jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
      resolve();
    }),
  );
}

const registry = () => parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] });
const profile = (url: string) => {
  const keys = remoteKeySet(url, { timeoutMs: 500 });
  return { issuer: DEV_IDP_ISSUER, audience: HUB_AUDIENCE, algorithms: DEFAULT_ALGORITHMS, keys, keysReady: () => keys.ready() };
};

beforeAll(async () => {
  await startJwksServer();
  // The gateway under test reads the dev identity provider's keys from our JWKS server, as from a real IdP.
  hub = await startTestHub({ learners: 5, registry: registry() }, { auth: profile(jwksUrl) });
  jwksBody = readFileSync(hub.hub.idp.jwksPath, 'utf8');
  // A second gateway whose key set URL never answered anything.
  ready = await startTestHub({ learners: 5, registry: registry() }, { auth: profile('http://127.0.0.1:9/never.json') });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  await ready?.stop();
  jwksServer?.closeAllConnections();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

const ME = '{ __typename }';

describe('access tokens when the identity provider does not answer', () => {
  it('verifies with the keys fetched while it answered', async () => {
    const headers = { authorization: `Bearer ${await hub.hub.idp.issue({ role: 'analyst' })}` };
    expect((await hub.query(ME, {}, headers)).status).toBe(200);
    jwksUp = false;
    try {
      const answer = await hub.query(ME, {}, headers);
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual({ __typename: 'Query' });
    } finally {
      jwksUp = true;
    }
  });

  it('a gateway that never had keys answers 503 SERVICE_UNAVAILABLE, not 401, and quickly after the first failure', async () => {
    const headers = { authorization: `Bearer ${await hub.hub.idp.issue({ role: 'analyst' })}` };
    const first = await ready.query(ME, {}, headers);
    expect(first.status).toBe(503);
    expect(first.body.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
    expect(first.body.errors?.[0]?.message).toMatch(/identity provider/);
    expect(first.text).not.toContain('127.0.0.1:9');
    // The next requests do not each wait for another fetch (the key set URL is retried after a few seconds).
    const started = performance.now();
    for (let i = 0; i < 5; i += 1) expect((await ready.query(ME, {}, headers)).status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('anonymous public reads still work without keys', async () => {
    expect((await ready.query(ME)).status).toBe(200);
  });

  it('/readyz is 503 while the keys cannot be obtained, 200 with them', async () => {
    const notReady = await fetch(ready.gatewayUrl.replace(/\/graphql$/, '/readyz'));
    expect(notReady.status).toBe(503);
    expect(((await notReady.json()) as { reason: string }).reason).toMatch(/identity provider/);
    const fine = await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/readyz'));
    expect(fine.status).toBe(200);
  });

  it('a token for a key the provider does not serve is still the caller\'s problem (401)', async () => {
    const forged = (await ready.hub.idp.issue({ role: 'analyst' })); // another hub's dev IdP: a key our JWKS does not hold
    const answer = await hub.query(ME, {}, { authorization: `Bearer ${forged}` });
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(jwksFetches).toBeGreaterThan(0);
  });
});
