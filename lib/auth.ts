import { readFileSync, statSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { GraphQLError } from 'graphql';
import { isLearnerId, isMemberId, isVerifierId } from './ids.js';

/*
 * Who is calling. Access tokens are JWTs from the alliance's identity
 * provider; the gateway verifies them with one fixed profile (RFC 8725):
 * keys only from the configured key set, an algorithm allowlist, the expected
 * issuer and audience, a lifetime, and an explicit token type, so that no
 * other kind of JWT (a hub-internal token, a credential) is ever accepted as
 * an access token.
 */

export const ROLES = ['learner', 'member-staff', 'analyst', 'alliance-admin', 'verifier'] as const;
export type Role = (typeof ROLES)[number];

/** Claim names carrying the alliance-specific parts of an identity. */
export const CLAIMS = { roles: 'roles', learner: 'eciu_learner', member: 'eciu_member', verifier: 'eciu_verifier' } as const;

export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      subject: string;
      roles: Role[];
      /** The alliance learner id, for the learner role. */
      learnerId?: string;
      /** The member id, for the member-staff role. */
      memberId?: string;
      /**
       * The verifier id (an https URL, a DID or a mailto: address), for the
       * verifier role: an organisation outside the alliance (an employer,
       * another university) that learners may grant access to.
       */
      verifierId?: string;
      /**
       * Learners who share their records at the receiving member with the
       * caller's member, with the scopes shared (alliance learner id → scopes).
       * Only the member router sets this, on its calls to members, from the
       * learners' valid sharing grants; access tokens never carry it.
       */
      sharing?: Readonly<Record<string, readonly RecordScope[]>>;
    };

/** What a learner's sharing grant covers at a member. */
export const RECORD_SCOPES = ['ACHIEVEMENTS', 'ENROLMENTS'] as const;
export type RecordScope = (typeof RECORD_SCOPES)[number];

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export interface AccessTokenProfile {
  issuer: string;
  audience: string;
  algorithms: string[];
  keys: JWTVerifyGetKey;
  /** Seconds of clock skew tolerated for exp/nbf/iat. */
  clockToleranceSeconds?: number;
  /** Throws while the keys cannot be obtained (a remote key set); drives `/readyz`. */
  keysReady?: () => Promise<void>;
}

/** Asymmetric algorithms only: an HMAC algorithm would let anyone holding the public key sign. */
export const DEFAULT_ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'];
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'jwt']);

/** The access token was missing its mark; the message says why in words fit for the caller. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

function reasonFor(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'it has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'it is meant for another audience';
    if (error.claim === 'iss') return 'it comes from an issuer this hub does not trust';
    if (error.claim === 'nbf') return 'it is not valid yet';
    return `its "${error.claim}" claim is not acceptable`;
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'its signing algorithm is not accepted';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'it is signed with a key this hub does not know';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'its signature does not match';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return 'the signing keys could not be obtained';
  // jose raises plain TypeErrors for some malformed input: anything else is simply "malformed".
  return 'it is not a well-formed signed JWT';
}

function principalFrom(payload: JWTPayload): Principal {
  const rawRoles = payload[CLAIMS.roles];
  const roles = (Array.isArray(rawRoles) ? rawRoles : typeof rawRoles === 'string' ? [rawRoles] : []).filter((role): role is Role =>
    (ROLES as readonly unknown[]).includes(role),
  );
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('it has no subject');
  if (roles.length === 0) throw new InvalidTokenError(`it carries none of the roles ${ROLES.join(', ')}`);
  const learner = payload[CLAIMS.learner];
  const member = payload[CLAIMS.member];
  const verifier = payload[CLAIMS.verifier];
  if (roles.includes('learner') && (typeof learner !== 'string' || !isLearnerId(learner))) {
    throw new InvalidTokenError(`the learner role needs an alliance learner id in "${CLAIMS.learner}"`);
  }
  if (roles.includes('member-staff') && (typeof member !== 'string' || !isMemberId(member))) {
    throw new InvalidTokenError(`the member-staff role needs a member id in "${CLAIMS.member}"`);
  }
  if (roles.includes('verifier') && (typeof verifier !== 'string' || !isVerifierId(verifier))) {
    throw new InvalidTokenError(`the verifier role needs a verifier id (https URL, DID or mailto: address) in "${CLAIMS.verifier}"`);
  }
  return {
    kind: 'user',
    subject: payload.sub,
    roles,
    ...(typeof learner === 'string' && roles.includes('learner') ? { learnerId: learner } : {}),
    ...(typeof member === 'string' && roles.includes('member-staff') ? { memberId: member } : {}),
    ...(typeof verifier === 'string' && roles.includes('verifier') ? { verifierId: verifier } : {}),
  };
}

/** Verifies an access token with the profile and returns who it names, or throws InvalidTokenError. */
export async function verifyAccessToken(token: string, profile: AccessTokenProfile): Promise<Principal> {
  let payload: JWTPayload;
  try {
    const result = await jwtVerify(token, profile.keys, {
      issuer: profile.issuer,
      audience: profile.audience,
      algorithms: profile.algorithms,
      clockTolerance: profile.clockToleranceSeconds ?? 30,
      requiredClaims: ['exp', 'sub'],
    });
    const type = result.protectedHeader.typ?.toLowerCase();
    if (type !== undefined && !ACCESS_TOKEN_TYPES.has(type)) throw new InvalidTokenError(`its type "${result.protectedHeader.typ}" is not an access token`);
    payload = result.payload;
  } catch (error) {
    if (error instanceof InvalidTokenError || error instanceof KeysUnavailableError) throw error;
    throw new InvalidTokenError(reasonFor(error));
  }
  return principalFrom(payload);
}

/**
 * Reads `Authorization: Bearer <token>`: no header is the anonymous caller,
 * anything else must be a valid access token.
 */
export async function authenticate(header: string | undefined, profile: AccessTokenProfile): Promise<Principal> {
  if (header === undefined || header.trim() === '') return ANONYMOUS;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match) throw new InvalidTokenError('the Authorization header must be "Bearer <token>"');
  if ((match[1] as string).length > 8192) throw new InvalidTokenError('it is too long');
  return verifyAccessToken(match[1] as string, profile);
}

/** The GraphQL error for a rejected token (sent with HTTP 401). */
export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`The access token was refused: ${reason}.`, { extensions: { code: 'UNAUTHENTICATED' } });
}

/**
 * A key set read from a JWKS file, re-read when the file changes, so keys can
 * be rotated by replacing the file (new kid added, old one kept until its
 * tokens expire).
 */
export function fileKeySet(path: string): JWTVerifyGetKey {
  let loaded: { mtimeMs: number; keys: JWTVerifyGetKey } | undefined;
  return (header, token) => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      throw new joseErrors.JWKSInvalid('The key set file cannot be read');
    }
    if (!loaded || loaded.mtimeMs !== mtimeMs) {
      loaded = { mtimeMs, keys: createLocalJWKSet(JSON.parse(readFileSync(path, 'utf8'))) };
    }
    return loaded.keys(header, token);
  };
}

/**
 * The identity provider's keys cannot be obtained (it does not answer, or
 * serves no valid key set): the hub's problem, answered with 503, never a
 * reason to call a caller's valid token bad.
 */
export class KeysUnavailableError extends Error {
  constructor(reason: string) {
    super(`the signing keys cannot be obtained: ${reason}`);
    this.name = 'KeysUnavailableError';
  }
}

/** A key set that can say whether it is usable, for `/readyz` and a start-up check. */
export type RemoteKeySet = JWTVerifyGetKey & {
  /** Resolves when keys are at hand (cached, or fetched now); throws KeysUnavailableError. */
  ready(): Promise<void>;
};

/** How long after a failed fetch requests fail at once instead of each waiting for the timeout again. */
const KEY_FETCH_RETRY_MS = 5_000;

function unavailableReason(error: unknown): string {
  if (error instanceof joseErrors.JWKSTimeout) return 'the key set URL did not answer in time';
  if (error instanceof joseErrors.JWKSInvalid) return 'the key set URL does not serve a valid JWKS';
  if (error instanceof joseErrors.JOSEError) return error.message;
  return 'the key set URL cannot be reached';
}

/**
 * A key set fetched from a JWKS URL and cached; an unknown `kid` triggers a
 * refetch (at most every 30 s), which is how rotated keys are picked up.
 *
 * When the URL stops answering, the keys last fetched keep verifying (an
 * identity provider's short outage does not sign everybody out), and for a
 * few seconds after a failure no request waits for another fetch. Without
 * keys ever fetched, verification fails with KeysUnavailableError.
 */
export function remoteKeySet(url: string, options: { timeoutMs?: number } = {}): RemoteKeySet {
  const remote = createRemoteJWKSet(new URL(url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: options.timeoutMs ?? 2_000 });
  let lastGood: { source: object; keys: JWTVerifyGetKey } | undefined;
  let failed: { at: number; reason: string } | undefined;
  const remember = () => {
    const source = remote.jwks();
    if (source && lastGood?.source !== source) lastGood = { source, keys: createLocalJWKSet(source) };
    failed = undefined;
  };
  const fallback = (reason: string): JWTVerifyGetKey => {
    if (lastGood) return lastGood.keys;
    throw new KeysUnavailableError(reason);
  };
  const getKey = (async (header, token) => {
    if (failed && Date.now() - failed.at < KEY_FETCH_RETRY_MS && !remote.fresh) return fallback(failed.reason)(header, token);
    try {
      const key = await remote(header, token);
      remember();
      return key;
    } catch (error) {
      // About the token (no such kid, algorithm): the caller's problem, as before.
      if (error instanceof joseErrors.JOSEError && !(error instanceof joseErrors.JWKSTimeout) && !(error instanceof joseErrors.JWKSInvalid)) throw error;
      failed = { at: Date.now(), reason: unavailableReason(error) };
      return fallback(failed.reason)(header, token);
    }
  }) as RemoteKeySet;
  getKey.ready = async () => {
    if (remote.fresh) return;
    try {
      await remote.reload();
      remember();
    } catch (error) {
      failed = { at: Date.now(), reason: unavailableReason(error) };
      if (!lastGood) throw new KeysUnavailableError(failed.reason);
    }
  };
  return getKey;
}
