import { createHash, randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import { escapeHtml } from '../lib/html.js';
import type { Role } from '../lib/auth.js';
import type { DevIdp } from './dev-idp.js';

/*
 * Sign-in at the development identity provider, for the hub's own web pages
 * (the analyst dashboard): OAuth 2.0 authorisation code with PKCE (RFC 7636),
 * the flow a browser application uses with the alliance's real identity
 * provider too, so the dashboard's code is the same in development and in
 * production. There is no password: whoever can open this page chooses whom
 * to be, which is what a development identity provider is for. It is only
 * mounted with the development identity provider (the embedded default and
 * AUTH_DEV_IDP_DIR), never with AUTH_JWKS_URL/FILE.
 */

export const DEV_IDP_ROUTES = { authorize: '/dev-idp/authorize', token: '/dev-idp/token' } as const;

/** The hub's browser clients and where each may be sent back to (a path on the hub: no open redirect). */
export const DEV_IDP_CLIENTS: Readonly<Record<string, readonly string[]>> = { 'hub-dashboard': ['/dashboard/'] };

/** Roles offered on the sign-in page: those the dashboard is for (learners use the portal, verifiers their own software). */
const OFFERED: readonly { role: Role; label: string; needsMember?: boolean }[] = [
  { role: 'analyst', label: 'Analyst (alliance-wide aggregates)' },
  { role: 'alliance-admin', label: 'Alliance administrator' },
  { role: 'member-staff', label: 'Member staff (quality office of one member)', needsMember: true },
];

/** The dashboard's sign-in at the development identity provider (paths on the hub itself). */
export function devIdpSignInConfig(): { authorizationEndpoint: string; tokenEndpoint: string; clientId: string } {
  return { authorizationEndpoint: DEV_IDP_ROUTES.authorize, tokenEndpoint: DEV_IDP_ROUTES.token, clientId: 'hub-dashboard' };
}

const CODE_TTL_MS = 60_000;
const MAX_PENDING_CODES = 1_000;

interface PendingCode {
  clientId: string;
  redirectPath: string;
  challenge: string;
  role: Role;
  memberId?: string;
  expires: number;
}

export interface DevIdpSignInOptions {
  idp: DevIdp;
  /** Members a staff member may belong to (id and name). */
  members: readonly { id: string; name: string }[];
  now?: () => number;
}

const PAGE_CSS = `body{font-family:system-ui,sans-serif;background:#f6f7fb;margin:0}main{max-width:32rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
label{display:block;margin:.5rem 0}select,button{font-size:1rem;padding:.4rem}button{background:#1f3c88;color:#fff;border:0;border-radius:.3rem;padding:.6rem 1.2rem}.note{color:#555;font-size:.9rem}`;

type Check = { ok: true; clientId: string; redirectPath: string; state: string; challenge: string } | { ok: false; reason: string };

/**
 * Checks an authorisation request's parameters (query or form), as RFC 6749
 * §4.1.1 and RFC 7636 §4.3 ask. The redirect URI is a registered path on
 * this hub, given as the path or as an absolute URL of the hub's own origin.
 */
function checkRequest(input: Record<string, unknown>, origin: string): Check {
  const value = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : '');
  const clientId = value('client_id');
  const allowed = DEV_IDP_CLIENTS[clientId];
  if (!allowed) return { ok: false, reason: `client_id must be one of ${Object.keys(DEV_IDP_CLIENTS).join(', ')}.` };
  const redirectUri = value('redirect_uri');
  const redirectPath = redirectUri.startsWith(`${origin}/`) ? redirectUri.slice(origin.length) : redirectUri;
  if (!allowed.includes(redirectPath)) return { ok: false, reason: `redirect_uri must be one of ${allowed.join(', ')} for ${clientId}.` };
  if (value('response_type') !== 'code') return { ok: false, reason: 'response_type must be "code".' };
  if (value('code_challenge_method') !== 'S256') return { ok: false, reason: 'code_challenge_method must be "S256".' };
  const challenge = value('code_challenge');
  if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return { ok: false, reason: 'code_challenge must be a base64url SHA-256 (43 characters).' };
  const state = value('state');
  if (state.length > 200) return { ok: false, reason: 'state is longer than 200 characters.' };
  return { ok: true, clientId, redirectPath, state, challenge };
}

/** The origin the browser used to reach the hub (its Host header; the page is served there). */
const originOf = (request: express.Request): string => `${request.protocol}://${request.get('host') ?? ''}`;

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign in: ECIU hub (development)</title>
<style>${PAGE_CSS}</style></head><body><main>${body}</main></body></html>`;
}

/** Mounts the authorisation and token endpoints of the development identity provider on a hub app. */
export function mountDevIdpSignIn(app: Express, options: DevIdpSignInOptions): void {
  const now = options.now ?? Date.now;
  const codes = new Map<string, PendingCode>();
  const headers = (response: express.Response) => {
    response.setHeader('cache-control', 'no-store');
    response.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    response.setHeader('x-frame-options', 'DENY');
  };

  app.get(DEV_IDP_ROUTES.authorize, (request, response) => {
    headers(response);
    const check = checkRequest(request.query as Record<string, unknown>, originOf(request));
    if (!check.ok) {
      response.status(400).type('html').send(page(`<h1>Cannot sign in</h1><p>${escapeHtml(check.reason)}</p>`));
      return;
    }
    const hidden = (['client_id', 'redirect_uri', 'state', 'code_challenge'] as const)
      .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml({ client_id: check.clientId, redirect_uri: check.redirectPath, state: check.state, code_challenge: check.challenge }[name])}">`)
      .join('');
    const roles = OFFERED.map((entry, index) => `<label><input type="radio" name="role" value="${entry.role}"${index === 0 ? ' checked' : ''}> ${escapeHtml(entry.label)}</label>`).join('');
    const members = options.members.map((member) => `<option value="${escapeHtml(member.id)}">${escapeHtml(member.name)}</option>`).join('');
    response.type('html').send(page(`<h1>Sign in</h1><p class="note">Development identity provider of the embedded hub: choose whom to sign in as. A deployment signs in through the alliance's identity provider instead.</p>
<form method="post" action="${DEV_IDP_ROUTES.authorize}">${hidden}<input type="hidden" name="response_type" value="code"><input type="hidden" name="code_challenge_method" value="S256">
<fieldset><legend>Role</legend>${roles}</fieldset><label>Member (for member staff) <select name="member_id">${members}</select></label>
<p><button type="submit" id="sign-in">Sign in</button></p></form>`));
  });

  app.post(DEV_IDP_ROUTES.authorize, express.urlencoded({ extended: false, limit: '8kb' }), (request, response) => {
    headers(response);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const check = checkRequest(body, originOf(request));
    const offered = OFFERED.find((entry) => entry.role === body['role']);
    const memberId = typeof body['member_id'] === 'string' ? body['member_id'] : '';
    const reason = !check.ok ? check.reason
      : !offered ? `role must be one of ${OFFERED.map((entry) => entry.role).join(', ')}.`
      : offered.needsMember && !options.members.some((member) => member.id === memberId) ? 'member_id must name a member of the alliance.'
      : null;
    if (reason || !check.ok || !offered) {
      response.status(400).type('html').send(page(`<h1>Cannot sign in</h1><p>${escapeHtml(reason)}</p>`));
      return;
    }
    for (const [code, pending] of codes) if (pending.expires <= now()) codes.delete(code);
    if (codes.size >= MAX_PENDING_CODES) {
      response.status(503).type('html').send(page('<h1>Too many sign-ins at once</h1><p>Try again in a minute.</p>'));
      return;
    }
    const code = randomBytes(32).toString('base64url');
    codes.set(code, {
      clientId: check.clientId,
      redirectPath: check.redirectPath,
      challenge: check.challenge,
      role: offered.role,
      ...(offered.needsMember ? { memberId } : {}),
      expires: now() + CODE_TTL_MS,
    });
    const target = new URLSearchParams({ code, ...(check.state ? { state: check.state } : {}) });
    response.redirect(303, `${check.redirectPath}?${target}`);
  });

  app.post(DEV_IDP_ROUTES.token, express.urlencoded({ extended: false, limit: '8kb' }), async (request, response) => {
    response.setHeader('cache-control', 'no-store');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const fail = (error: string, description: string) => response.status(400).json({ error, error_description: description });
    if (body['grant_type'] !== 'authorization_code') return fail('unsupported_grant_type', 'grant_type must be "authorization_code".');
    const code = typeof body['code'] === 'string' ? body['code'] : '';
    const pending = codes.get(code);
    // One use only, whatever happens next (RFC 6749 §4.1.2).
    codes.delete(code);
    if (!pending || pending.expires <= now()) return fail('invalid_grant', 'the code is unknown, used or expired; sign in again.');
    const redirect = typeof body['redirect_uri'] === 'string' ? body['redirect_uri'].replace(originOf(request), '') : '';
    if (body['client_id'] !== pending.clientId || redirect !== pending.redirectPath) return fail('invalid_grant', 'client_id and redirect_uri must be those of the authorisation request.');
    const verifier = typeof body['code_verifier'] === 'string' ? body['code_verifier'] : '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return fail('invalid_request', 'code_verifier must be 43–128 unreserved characters.');
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) return fail('invalid_grant', 'code_verifier does not match the code_challenge.');
    const ttlSeconds = 3_600;
    const token = await options.idp.issue({ role: pending.role, ttlSeconds, ...(pending.memberId ? { memberId: pending.memberId } : {}) });
    return response.json({ access_token: token, token_type: 'Bearer', expires_in: ttlSeconds });
  });
}
