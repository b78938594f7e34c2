import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { startGateway, subgraphEndpoints, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { parseTrustedProxies } from '../../lib/client-address.js';
import { ConfigError } from '../../lib/config.js';
import { quietLogger } from '../../lib/log.js';
import { PAGE_ROUTES } from '../../subgraphs/issuance/verification-page.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/*
 * The plain HTTP side of the edge: unknown paths answer JSON (never an HTML
 * page echoing the path) on the gateway and on every service; the
 * pass-through keeps the owning service's security headers; client addresses
 * come from X-Forwarded-For only through trusted proxies.
 */

let hub: TestHub;
/** A gateway trusting loopback proxies, 2 requests per minute per caller. */
let proxied: RunningGateway;
/** The same limit, trusting no proxy. */
let direct: RunningGateway;

beforeAll(async () => {
  hub = await startTestHub({
    learners: 5,
    registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
  });
  const supergraphSdl = readSupergraph();
  const common = {
    supergraphSdl,
    subgraphs: subgraphEndpoints(supergraphSdl, hub.hub.urls, { defaultMs: 5_000 }),
    logger: quietLogger(),
    auth: devIdpProfile(hub.hub.idp),
    hubSigner: hub.hub.hubSigner,
    rateLimitPerMinute: 2,
  };
  proxied = await startGateway({ ...common, trustedProxies: ['loopback'] });
  direct = await startGateway(common);
});
afterAll(async () => {
  await proxied?.stop();
  await direct?.stop();
  await hub?.stop();
});

const PROBE = '/no/such/<script>alert(1)</script>';

async function expectJson404(url: string, method = 'GET') {
  const response = await fetch(url, { method });
  const text = await response.text();
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(text)).toEqual({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
  expect(text).not.toMatch(/script|<html|no\/such/i);
}

describe('unknown paths', () => {
  it('get a JSON 404 from the gateway, whatever the method', async () => {
    const origin = new URL(hub.hub.gatewayUrl).origin;
    await expectJson404(`${origin}${PROBE}`);
    await expectJson404(`${origin}${PROBE}`, 'POST');
    await expectJson404(`${origin}/healthz`, 'DELETE');
  });

  it('get a JSON 404 under a passed-through prefix (the owning service answers)', async () => {
    await expectJson404(`${new URL(hub.hub.gatewayUrl).origin}/credentials/no-such-route`);
  });

  it('get a JSON 404 from every service called directly', async () => {
    const services = [...Object.values(hub.hub.urls), ...[...hub.hub.members.values()].map((member) => member.url)];
    for (const url of services) await expectJson404(`${new URL(url).origin}${PROBE}`);
  });
});

describe('the pass-through', () => {
  it('keeps the security headers the owning service sets (the verification page keeps its CSP)', async () => {
    const own = await fetch(`${new URL(hub.hub.urls.issuance).origin}${PAGE_ROUTES.page}`);
    const passed = await fetch(`${new URL(hub.hub.gatewayUrl).origin}${PAGE_ROUTES.page}`);
    expect(passed.status).toBe(200);
    const csp = own.headers.get('content-security-policy');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(passed.headers.get('content-security-policy')).toBe(csp);
    expect(passed.headers.get('cache-control')).toBe(own.headers.get('cache-control'));
    expect(passed.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('client addresses', () => {
  const ask = (gateway: RunningGateway, forwardedFor?: string) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).then((response) => response.status);

  it('come from X-Forwarded-For when the peer is a trusted proxy: each client has its own budget', async () => {
    expect([await ask(proxied, '203.0.113.1'), await ask(proxied, '203.0.113.1'), await ask(proxied, '203.0.113.1')]).toEqual([200, 200, 429]);
    expect(await ask(proxied, '203.0.113.2')).toBe(200);
  });

  it('are the last untrusted hop: a client cannot choose its address by sending the header itself', async () => {
    // The client claims 203.0.113.9; the trusted proxy appended the address it saw (198.51.100.7).
    expect([await ask(proxied, '203.0.113.9, 198.51.100.7'), await ask(proxied, '203.0.113.10, 198.51.100.7'), await ask(proxied, '198.51.100.7')]).toEqual([200, 200, 429]);
  });

  it('ignore X-Forwarded-For from a peer that is not trusted', async () => {
    expect([await ask(direct, '203.0.113.1'), await ask(direct, '203.0.113.2'), await ask(direct, '203.0.113.3')]).toEqual([200, 200, 429]);
  });

  it('read TRUSTED_PROXIES as addresses, CIDR ranges and named ranges, refusing anything else', () => {
    expect(parseTrustedProxies(' 10.0.0.5, 10.0.0.0/8 ,fd00::/8,loopback,uniquelocal')).toEqual(['10.0.0.5', '10.0.0.0/8', 'fd00::/8', 'loopback', 'uniquelocal']);
    expect(parseTrustedProxies(undefined)).toEqual([]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/8', '*', 'fd00::/129']) {
      expect(() => parseTrustedProxies(bad)).toThrow(ConfigError);
    }
    expect(() => parseTrustedProxies('proxy.example')).toThrow('TRUSTED_PROXIES must list proxy addresses or CIDR ranges');
  });
});
