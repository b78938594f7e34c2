import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevIdp } from '../../hub/dev-idp.js';
import { DEV_IDP_ROUTES, mountDevIdpSignIn } from '../../hub/dev-idp-sign-in.js';

/* The development identity provider's sign-in (code flow with PKCE) refuses what RFC 6749 and RFC 7636 say it must. */

const verifier = 'a'.repeat(20) + '-._~' + 'B'.repeat(30);
const challenge = createHash('sha256').update(verifier).digest('base64url');
let dir: string;
let server: Server;
let base: string;
let clock = Date.now();

const authorizeParams = (overrides: Record<string, string> = {}) =>
  new URLSearchParams({ response_type: 'code', client_id: 'hub-dashboard', redirect_uri: '/dashboard/', state: 's1', code_challenge: challenge, code_challenge_method: 'S256', ...overrides });

async function authorize(form: Record<string, string>): Promise<Response> {
  return fetch(`${base}${DEV_IDP_ROUTES.authorize}`, { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(authorizeParams()), role: 'analyst', member_id: 'aau.dk', ...form }), redirect: 'manual' });
}

async function codeFor(form: Record<string, string> = {}): Promise<string> {
  const response = await authorize(form);
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location')!, base);
  expect(location.pathname).toBe('/dashboard/');
  expect(location.searchParams.get('state')).toBe('s1');
  return location.searchParams.get('code')!;
}

const token = (fields: Record<string, string>) =>
  fetch(`${base}${DEV_IDP_ROUTES.token}`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'hub-dashboard', redirect_uri: `${base}/dashboard/`, code_verifier: verifier, ...fields }) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dev-idp-'));
  const idp = await ensureDevIdp(dir);
  const app = express();
  mountDevIdpSignIn(app, { idp, members: [{ id: 'aau.dk', name: 'Aalborg University' }], now: () => clock });
  server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('the development identity provider sign-in', () => {
  it('shows the choice of role, with the request carried over escaped', async () => {
    const response = await fetch(`${base}${DEV_IDP_ROUTES.authorize}?${authorizeParams({ state: '"><script>x</script>' })}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain('value="analyst"');
    expect(page).toContain('Aalborg University');
    expect(page).not.toContain('<script>x');
  });

  it.each([
    [{ client_id: 'someone-else' }, 'client_id'],
    [{ redirect_uri: 'https://elsewhere.example/dashboard/' }, 'redirect_uri'],
    [{ redirect_uri: '/graphql' }, 'redirect_uri'],
    [{ response_type: 'token' }, 'response_type'],
    [{ code_challenge_method: 'plain' }, 'code_challenge_method'],
    [{ code_challenge: 'short' }, 'code_challenge'],
  ])('refuses an authorisation request with %o, naming the parameter, and sends the browser nowhere', async (overrides, name) => {
    const response = await fetch(`${base}${DEV_IDP_ROUTES.authorize}?${authorizeParams(overrides)}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain(name);
  });

  it('refuses a role it does not offer and member staff without a member of the alliance', async () => {
    expect((await authorize({ role: 'verifier' })).status).toBe(400);
    const response = await authorize({ role: 'member-staff', member_id: 'nowhere.example' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('member_id');
  });

  it('gives an access token for the role chosen, once, to the holder of the verifier', async () => {
    const code = await codeFor({ role: 'member-staff' });
    const answer = await token({ code });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = (await answer.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    const claims = decodeJwt(body.access_token);
    expect(claims['roles']).toEqual(['member-staff']);
    expect(claims['eciu_member']).toBe('aau.dk');
    // The same code again: refused (RFC 6749 §4.1.2), whoever sends it.
    const again = await token({ code });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('refuses a wrong verifier, another redirect URI, an expired code and another grant type', async () => {
    expect(((await (await token({ code: await codeFor(), code_verifier: 'x'.repeat(50) })).json()) as { error: string }).error).toBe('invalid_grant');
    expect(((await (await token({ code: await codeFor(), redirect_uri: '/elsewhere/' })).json()) as { error: string }).error).toBe('invalid_grant');
    const late = await codeFor();
    clock += 61_000;
    expect(((await (await token({ code: late })).json()) as { error: string }).error).toBe('invalid_grant');
    const other = await token({ grant_type: 'password', code: 'x' });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });
});
