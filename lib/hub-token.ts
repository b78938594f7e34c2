import { randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLocalJWKSet, errors as joseErrors, type CompactJWSHeaderParameters, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CompactJwsError, compactSigner, decodeCompact, keyObjectOf, verifyCompact, type DecodedCompact } from './compact-jws.js';
import { ANONYMOUS, CLAIMS, fileKeySet, InvalidTokenError, RECORD_SCOPES, remoteKeySet, ROLES, type Principal, type RecordScope, type Role } from './auth.js';
import { ConfigError, type Env } from './config.js';
import { isLearnerId } from './ids.js';
import { memoryTokenUses, type TokenUses } from './shared-state.js';
import { ensureSigningKey, SIGNING_ALGORITHM } from './keys.js';
import { REPO_ROOT } from './paths.js';

/*
 * Hub-internal tokens: how a subgraph knows a request comes through the hub
 * and on whose behalf. The gateway signs one for every subgraph fetch and the
 * member router one for every member call: ES256, its own type (hub+jwt, so
 * it can never pass for an access token or the other way round), audience =
 * the receiving service, at most 60 s of life, a unique id that receivers
 * remember until it expires (a captured token cannot be replayed).
 */

export const HUB_ISSUER = 'urn:eciu:hub';
export const HUB_TOKEN_TYPE = 'hub+jwt';
const ALGORITHM = SIGNING_ALGORITHM;
export const HUB_TOKEN_LIFETIME_SECONDS = 60;
/** Clocks of the hub's services may differ by this much. */
const CLOCK_TOLERANCE_SECONDS = 5;
const ANONYMOUS_CLAIM = 'anon';
/** Hub tokens only: the sharing grants the router found for this call (see Principal.sharing). */
const SHARING_CLAIM = 'eciu_sharing';
/** More learners than one router batch can hold means the claim was not made by the router. */
const MAX_SHARING_ENTRIES = 1_000;

/** Reads the sharing claim strictly: anything malformed shares nothing. */
function sharingFrom(value: unknown): Record<string, RecordScope[]> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_SHARING_ENTRIES) return undefined;
  const sharing: Record<string, RecordScope[]> = Object.create(null) as Record<string, RecordScope[]>;
  for (const [learnerId, scopes] of entries) {
    if (!Array.isArray(scopes) || !isLearnerId(learnerId)) return undefined;
    sharing[learnerId] = scopes.filter((scope): scope is RecordScope => (RECORD_SCOPES as readonly unknown[]).includes(scope));
  }
  return sharing;
}

/**
 * Service tokens: how one hub service proves to another that the call is its
 * own, on no user's behalf (the learners service asking a member to erase a
 * learner). Their own type, so a receiver's check for user calls (hub+jwt)
 * refuses them and a service route refuses every hub+jwt: no access token can
 * ever become one, because the gateway and router only sign hub+jwt, from
 * the identity an access token carried.
 */
export const SERVICE_TOKEN_TYPE = 'hub-service+jwt';
const SERVICE_CLAIM = 'eciu_service';
const SERVICE_NAME = /^[a-z][a-z0-9-]{1,31}$/;

export interface HubSigner {
  /** Signs the caller's identity for one call to `audience` (a subgraph name or member id). */
  sign(principal: Principal, audience: string): Promise<string>;
  /** Signs a service token: `service` (e.g. "learners") calls `audience` for itself (see SERVICE_TOKEN_TYPE). */
  signService(service: string, audience: string): Promise<string>;
  /** The public key set receivers verify with (published by the gateway). */
  jwks: { keys: JWK[] };
}

export interface HubKeyFiles {
  privatePath: string;
  jwksPath: string;
}

export function hubKeyFiles(dir: string): HubKeyFiles {
  return { privatePath: join(dir, 'hub-private.jwk'), jwksPath: join(dir, 'hub-jwks.json') };
}

/** Loads the hub's signing key from `dir`, creating it on first use (see ensureSigningKey). */
export async function ensureHubSigner(dir: string): Promise<HubSigner> {
  const files = hubKeyFiles(dir);
  await ensureSigningKey(files);
  return hubSignerFromFiles(files);
}

/** A signer from existing key files (production: the operator provides them). */
export async function hubSignerFromFiles(files: HubKeyFiles): Promise<HubSigner> {
  const privateJwk = JSON.parse(readFileSync(files.privatePath, 'utf8')) as JWK;
  const jwks = JSON.parse(readFileSync(files.jwksPath, 'utf8')) as { keys: JWK[] };
  // Signed on this thread with node:crypto (lib/compact-jws.ts): one token per call, so each must be cheap.
  const signer = compactSigner(privateJwk);
  const token = (typ: string, claims: Record<string, unknown>, subject: string, audience: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return Promise.resolve(
      signer.sign({ typ }, { ...claims, iss: HUB_ISSUER, aud: audience, sub: subject, iat: now, exp: now + HUB_TOKEN_LIFETIME_SECONDS, jti: randomUUID() }),
    );
  };
  return {
    jwks,
    sign(principal, audience) {
      const claims: Record<string, unknown> =
        principal.kind === 'anonymous'
          ? { [ANONYMOUS_CLAIM]: true }
          : {
              [CLAIMS.roles]: principal.roles,
              ...(principal.learnerId ? { [CLAIMS.learner]: principal.learnerId } : {}),
              ...(principal.memberId ? { [CLAIMS.member]: principal.memberId } : {}),
              ...(principal.verifierId ? { [CLAIMS.verifier]: principal.verifierId } : {}),
              ...(principal.sharing ? { [SHARING_CLAIM]: principal.sharing } : {}),
            };
      return token(HUB_TOKEN_TYPE, claims, principal.kind === 'anonymous' ? 'anonymous' : principal.subject, audience);
    },
    signService(service, audience) {
      if (!SERVICE_NAME.test(service)) return Promise.reject(new Error(`"${service}" is not a service name`));
      return token(SERVICE_TOKEN_TYPE, { [SERVICE_CLAIM]: service }, `urn:eciu:service:${service}`, audience);
    },
  };
}

export interface HubVerifier {
  /** Verifies the `Authorization` header of a call to `audience`; throws InvalidTokenError. */
  verify(header: string | undefined, audience: string): Promise<Principal>;
  /** Verifies a service token for `audience` and returns the calling service's name; throws InvalidTokenError. */
  verifyService(header: string | undefined, audience: string): Promise<string>;
}

/**
 * Verifies hub-internal tokens against the hub's key set, rejecting reuse of
 * a token id while it is still valid.
 */
export function createHubVerifier(keys: JWTVerifyGetKey, options: { uses?: TokenUses } = {}): HubVerifier {
  // Shared by the service's replicas when SHARED_STATE_URL is set (lib/shared-state.ts), else this process's memory.
  const uses = options.uses ?? memoryTokenUses();
  /** The key set's keys as node:crypto keys, converted once each. */
  const converted = new WeakMap<object, KeyObject>();
  /** Checks signature, type, issuer, audience, lifetime and single use; returns the payload. */
  async function check(header: string | undefined, audience: string, typ: string): Promise<JWTPayload> {
    const refused = () => new InvalidTokenError('this service answers only requests that come through the hub');
    const match = header ? /^Bearer\s+([A-Za-z0-9._-]+)$/.exec(header.trim()) : null;
    if (!match) throw refused();
    let decoded: DecodedCompact;
    try {
      decoded = decodeCompact(match[1] as string);
    } catch {
      throw refused();
    }
    if (decoded.header.alg !== ALGORITHM && decoded.header.alg !== 'EdDSA') throw refused();
    if (decoded.header['typ'] !== typ) throw refused();
    let key;
    try {
      key = keyObjectOf(await keys(decoded.header as CompactJWSHeaderParameters, { payload: '', signature: '' }), converted);
    } catch (error) {
      // Say so when the hub's keys cannot be fetched: otherwise an operator sees every call refused and no reason.
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys || error instanceof CompactJwsError) throw refused();
      throw new InvalidTokenError("the hub's public keys could not be obtained, so no request can be verified");
    }
    if (!verifyCompact(decoded, key)) throw refused();
    const payload = decoded.payload as JWTPayload;
    const seconds = Date.now() / 1000;
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (
      payload.iss !== HUB_ISSUER ||
      !audiences.includes(audience) ||
      typeof payload.exp !== 'number' ||
      typeof payload.iat !== 'number' ||
      typeof payload.jti !== 'string' ||
      typeof payload.sub !== 'string' ||
      payload.exp < seconds - CLOCK_TOLERANCE_SECONDS ||
      payload.iat > seconds + CLOCK_TOLERANCE_SECONDS ||
      seconds - payload.iat > HUB_TOKEN_LIFETIME_SECONDS + 5 + CLOCK_TOLERANCE_SECONDS ||
      (typeof payload.nbf === 'number' && payload.nbf > seconds + CLOCK_TOLERANCE_SECONDS)
    ) {
      throw refused();
    }
    if (!(await uses.firstUse(payload.jti as string, ((payload.exp as number) + 5) * 1000))) throw new InvalidTokenError('this hub token was already used');
    return payload;
  }
  return {
    async verify(header, audience) {
      const payload = await check(header, audience, HUB_TOKEN_TYPE);
      if (payload[ANONYMOUS_CLAIM] === true) return ANONYMOUS;
      const roles = (Array.isArray(payload[CLAIMS.roles]) ? (payload[CLAIMS.roles] as unknown[]) : []).filter((role): role is Role =>
        (ROLES as readonly unknown[]).includes(role),
      );
      const learner = payload[CLAIMS.learner];
      const member = payload[CLAIMS.member];
      const verifier = payload[CLAIMS.verifier];
      const sharing = sharingFrom(payload[SHARING_CLAIM]);
      return {
        kind: 'user',
        subject: payload.sub as string,
        roles,
        ...(typeof learner === 'string' ? { learnerId: learner } : {}),
        ...(typeof member === 'string' ? { memberId: member } : {}),
        ...(typeof verifier === 'string' ? { verifierId: verifier } : {}),
        ...(sharing ? { sharing } : {}),
      };
    },
    async verifyService(header, audience) {
      const payload = await check(header, audience, SERVICE_TOKEN_TYPE);
      const service = payload[SERVICE_CLAIM];
      // A service token names its service twice (claim and subject) and carries no one's identity.
      if (typeof service !== 'string' || !SERVICE_NAME.test(service) || payload.sub !== `urn:eciu:service:${service}` || CLAIMS.roles in payload) {
        throw new InvalidTokenError('this route answers only the hub\'s own services');
      }
      return service;
    },
  };
}

/** A verifier over a fixed key set (the hub's own, in one process). */
export function localHubVerifier(jwks: { keys: JWK[] }): HubVerifier {
  return createHubVerifier(createLocalJWKSet(jwks));
}

/**
 * For entry points: the verifier from HUB_JWKS_URL (the gateway's
 * /.well-known/hub-jwks.json, cached and refetched on an unknown kid) or
 * HUB_JWKS_FILE. One of them is required: a subgraph never runs open.
 */
export function hubVerifierFromEnv(env: Env, uses?: TokenUses): HubVerifier {
  const url = env['HUB_JWKS_URL']?.trim();
  const file = env['HUB_JWKS_FILE']?.trim();
  if (Boolean(url) === Boolean(file)) {
    throw new ConfigError('set exactly one of HUB_JWKS_URL (the gateway\'s /.well-known/hub-jwks.json) or HUB_JWKS_FILE (e.g. data/keys/hub-jwks.json).');
  }
  if (url) {
    if (!/^https?:\/\//.test(url)) throw new ConfigError('HUB_JWKS_URL must be an http(s) URL.');
    return createHubVerifier(remoteKeySet(url), uses ? { uses } : {});
  }
  const path = resolve(REPO_ROOT, file as string);
  if (!existsSync(path)) throw new ConfigError(`HUB_JWKS_FILE: ${path} does not exist (the gateway creates it on first start).`);
  return createHubVerifier(fileKeySet(path), uses ? { uses } : {});
}

function hubKeysDir(env: Env): string {
  return resolve(REPO_ROOT, env['HUB_KEYS_DIR']?.trim() || join('data', 'keys'));
}

/** For entry points: the hub signer from HUB_KEYS_DIR (default data/keys), created on first start. */
export function hubSignerFromEnv(env: Env): Promise<HubSigner> {
  return ensureHubSigner(hubKeysDir(env));
}

/**
 * For services that sign hub tokens themselves (the member router, issuance):
 * they verify incoming ones with the public half of the same key, read from
 * HUB_KEYS_DIR (re-read when the file changes) instead of over HTTP.
 */
export function sharedKeyHubVerifier(env: Env, uses?: TokenUses): HubVerifier {
  return createHubVerifier(fileKeySet(hubKeyFiles(hubKeysDir(env)).jwksPath), uses ? { uses } : {});
}
