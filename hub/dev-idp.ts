import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { ensureSigningKey, SIGNING_ALGORITHM } from '../lib/keys.js';
import { CLAIMS, DEFAULT_ALGORITHMS, fileKeySet, type AccessTokenProfile, type Role } from '../lib/auth.js';

/*
 * A development identity provider for the embedded default: an ES256 signing
 * key created on first start (private key file readable only by its owner)
 * and its public JWKS written next to it, where the gateway reads it. It
 * issues access tokens exactly as the alliance's identity provider is
 * expected to (docs/security.md), so the hub runs the same verification path
 * in development as in production.
 */

export const DEV_IDP_ISSUER = 'urn:eciu:dev-idp';
export const HUB_AUDIENCE = 'urn:eciu:hub';
const ALGORITHM = SIGNING_ALGORITHM;

export interface DevIdp {
  /** The public key set, as the gateway reads it. */
  jwksPath: string;
  issuer: string;
  audience: string;
  /** Signs an access token for a role. */
  issue(request: TokenRequest): Promise<string>;
}

export interface TokenRequest {
  role: Role;
  learnerId?: string;
  memberId?: string;
  verifierId?: string;
  subject?: string;
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number;
}

/** Loads the development identity provider's key from `dir`, creating it on first use. */
export async function ensureDevIdp(dir: string): Promise<DevIdp> {
  const jwksPath = join(dir, 'dev-idp-jwks.json');
  const { privateJwk } = await ensureSigningKey({ privatePath: join(dir, 'dev-idp-private.jwk'), jwksPath });
  const key = await importJWK(privateJwk, ALGORITHM);
  return {
    jwksPath,
    issuer: DEV_IDP_ISSUER,
    audience: HUB_AUDIENCE,
    async issue(request) {
      const claims: Record<string, unknown> = { [CLAIMS.roles]: [request.role] };
      if (request.learnerId) claims[CLAIMS.learner] = request.learnerId;
      if (request.memberId) claims[CLAIMS.member] = request.memberId;
      if (request.verifierId) claims[CLAIMS.verifier] = request.verifierId;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid as string, typ: 'at+jwt' })
        .setIssuer(DEV_IDP_ISSUER)
        .setAudience(HUB_AUDIENCE)
        .setSubject(request.subject ?? request.learnerId ?? `${request.role}${request.memberId ? `@${request.memberId}` : ''}${request.verifierId ? `@${request.verifierId}` : ''}`)
        .setIssuedAt()
        .setExpirationTime(`${request.ttlSeconds ?? 3600}s`)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}

/** The gateway's verification profile for tokens of this identity provider. */
export function devIdpProfile(idp: DevIdp): AccessTokenProfile {
  return { issuer: idp.issuer, audience: idp.audience, algorithms: DEFAULT_ALGORITHMS, keys: fileKeySet(idp.jwksPath) };
}
